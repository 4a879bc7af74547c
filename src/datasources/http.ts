/**
 * The single upstream HTTP client: every call to BambooHR, Namely and Litmos goes through one of
 * these. It owns the connection pool, timeouts, the credential's rate budget, retries with backoff
 * and `Retry-After`, and turns every failure into an `UpstreamError` that carries the vendor's own
 * error text but never a credential.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { Pool, type Dispatcher } from 'undici';
import { ConfigError, UpstreamError, type ErrorCode, type UpstreamSystem } from '../errors.js';
import { createRollingBudget, type BudgetState, type RateBudget, type RollingBudgetOptions } from './budget.js';
import { RETRY_DEFAULTS, isRefusal, isRetryableStatus, networkErrorCode, parseRetryAfter, retryDelayMs, vendorText, type RetryOptions } from './retry.js';

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
  /** The path with its ids templated (`/users/:id`): a label that does not grow with the data. */
  route: string;
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

interface Answer {
  kind: 'response';
  response: UpstreamResponse;
  statusText: string;
}
/** No (whole) answer; `status` when the status line came before the connection failed mid-body. */
interface LostAnswer {
  kind: 'network';
  code: string;
  error: unknown;
  status?: number;
}
type Attempt = Answer | LostAnswer;

/** What an attempt leaves its call to do: hand back the answer, give up with an error, or try again after a pause. */
type Next =
  { kind: 'answer'; response: UpstreamResponse } | { kind: 'fail'; error: UpstreamError } | { kind: 'retry'; status: number; delayMs: number; reason: string };

/** What every step of a call shares: the client's settings, its budget, pool and metrics. */
interface Client {
  options: UpstreamClientOptions;
  system: UpstreamSystem;
  base: URL;
  /** The base URL's path, without a trailing slash: request paths are appended to it. */
  prefix: string;
  retry: Required<RetryOptions>;
  budget: RateBudget;
  pool: Dispatcher;
  limit: LimitFunction;
  metrics: UpstreamMetrics;
}

/** One call to `request`, as each of its attempts sees it. */
interface Call {
  req: UpstreamRequest;
  prepared: Prepared;
  idempotent: boolean;
  /**
   * How errors name the call. They reach API callers (VIEWERs included) and run reports: they name
   * the route, never the upstream's host, ids, usernames or query; the full (redacted) URL stays in
   * the client's events.
   */
  shownRequest: string;
}

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
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'BODY_READ_FAILED';
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const base = parseBaseUrl(options.system, options.baseUrl);
  const concurrency = options.concurrency ?? 4;
  const client: Client = {
    options,
    system: options.system,
    base,
    prefix: base.pathname.replace(/\/+$/, ''),
    retry: { ...RETRY_DEFAULTS, ...options.retry },
    budget: isRateBudget(options.budget) ? options.budget : createRollingBudget(options.budget),
    pool: options.dispatcher ?? createPool(base.origin, concurrency, options.timeouts),
    limit: pLimit(concurrency),
    metrics: { requests: 0, attempts: 0, responses: {}, retries: 0, throttled: 0, budgetWaitMs: 0, networkErrors: 0, failures: 0 },
  };
  return {
    system: options.system,
    request: (req) => request(client, req),
    budget: () => client.budget.state(),
    metrics: () => structuredClone(client.metrics),
    close: async () => {
      // A pool handed in is shared with other clients: closing it is left to its owner.
      if (options.dispatcher === undefined) await client.pool.destroy();
    },
  };
}

function parseBaseUrl(system: UpstreamSystem, baseUrl: string): URL {
  const base = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (!base || !/^https?:$/.test(base.protocol)) {
    throw new ConfigError(`${system} baseUrl must be an absolute http(s) URL, received "${baseUrl}"`, { system });
  }
  return base;
}

function createPool(origin: string, connections: number, timeouts: UpstreamTimeouts = {}): Pool {
  return new Pool(origin, {
    connections,
    connectTimeout: timeouts.connectMs ?? 10_000,
    headersTimeout: timeouts.headersMs ?? 60_000,
    bodyTimeout: timeouts.bodyMs ?? 30_000,
  });
}

