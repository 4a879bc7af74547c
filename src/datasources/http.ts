/**
 * The single upstream HTTP client: every call to BambooHR, Namely and Litmos goes through one of
 * these. It owns the connection pool, timeouts, the credential's rate budget, retries with backoff
 * and `Retry-After`, and turns every failure into an `UpstreamError` that carries the vendor's own
 * error text but never a credential.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { Pool, type Dispatcher } from 'undici';
import { ConfigError, UpstreamError, type ErrorCode, type UpstreamSystem } from '../errors.js';
import { createRollingBudget, type BudgetState, type RateBudget, type RollingBudgetOptions } from './budget.js';
import {
  RETRY_DEFAULTS,
  isRefusal,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  retryDelayMs,
  vendorText,
  type RetryOptions,
} from './retry.js';

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** Appended to the base URL's path. */
  path: string;
  /** Undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string;
  /** Safe to repeat; default true except POST. */
  idempotent?: boolean;
  /** Statuses returned instead of thrown (e.g. [404]). */
  accept?: number[];
}

export interface UpstreamResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamMetrics {
  /** Calls to `request`. */
  requests: number;
  /** Requests put on the wire, retries included. */
  attempts: number;
  /** Responses received, by status code. */
  responses: Record<string, number>;
  retries: number;
  /** 429/503 responses, each of which paused the budget. */
  throttled: number;
  /** Time spent waiting for the rate budget, summed over attempts, ms. */
  budgetWaitMs: number;
  /** Attempts that ended without a response (refused, reset, dropped, timed out). */
  networkErrors: number;
  /** Calls that ended in an `UpstreamError`. */
  failures: number;
}

interface EventBase {
  system: UpstreamSystem;
  method: UpstreamRequest['method'];
  /** Full URL with every credential value replaced by `REDACTED`. */
  url: string;
  /** 0 for the first try, 1 for the first retry, … */
  attempt: number;
}

export type UpstreamEvent =
  | (EventBase & { type: 'request' })
  | (EventBase & { type: 'response'; status: number; durationMs: number })
  | (EventBase & { type: 'retry'; status: number; delayMs: number; reason: string })
  | (EventBase & { type: 'throttle'; status: number; untilEpochMs: number })
  | (EventBase & { type: 'error'; status: number; code: ErrorCode; message: string });

/** undici checks these on a coarse clock (about 1 s), so a short timeout can fire up to a second late. */
export interface UpstreamTimeouts {
  /** TCP + TLS connect, ms. @default 10_000 */
  connectMs?: number;
  /** From sending the request to the end of the response headers, ms; reports can be slow to build. @default 60_000 */
  headersMs?: number;
  /** Longest idle gap between body chunks, ms. @default 30_000 */
  bodyMs?: number;
}

export interface UpstreamClientOptions {
  system: UpstreamSystem;
  /** Origin plus an optional path prefix (`http://127.0.0.1:4101/api/gateway.php/acme/v1`); request paths are appended. */
  baseUrl: string;
  /** Adds the credential to each request (header and/or query); whatever it sets is redacted everywhere. @default none */
  authorize?: (init: { headers: Record<string, string>; query: URLSearchParams }) => void;
  /** The credential's budget: its limits (a private budget), or a `RateBudget` shared with other clients. */
  budget: Omit<RollingBudgetOptions, 'now'> | RateBudget;
  /** Attempts in flight at once. @default 4 */
  concurrency?: number;
  timeouts?: UpstreamTimeouts;
  retry?: RetryOptions;
  /** A pool for this origin shared with other clients; the client then leaves closing it to its owner. @default a pool of its own */
  dispatcher?: Dispatcher;
  /** Log hook; receives only redacted URLs. @default none */
  onEvent?: (event: UpstreamEvent) => void;
}

export interface UpstreamClient {
  readonly system: UpstreamSystem;
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  budget(): BudgetState;
  metrics(): UpstreamMetrics;
  close(): Promise<void>;
}

const REDACTED = 'REDACTED';
/** Names that hold a credential whoever set them (Namely's old `access_token`, Litmos' `apikey` header). */
const CREDENTIAL_NAME = /^(authorization|proxy-authorization|cookie|x-api-key|api_?key|access_token|token|key|secret|client_secret|password|signature)$/i;
/**
 * Names `authorize` may set that are not credentials (Litmos' `source`, content negotiation); every
 * other value it sets is treated as one, since redacting too much is the safe mistake.
 */
const NOT_CREDENTIAL_NAME = /^(accept|content-type|user-agent|source|format)$/i;
const MAX_VENDOR_TEXT = 300;

/** What a single request needs redacted: credential strings and the URL to show instead of the real one. */
interface Prepared {
  pathAndQuery: string;
  headers: Record<string, string>;
  shownUrl: string;
  /** The request's route, ids templated (`GET /users/:id`): what an error message may show a caller. */
  shownRoute: string;
  secrets: string[];
}

