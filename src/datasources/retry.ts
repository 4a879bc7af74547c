/**
 * The failure policy of upstream calls: which failures are worth repeating, how long to wait
 * (backoff, `Retry-After`), what the vendor said went wrong, and how a write whose outcome is unknown
 * is settled. Kept apart from the HTTP client and from sync so it is tested without a server.
 */
import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamError } from '../errors.js';

export interface RetryOptions {
  /** Repeats after the first attempt. @default 4 */
  retries?: number;
  /** Backoff ceiling of the first retry, ms; doubles on each further retry. @default 250 */
  baseDelayMs?: number;
  /** Backoff ceiling however many retries came before, ms. @default 10_000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured, ms; a longer one is cut to this. @default 60_000 */
  maxRetryAfterMs?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/**
 * `Retry-After` in either form RFC 9110 allows — delta-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`) — as ms from `now`. An HTTP-date names a whole second, and a
 * server that formats "now + wait" truncates the instant to write it, so the moment it means may lie
 * up to 999 ms after the date: the wait runs to the end of the named second (taking the date at its
 * word would retry early into the same throttle). A second already over means "now" (0).
 * Returns undefined when the header is absent or is neither form, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse also accepts bare numbers and ISO strings; requiring a leading day name keeps it to
  // the HTTP-date forms (IMF-fixdate, RFC 850, asctime).
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  const at = Date.parse(/\b(GMT|UTC)$/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at + HTTP_DATE_GRANULARITY_MS - now);
}

const HTTP_DATE_GRANULARITY_MS = 1000;

/**
 * Capped exponential backoff with full jitter: uniformly random in [0, min(max, base·2^retry)).
 * Full jitter spreads the retries of callers that failed together, so they do not collide again.
 */
export function backoffMs(retry: number, options: Pick<Required<RetryOptions>, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** The wait before retry number `retry`: the server's `Retry-After` (capped) when it sent one, else backoff. */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, options: Required<RetryOptions>, random?: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  return backoffMs(retry, options, random);
}

/**
 * Statuses meaning "the server would not serve this now". 429 and 503 are how BambooHR and Litmos
 * say "rate limited", sent by the limiter before any handler runs; a 503 from a proxy likewise means
 * no backend took the request. So repeating even a POST after one cannot apply it twice, and a sync
 * that stopped at every throttled create would never finish. Other 5xx may come after the work was
 * done (a 500 thrown after the insert, a 502/504 from a proxy whose backend finished), so only
 * requests safe to repeat are retried on those.
 */
export function isRefusal(status: number): boolean {
  return status === 429 || status === 503;
}

export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  return isRefusal(status) || (idempotent && status >= 500 && status <= 599);
}

/**
 * Error codes of a request that got no response: the connection was refused, reset, dropped or
 * timed out. Client-side mistakes (an invalid header, a destroyed pool) are not here: repeating
 * them cannot help.
 */
const NETWORK_ERROR_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function networkErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code) ? code : undefined;
}

/** The vendor's own words for a failure, wherever that vendor puts them. */
export function vendorText(status: number, statusText: string, headers: Record<string, string>, body: string): string {
  const header = headers['x-bamboohr-error-message'];
  if (header) return header;
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>;
      const message = [parsed.Detail, parsed.Message, parsed.message, parsed.error].find(
        (value): value is string => typeof value === 'string' && value.length > 0,
      );
      const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e) => typeof e === 'string') : [];
      const text = [message, errors.join('; ')].filter(Boolean).join(': ');
      if (text) return text;
    } catch {
      // Not JSON after all: fall through to the reason phrase.
    }
  }
  // Litmos puts its error text in the reason phrase ("409 UserName already exists").
  if (statusText && statusText !== STATUS_CODES[status]) return statusText;
  if (trimmed && !trimmed.startsWith('<')) return trimmed;
  return statusText || STATUS_CODES[status] || 'no reason given';
}

/**
 * Whether a failed call may succeed if made again: no answer at all (the connection was refused,
 * reset, or cut mid-body), a server error, or a throttle that outlasted the client's own retries.
 * Everything else — a 4xx, an answer that would not parse, a request that could not even be sent
 * (the client marks those not retryable), a caller's mistake — is the same on every try.
 */
export function isTransientFailure(error: unknown): boolean {
  if (!(error instanceof UpstreamError) || !error.retryable) return false;
  return error.status === 0 || error.status === 429 || (error.status >= 500 && error.status <= 599);
}

export interface SettleOptions<T> {
  /** The write. */
  write: () => Promise<T>;
  /**
   * After a transient failure: whether the write took effect all the same, as its result (the id it
   * made, …), or undefined when it did not. Omitted for a write that is safe to repeat as it is.
   */
  verify?: () => Promise<T | undefined>;
  /** Tries of `write` in all. @default 4 */
  attempts?: number;
  /** Backoff before looking after failed try n (0-based): ceiling of the first, doubling after. @default 250 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
  /** Injected by tests. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const SETTLE_DEFAULTS = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000 } as const;

/**
 * Carries a write through transient failures whose outcome is unknown. A server error or a lost
 * answer may come after the write took effect, so after each one it waits (backoff: the server is
 * struggling), looks whether the effect is there, and only writes again when it is not — a create is
 * never repeated blindly. Bounded: after `attempts` writes the last failure is thrown, as is any
 * permanent failure at once. The look itself may fail; that failure is thrown as it is.
 */
export async function settleWrite<T>(options: SettleOptions<T>): Promise<T> {
  const attempts = options.attempts ?? SETTLE_DEFAULTS.attempts;
  const backoff = { baseDelayMs: options.baseDelayMs ?? SETTLE_DEFAULTS.baseDelayMs, maxDelayMs: options.maxDelayMs ?? SETTLE_DEFAULTS.maxDelayMs };
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  for (let failures = 0; ;) {
    try {
      return await options.write();
    } catch (error) {
      if (!isTransientFailure(error)) throw error;
      await wait(backoffMs(failures, backoff, options.random));
      failures += 1;
      const found = await options.verify?.();
      if (found !== undefined) return found;
      if (failures >= attempts) throw error;
    }
  }
}