/** Tries until an attempt is answered, the answer is a refusal not worth repeating, or the retries run out. */
async function request(client: Client, req: UpstreamRequest): Promise<UpstreamResponse> {
  client.metrics.requests += 1;
  const call = callOf(client, req);
  for (let attempt = 0; ; attempt += 1) {
    const event: EventBase = { system: client.system, method: req.method, url: call.prepared.shownUrl, route: call.prepared.shownRoute, attempt };
    const outcome = await attemptOnce(client, call, event).catch((error: unknown) => {
      throw fail(client, event, notSent(client, call, error));
    });
    const next = outcome.kind === 'response' ? afterAnswer(client, call, outcome, event) : afterLostAnswer(client, call, outcome, event);
    if (next.kind === 'answer') return next.response;
    if (next.kind === 'fail') throw fail(client, event, next.error);
    client.metrics.retries += 1;
    client.options.onEvent?.({ ...event, type: 'retry', status: next.status, delayMs: next.delayMs, reason: next.reason });
    await sleep(next.delayMs);
  }
}

function callOf(client: Client, req: UpstreamRequest): Call {
  const prepared = prepare(client, req);
  return { req, prepared, idempotent: req.idempotent ?? req.method !== 'POST', shownRequest: `${req.method} ${prepared.shownRoute}` };
}