/** Fragments of a credential header value a vendor might echo back: the token, a Basic pair's parts. */
function credentialFragments(value: string): string[] {
  const [scheme, token] = value.split(/\s+/, 2);
  const fragments = [value];
  if (token) fragments.push(token);
  if (scheme?.toLowerCase() === 'basic' && token) {
    const pair = Buffer.from(token, 'base64').toString('utf8');
    fragments.push(pair, ...pair.split(':'));
  }
  // Short fragments (BambooHR's conventional password "x") are not secrets and would shred messages.
  return fragments.filter((fragment) => fragment.length >= 4);
}

function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join(REDACTED);
  return clean;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isRateBudget(budget: UpstreamClientOptions['budget']): budget is RateBudget {
  return typeof (budget as Partial<RateBudget>).acquire === 'function';
}

type Attempt =
  | { kind: 'response'; response: UpstreamResponse; statusText: string }
  /** No (whole) answer; `status` when the status line came before the connection failed mid-body. */
  | { kind: 'network'; code: string; error: unknown; status?: number };

/**
 * Reads a response body to the end. A connection cut mid-body rejects here, after the status line
 * arrived: the answer is lost all the same, so it is a network failure like no answer at all — a
 * GET is repeated, a POST left for its caller to check — never a half body handed to a parser. An
 * error with no network code is still the connection's doing (nothing else reads this stream), so it
 * is reported under its own name rather than thrown as if the request could not be sent.
 */
async function readBody(data: Dispatcher.ResponseData): Promise<{ body: string } | { code: string; error: unknown }> {
  try {
    return { body: await data.body.text() };
  } catch (error) {
    return { code: networkErrorCode(error) ?? bodyErrorName(error), error };
  }
}

