import { describe, expect, it } from 'vitest';
import {
  RETRY_DEFAULTS,
  backoffMs,
  isRetryableStatus,
  isTransientFailure,
  networkErrorCode,
  parseRetryAfter,
  retryDelayMs,
  settleWrite,
} from '../../src/datasources/retry.js';
import { BadUserInputError, UpstreamError } from '../../src/errors.js';

describe('parseRetryAfter', () => {
  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const at = Date.parse(date);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', at)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', at)).toBe(3000);
    expect(parseRetryAfter('0', at)).toBe(0);
  });

  it('reads every HTTP-date form as GMT, relative to now, to the end of the second it names', () => {
    expect(parseRetryAfter(date, at - 5000)).toBe(6000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', at - 7000)).toBe(8000);
    expect(parseRetryAfter('Wed Oct 21 07:28:00 2015', at - 2000)).toBe(3000);
  });

  it('waits out the named second: a server truncates "now + 700 ms" to the current second', () => {
    // The instant meant was at + 700 ms, written as `date`; retrying at `at` would meet the same throttle.
    expect(parseRetryAfter(date, at)).toBe(1000);
    expect(parseRetryAfter(date, at + 300)).toBe(700);
    expect(at + 300 + (parseRetryAfter(date, at + 300) ?? 0)).toBeGreaterThanOrEqual(at + 700);
  });

  it('treats a second already over as now', () => {
    expect(parseRetryAfter(date, at + 1000)).toBe(0);
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

describe('which failures are transient', () => {
  const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });

  it('a lost answer, a server error and an outlasting throttle are; the vendor saying no is not', () => {
    expect(isTransientFailure(new UpstreamError('litmos', 0, 'no response', { retryable: true, cause: socket }))).toBe(true);
    for (const status of [500, 502, 503, 504, 429]) expect(isTransientFailure(new UpstreamError('litmos', status, 'x'))).toBe(true);
    for (const status of [400, 401, 404, 409, 422]) expect(isTransientFailure(new UpstreamError('litmos', status, 'x'))).toBe(false);
  });

  it('a request that could not be sent, an unreadable answer, or a caller mistake is not', () => {
    expect(isTransientFailure(new UpstreamError('litmos', 0, 'could not be sent', { retryable: false }))).toBe(false);
    expect(isTransientFailure(new UpstreamError('litmos', 200, 'bad JSON', { code: 'UPSTREAM_BAD_RESPONSE', retryable: false }))).toBe(false);
    expect(isTransientFailure(new UpstreamError('namely', 409, 'moved while paging', { retryable: true }))).toBe(false);
    expect(isTransientFailure(new BadUserInputError('no username'))).toBe(false);
    expect(isTransientFailure(new Error('plain'))).toBe(false);
  });
});

describe('settleWrite: a write whose outcome is unknown is looked for before it is repeated', () => {
  const serverError = () => new UpstreamError('litmos', 500, 'Request Error');
  const noAnswer = () => new UpstreamError('litmos', 0, 'got no response', { retryable: true });
  const instant = { sleep: async () => {}, random: () => 0.5 };

  /** A fake upstream: each write takes its outcome from `script` (an error, or its result). */
  function upstream(script: (string | UpstreamError | Error)[], found: () => string | undefined = () => undefined) {
    const calls = { writes: 0, looks: 0 };
    return {
      calls,
      write: async () => {
        const next = script[calls.writes++];
        if (next instanceof Error) throw next;
        return next ?? 'made';
      },
      verify: async () => {
        calls.looks += 1;
        return found();
      },
    };
  }

  it('returns the first answer without looking', async () => {
    const u = upstream(['id-1']);
    expect(await settleWrite({ ...u, ...instant })).toBe('id-1');
    expect(u.calls).toEqual({ writes: 1, looks: 0 });
  });

  it('adopts what a failed write made instead of writing again (500 after the effect)', async () => {
    const u = upstream([serverError()], () => 'made-anyway');
    expect(await settleWrite({ ...u, ...instant })).toBe('made-anyway');
    expect(u.calls).toEqual({ writes: 1, looks: 1 });
  });

  it('writes again when the look finds nothing (500 before the effect, or no answer)', async () => {
    const u = upstream([serverError(), noAnswer(), 'id-3']);
    expect(await settleWrite({ ...u, ...instant })).toBe('id-3');
    expect(u.calls).toEqual({ writes: 3, looks: 2 });
  });

  it('throws a permanent failure at once, without looking or repeating', async () => {
    const refused = new UpstreamError('litmos', 400, 'Bad Request');
    const u = upstream([refused]);
    await expect(settleWrite({ ...u, ...instant })).rejects.toBe(refused);
    expect(u.calls).toEqual({ writes: 1, looks: 0 });
  });

  it('gives up after `attempts` writes with the last failure, having looked after each', async () => {
    const last = serverError();
    const u = upstream([serverError(), serverError(), last]);
    await expect(settleWrite({ ...u, ...instant, attempts: 3 })).rejects.toBe(last);
    expect(u.calls).toEqual({ writes: 3, looks: 3 });
  });

  it('repeats an idempotent write with no look', async () => {
    const u = upstream([serverError(), 'ok']);
    expect(await settleWrite({ write: u.write, ...instant })).toBe('ok');
    expect(u.calls).toEqual({ writes: 2, looks: 0 });
  });

  it('backs off before each look, doubling the ceiling (full jitter)', async () => {
    const waits: number[] = [];
    const u = upstream([serverError(), serverError(), serverError(), 'ok']);
    await settleWrite({ ...u, sleep: async (ms) => void waits.push(ms), random: () => 0.5, baseDelayMs: 100, maxDelayMs: 300 });
    expect(waits).toEqual([50, 100, 150]);
  });
});
