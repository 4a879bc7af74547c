import { describe, expect, it } from 'vitest';
import {
  RETRY_DEFAULTS,
  backoffMs,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  retryDelayMs,
} from '../../src/datasources/retry.js';

describe('parseRetryAfter', () => {
  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const at = Date.parse(date);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', at)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', at)).toBe(3000);
    expect(parseRetryAfter('0', at)).toBe(0);
  });

  it('reads every HTTP-date form as GMT, relative to now', () => {
    expect(parseRetryAfter(date, at - 5000)).toBe(5000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', at - 7000)).toBe(7000);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', at - 2000)).toBe(2000);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter(date, at + 60_000)).toBe(0);
  });

  it('returns undefined for an absent or malformed header', () => {
    for (const value of [undefined, '', 'soon', '-1', '1.5', '2015-10-21T07:28:00Z', 'Wed, 99 Foo 2015']) {
      expect(parseRetryAfter(value, at)).toBeUndefined();
    }
  });
});

describe('backoff', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the ceiling with each retry and caps it', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffMs(retry, options, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('spreads uniformly from zero (full jitter)', () => {
    expect(backoffMs(3, options, () => 0)).toBe(0);
    expect(backoffMs(3, options, () => 0.5)).toBe(400);
  });

  it("prefers the server's Retry-After, capped", () => {
    const retry = { ...RETRY_DEFAULTS, maxRetryAfterMs: 30_000 };
    expect(retryDelayMs(0, 5000, retry, () => 0.5)).toBe(5000);
    expect(retryDelayMs(0, 3_600_000, retry, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, undefined, retry, () => 0.5)).toBe(500);
  });
});

describe('what is retried', () => {
  it('repeats refusals for any method, other 5xx only when idempotent, never 4xx', () => {
    const statuses = [400, 401, 404, 409, 422, 429, 500, 502, 503, 504];
    expect(statuses.filter((s) => isRetryableStatus(s, true))).toEqual([429, 500, 502, 503, 504]);
    expect(statuses.filter((s) => isRetryableStatus(s, false))).toEqual([429, 503]);
  });

  it('recognises connection failures by code and nothing else', () => {
    expect(networkErrorCode(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe('UND_ERR_SOCKET');
    expect(networkErrorCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(Object.assign(new Error('bad header'), { code: 'UND_ERR_INVALID_ARG' }))).toBeUndefined();
    expect(networkErrorCode(new Error('plain'))).toBeUndefined();
    expect(networkErrorCode('ECONNRESET')).toBeUndefined();
  });
});