function bodyErrorName(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'BODY_READ_FAILED';
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { system, onEvent } = options;
  const base = URL.canParse(options.baseUrl) ? new URL(options.baseUrl) : undefined;
  if (!base || !/^https?:$/.test(base.protocol)) {
    throw new ConfigError(`${system} baseUrl must be an absolute http(s) URL, received "${options.baseUrl}"`, { system });
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const concurrency = options.concurrency ?? 4;
  const retry = { ...RETRY_DEFAULTS, ...options.retry };
  const budget = isRateBudget(options.budget) ? options.budget : createRollingBudget(options.budget);
  const pool =
    options.dispatcher ??
    new Pool(base.origin, {
      connections: concurrency,
      connectTimeout: options.timeouts?.connectMs ?? 10_000,
      headersTimeout: options.timeouts?.headersMs ?? 60_000,
      bodyTimeout: options.timeouts?.bodyMs ?? 30_000,
    });
  const ownsPool = options.dispatcher === undefined;
  const limit = pLimit(concurrency);
  const metrics: UpstreamMetrics = {
    requests: 0,
    attempts: 0,
    responses: {},
    retries: 0,
    throttled: 0,
    budgetWaitMs: 0,
    networkErrors: 0,
    failures: 0,
  };

  const prepare = (req: UpstreamRequest): Prepared => {
    const query = new URLSearchParams(base.search);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) query.append(name, String(value));
    }
    const headers: Record<string, string> = { ...req.headers };
    const before = { headers: { ...headers }, query: query.toString() };
    options.authorize?.({ headers, query });
    const beforeQuery = new URLSearchParams(before.query);

    const isCredential = (name: string, setByAuthorize: boolean) =>
      CREDENTIAL_NAME.test(name) || (setByAuthorize && !NOT_CREDENTIAL_NAME.test(name));
    const secrets: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (isCredential(name, before.headers[name] !== value)) secrets.push(...credentialFragments(value));
    }
    const shown = new URLSearchParams();
    for (const [name, value] of query) {
      const credential = isCredential(name, !beforeQuery.getAll(name).includes(value));
      if (credential) secrets.push(...credentialFragments(value), ...credentialFragments(encodeURIComponent(value)));
      shown.append(name, credential ? REDACTED : value);
    }
    const path = `${prefix}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
    const search = query.toString();
    const shownSearch = shown.toString();
    return {
      pathAndQuery: search ? `${path}?${search}` : path,
      headers,
      shownUrl: `${base.origin}${path}${shownSearch ? `?${shownSearch}` : ''}`,
      shownRoute: routeTemplate(req.path),
      // Longest first, so a token is not half-replaced by a shorter fragment of itself.
      secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
    };
  };

  /** One try: wait for a concurrency slot, then for the budget, then send at once (see budget.ts on why in that order). */
  const attemptOnce = (req: UpstreamRequest, prepared: Prepared, event: EventBase) =>
    limit(async (): Promise<Attempt> => {
      const waitStart = Date.now();
      const ticket = await budget.acquire();
      const sentAt = Date.now();
      metrics.budgetWaitMs += sentAt - waitStart;
      metrics.attempts += 1;
      try {
        onEvent?.({ ...event, type: 'request' });
        const data = await pool.request({
          origin: base.origin,
          method: req.method,
          path: prepared.pathAndQuery,
          headers: prepared.headers,
          body: req.body,
        });
        const read = await readBody(data);
        if ('error' in read) {
          metrics.networkErrors += 1;
          return { kind: 'network', code: read.code, error: read.error, status: data.statusCode };
        }
        const response = { status: data.statusCode, headers: flattenHeaders(data.headers), body: read.body };
        metrics.responses[String(response.status)] = (metrics.responses[String(response.status)] ?? 0) + 1;
        onEvent?.({ ...event, type: 'response', status: response.status, durationMs: Date.now() - sentAt });
        return { kind: 'response', response, statusText: data.statusText };
      } catch (error) {
        const code = networkErrorCode(error);
        if (code === undefined) throw error;
        metrics.networkErrors += 1;
        return { kind: 'network', code, error };
      } finally {
        ticket.settle();
      }
    });

  const fail = (event: EventBase, error: UpstreamError): UpstreamError => {
    metrics.failures += 1;
    onEvent?.({ ...event, type: 'error', status: error.status, code: error.code, message: error.message });
    return error;
  };

  const request = async (req: UpstreamRequest): Promise<UpstreamResponse> => {
    metrics.requests += 1;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const prepared = prepare(req);
    // Errors reach API callers (VIEWERs included) and run reports: they name the route, never the
    // upstream's host, ids, usernames or query; the full (redacted) URL stays in the client's events.
    const shownRequest = `${req.method} ${prepared.shownRoute}`;

    for (let attempt = 0; ; attempt += 1) {
      const event: EventBase = { system, method: req.method, url: prepared.shownUrl, attempt };
      let outcome: Attempt;
      try {
        outcome = await attemptOnce(req, prepared, event);
      } catch (error) {
        const reason = scrub(error instanceof Error ? error.message : String(error), prepared.secrets);
        throw fail(event, new UpstreamError(system, 0, `${shownRequest} could not be sent: ${reason}`, { retryable: false, cause: error }));
      }
      const canRetry = attempt < retry.retries;

      if (outcome.kind === 'network') {
        const lost = outcome.status === undefined ? `got no response (${outcome.code})` : `got ${outcome.status} but its body was cut off (${outcome.code})`;
        if (!idempotent) {
          // No (whole) answer tells us nothing about whether the server applied it — even a 201 whose
          // body was cut leaves us without the id it made — and repeating a create could make a second
          // learner, so the caller must look before it tries again. Status 0: nothing usable came back.
          // Retryable, in that a try may yet succeed — once the caller has looked.
          throw fail(
            event,
            new UpstreamError(system, 0, `${shownRequest} ${lost}; not repeated because it is not idempotent — check whether it was applied`, { retryable: true, cause: outcome.error }),
          );
        }
        if (!canRetry) {
          throw fail(event, new UpstreamError(system, 0, `${shownRequest} ${lost} after ${attempt + 1} attempts`, { cause: outcome.error }));
        }
        const delayMs = retryDelayMs(attempt, undefined, retry);
        metrics.retries += 1;
        onEvent?.({ ...event, type: 'retry', status: 0, delayMs, reason: outcome.code });
        await sleep(delayMs);
        continue;
      }

      const { response, statusText } = outcome;
      if ((response.status >= 200 && response.status < 300) || req.accept?.includes(response.status)) return response;

      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], Date.now());
      const delayMs = retryDelayMs(attempt, retryAfterMs, retry);
      if (isRefusal(response.status)) {
        // Pause the whole credential, not just this call: concurrent callers would hit the same limit.
        const untilEpochMs = Date.now() + delayMs;
        budget.penalize(untilEpochMs);
        metrics.throttled += 1;
        onEvent?.({ ...event, type: 'throttle', status: response.status, untilEpochMs });
      }
      if (canRetry && isRetryableStatus(response.status, idempotent)) {
        metrics.retries += 1;
        onEvent?.({ ...event, type: 'retry', status: response.status, delayMs, reason: `status ${response.status}` });
        await sleep(delayMs);
        continue;
      }
      const text = scrub(vendorText(response.status, statusText, response.headers, response.body), prepared.secrets);
      const shortText = text.length > MAX_VENDOR_TEXT ? `${text.slice(0, MAX_VENDOR_TEXT)}…` : text;
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
      throw fail(event, new UpstreamError(system, response.status, `${shownRequest} → ${response.status}${tries}: ${shortText}`));
    }
  };

  return {
    system,
    request,
    budget: () => budget.state(),
    metrics: () => structuredClone(metrics),
    close: async () => {
      if (ownsPool) await pool.destroy();
    },
  };
}

/**
 * A path with its identifiers templated: `/teams/y5phW-Iw2lE1/users` → `/teams/:id/users`,
 * `/users/ann%40acme.com` → `/users/:id`. A segment that reads as a resource name (letters only,
 * starting lower-case) stays; anything with a digit, an escape or an upper-case start is an id.
 */
export function routeTemplate(path: string): string {
  const [bare = ''] = path.split('?');
  return bare
    .split('/')
    .map((segment) => (segment === '' || /^[a-z][A-Za-z_.-]*$/.test(segment) ? segment : ':id'))
    .join('/');
}