function prepare(client: Client, req: UpstreamRequest): Prepared {
  const query = new URLSearchParams(client.base.search);
  for (const [name, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) query.append(name, String(value));
  }
  const headers: Record<string, string> = { ...req.headers };
  const before = { headers: { ...headers }, query: new URLSearchParams(query) };
  client.options.authorize?.({ headers, query });
  const { secrets, shownQuery } = redact(before, { headers, query });
  const path = `${client.prefix}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
  const search = query.toString();
  const shownSearch = shownQuery.toString();
  return {
    pathAndQuery: search ? `${path}?${search}` : path,
    headers,
    shownUrl: `${client.base.origin}${path}${shownSearch ? `?${shownSearch}` : ''}`,
    shownRoute: routeTemplate(req.path),
    // Longest first, so a token is not half-replaced by a shorter fragment of itself.
    secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
  };
}

interface RequestParts {
  headers: Record<string, string>;
  query: URLSearchParams;
}

/** The credentials among a request's parts (`after`, as `authorize` left them): the strings to scrub, and the query as it may be shown. */
function redact(before: RequestParts, after: RequestParts): { secrets: string[]; shownQuery: URLSearchParams } {
  const isCredential = (name: string, setByAuthorize: boolean) => CREDENTIAL_NAME.test(name) || (setByAuthorize && !NOT_CREDENTIAL_NAME.test(name));
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(after.headers)) {
    if (isCredential(name, before.headers[name] !== value)) secrets.push(...credentialFragments(value));
  }
  const shownQuery = new URLSearchParams();
  for (const [name, value] of after.query) {
    const credential = isCredential(name, !before.query.getAll(name).includes(value));
    if (credential) secrets.push(...credentialFragments(value), ...credentialFragments(encodeURIComponent(value)));
    shownQuery.append(name, credential ? REDACTED : value);
  }
  return { secrets, shownQuery };
}

/** One try: wait for a concurrency slot, then for the budget, then send at once (see budget.ts on why in that order). */
function attemptOnce(client: Client, call: Call, event: EventBase): Promise<Attempt> {
  return client.limit(async () => {
    const waitStart = Date.now();
    const ticket = await client.budget.acquire();
    const sentAt = Date.now();
    client.metrics.budgetWaitMs += sentAt - waitStart;
    client.metrics.attempts += 1;
    try {
      client.options.onEvent?.({ ...event, type: 'request' });
      const outcome = await exchange(client, call);
      recordAttempt(client, outcome, event, sentAt);
      return outcome;
    } finally {
      ticket.settle();
    }
  });
}

/** Sends the request and reads its answer whole. A connection's failure is an outcome; anything else throws. */
async function exchange(client: Client, { req, prepared }: Call): Promise<Attempt> {
  try {
    const data = await client.pool.request({
      origin: client.base.origin,
      method: req.method,
      path: prepared.pathAndQuery,
      headers: prepared.headers,
      body: req.body,
    });
    const read = await readBody(data);
    if ('error' in read) return { kind: 'network', code: read.code, error: read.error, status: data.statusCode };
    return { kind: 'response', response: { status: data.statusCode, headers: flattenHeaders(data.headers), body: read.body }, statusText: data.statusText };
  } catch (error) {
    const code = networkErrorCode(error);
    if (code === undefined) throw error;
    return { kind: 'network', code, error };
  }
}

function recordAttempt(client: Client, outcome: Attempt, event: EventBase, sentAt: number): void {
  if (outcome.kind === 'network') {
    client.metrics.networkErrors += 1;
    return;
  }
  const status = outcome.response.status;
  client.metrics.responses[String(status)] = (client.metrics.responses[String(status)] ?? 0) + 1;
  client.options.onEvent?.({ ...event, type: 'response', status, durationMs: Date.now() - sentAt });
}

/** Judges an answer: a success or an accepted status is the call's, a retryable one is tried again after its wait, the rest fail it. */
function afterAnswer(client: Client, call: Call, { response, statusText }: Answer, event: EventBase): Next {
  const { attempt } = event;
  if ((response.status >= 200 && response.status < 300) || call.req.accept?.includes(response.status)) return { kind: 'answer', response };
  const delayMs = retryDelayMs(attempt, parseRetryAfter(response.headers['retry-after'], Date.now()), client.retry);
  if (isRefusal(response.status)) throttle(client, event, response.status, delayMs);
  if (attempt < client.retry.retries && isRetryableStatus(response.status, call.idempotent)) {
    return { kind: 'retry', status: response.status, delayMs, reason: `status ${response.status}` };
  }
  const text = scrub(vendorText(response.status, statusText, response.headers, response.body), call.prepared.secrets);
  const shortText = text.length > MAX_VENDOR_TEXT ? `${text.slice(0, MAX_VENDOR_TEXT)}…` : text;
  const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
  return { kind: 'fail', error: new UpstreamError(client.system, response.status, `${call.shownRequest} → ${response.status}${tries}: ${shortText}`) };
}

/** Pauses the whole credential, not just this call: concurrent callers would hit the same limit. */
function throttle(client: Client, event: EventBase, status: number, delayMs: number): void {
  const untilEpochMs = Date.now() + delayMs;
  client.budget.penalize(untilEpochMs);
  client.metrics.throttled += 1;
  client.options.onEvent?.({ ...event, type: 'throttle', status, untilEpochMs });
}

/** Judges an attempt that got no whole answer: repeated only when the request is idempotent and retries are left. */
function afterLostAnswer(client: Client, call: Call, outcome: LostAnswer, { attempt }: EventBase): Next {
  const lost = outcome.status === undefined ? `got no response (${outcome.code})` : `got ${outcome.status} but its body was cut off (${outcome.code})`;
  if (!call.idempotent) {
    // No (whole) answer tells us nothing about whether the server applied it — even a 201 whose
    // body was cut leaves us without the id it made — and repeating a create could make a second
    // learner, so the caller must look before it tries again. Status 0: nothing usable came back.
    // Retryable, in that a try may yet succeed — once the caller has looked.
    const message = `${call.shownRequest} ${lost}; not repeated because it is not idempotent — check whether it was applied`;
    return { kind: 'fail', error: new UpstreamError(client.system, 0, message, { retryable: true, cause: outcome.error }) };
  }
  if (attempt >= client.retry.retries) {
    return { kind: 'fail', error: new UpstreamError(client.system, 0, `${call.shownRequest} ${lost} after ${attempt + 1} attempts`, { cause: outcome.error }) };
  }
  return { kind: 'retry', status: 0, delayMs: retryDelayMs(attempt, undefined, client.retry), reason: outcome.code };
}

function notSent(client: Client, call: Call, error: unknown): UpstreamError {
  const reason = scrub(error instanceof Error ? error.message : String(error), call.prepared.secrets);
  return new UpstreamError(client.system, 0, `${call.shownRequest} could not be sent: ${reason}`, { retryable: false, cause: error });
}

function fail(client: Client, event: EventBase, error: UpstreamError): UpstreamError {
  client.metrics.failures += 1;
  client.options.onEvent?.({ ...event, type: 'error', status: error.status, code: error.code, message: error.message });
  return error;
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
