import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createRollingBudget, defaultMarginMs, type RateBudget } from '../../src/datasources/budget.js';

/** One request answered instantly: admitted and settled at the same clock reading. */
async function send(budget: RateBudget): Promise<void> {
  (await budget.acquire()).settle();
}

describe('rolling budget arithmetic (injected clock)', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('admits up to the limit at once, then holds the next slot for window + margin after the oldest', async () => {
    const budget = createRollingBudget({ limit: 3, windowMs: 1000, marginMs: 20, now });
    expect(budget.state()).toMatchObject({ limit: 3, windowMs: 1000, used: 0, remaining: 3, nextSlotAt: clock });

    await send(budget);
    clock += 100;
    await send(budget);
    await send(budget);
    expect(budget.state()).toMatchObject({ used: 3, remaining: 0, nextSlotAt: 1_000_000 + 1020, queued: 0 });
  });

  it('frees a slot exactly when the oldest answer is window + margin old, not a millisecond before', async () => {
    const budget = createRollingBudget({ limit: 2, windowMs: 500, marginMs: 10, now });
    await send(budget);
    await send(budget);
    clock += 509;
    expect(budget.state()).toMatchObject({ used: 2, remaining: 0 });
    clock += 1;
    expect(budget.state()).toMatchObject({ used: 0, remaining: 2, nextSlotAt: clock });
  });

  it('rolls: the slot frees with the limit-th most recent answer, not the whole window', async () => {
    const budget = createRollingBudget({ limit: 2, windowMs: 100, marginMs: 0, now });
    await send(budget); // t0
    clock += 60;
    await send(budget); // t0 + 60
    clock += 50; // t0 + 110: the first has left, the second has not
    expect(budget.state()).toMatchObject({ used: 1, remaining: 1 });
    await send(budget);
    expect(budget.state()).toMatchObject({ used: 2, remaining: 0, nextSlotAt: 1_000_000 + 160 });
  });

  it('a request awaiting its answer holds its slot, and ages from its answer, not its send', async () => {
    const budget = createRollingBudget({ limit: 1, windowMs: 100, marginMs: 0, now });
    const ticket = await budget.acquire(); // sent at t0
    clock += 500;
    expect(budget.state()).toMatchObject({ used: 1, remaining: 0, nextSlotAt: clock + 100 });
    ticket.settle(); // answered at t0 + 500: the vendor may have counted it that late
    ticket.settle();
    clock += 99;
    expect(budget.state()).toMatchObject({ used: 1, remaining: 0, nextSlotAt: 1_000_000 + 600 });
    clock += 1;
    expect(budget.state()).toMatchObject({ used: 0, remaining: 1 });
  });

  it('a penalty holds every slot until it ends, and a shorter one does not cut it', async () => {
    const budget = createRollingBudget({ limit: 5, windowMs: 1000, marginMs: 0, now });
    await send(budget);
    budget.penalize(clock + 3000);
    budget.penalize(clock + 1000);
    expect(budget.state()).toMatchObject({ used: 1, remaining: 0, nextSlotAt: clock + 3000 });
    clock += 3000;
    expect(budget.state()).toMatchObject({ used: 0, remaining: 5, nextSlotAt: clock });
  });

  it('etaMs replays the window: limit per window, from the current answers on', async () => {
    const budget = createRollingBudget({ limit: 3, windowMs: 100, marginMs: 0, now });
    const fresh = budget.state();
    expect([0, 1, 3, 4, 6, 7, 9, 10].map((n) => fresh.etaMs(n))).toEqual([0, 0, 0, 100, 100, 200, 200, 300]);

    await send(budget);
    clock += 40;
    await send(budget);
    // Answered at −40 and 0, and the first new one at 0 fills the window; the next waits for −40 to
    // leave (+60), then two for the pair at 0 (+100), then for the one at +60 (+160).
    expect([1, 2, 3, 4, 5].map((n) => budget.state().etaMs(n))).toEqual([0, 60, 100, 100, 160]);
  });

  it('etaMs counts requests in flight as answered now, and starts after a penalty', async () => {
    const budget = createRollingBudget({ limit: 2, windowMs: 100, marginMs: 0, now });
    await budget.acquire();
    await budget.acquire();
    expect([1, 2, 3].map((n) => budget.state().etaMs(n))).toEqual([100, 100, 200]);

    const idle = createRollingBudget({ limit: 2, windowMs: 100, marginMs: 0, now });
    idle.penalize(clock + 500);
    const state = idle.state();
    expect([1, 2, 3].map((n) => state.etaMs(n))).toEqual([500, 500, 600]);
  });

  it('defaults the margin to 50 ms, or 2% of a long window', async () => {
    expect(defaultMarginMs(500)).toBe(50);
    expect(defaultMarginMs(60_000)).toBe(1200);
    const budget = createRollingBudget({ limit: 1, windowMs: 60_000, now });
    await send(budget);
    expect(budget.state().nextSlotAt).toBe(clock + 61_200);
  });

  it('rejects limits that cannot pace anything, naming the value received', () => {
    expect(() => createRollingBudget({ limit: 0, windowMs: 1000 })).toThrow(ConfigError);
    expect(() => createRollingBudget({ limit: 1.5, windowMs: 1000 })).toThrow(/received 1.5/);
    expect(() => createRollingBudget({ limit: 1, windowMs: 0 })).toThrow(/windowMs .* received 0/);
    expect(() => createRollingBudget({ limit: 1, windowMs: 10, marginMs: -1 })).toThrow(/marginMs .* received -1/);
  });
});

describe('rolling budget waiters', () => {
  let clock: number;
  const now = () => clock;
  /** Moves the injected clock and the timers together, as real time would. */
  const advance = async (ms: number) => {
    clock += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves waiters in order as slots free, and counts them as queued meanwhile', async () => {
    const budget = createRollingBudget({ limit: 2, windowMs: 100, marginMs: 0, now });
    const admitted: number[] = [];
    const all = [1, 2, 3, 4, 5].map((n) =>
      budget.acquire().then((ticket) => {
        admitted.push(n);
        ticket.settle();
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual([1, 2]);
    expect(budget.state()).toMatchObject({ queued: 3, remaining: 0 });

    await advance(99);
    expect(admitted).toEqual([1, 2]);
    await advance(1);
    expect(admitted).toEqual([1, 2, 3, 4]);
    await advance(100);
    await Promise.all(all);
    expect(admitted).toEqual([1, 2, 3, 4, 5]);
    expect(budget.state()).toMatchObject({ queued: 0 });
  });

  it('a waiter blocked only by unanswered requests is admitted a window after their answer', async () => {
    const budget = createRollingBudget({ limit: 1, windowMs: 100, marginMs: 0, now });
    const first = await budget.acquire();
    let admitted = false;
    const waiting = budget.acquire().then(() => (admitted = true));
    await advance(1000);
    expect(admitted).toBe(false);
    first.settle();
    await advance(99);
    expect(admitted).toBe(false);
    await advance(1);
    await waiting;
    expect(admitted).toBe(true);
  });

  it('a penalty arriving while callers wait pauses them until it ends', async () => {
    const budget = createRollingBudget({ limit: 1, windowMs: 100, marginMs: 0, now });
    await send(budget);
    let admitted = false;
    const waiting = budget.acquire().then(() => (admitted = true));
    budget.penalize(clock + 1000);
    await advance(999);
    expect(admitted).toBe(false);
    await advance(1);
    await waiting;
    expect(admitted).toBe(true);
  });

  it('an aborted waiter leaves the queue with the signal reason and gives its turn to the next', async () => {
    const budget = createRollingBudget({ limit: 1, windowMs: 100, marginMs: 0, now });
    await send(budget);
    const controller = new AbortController();
    const aborted = budget.acquire(controller.signal);
    const next = budget.acquire();
    controller.abort(new Error('caller went away'));
    await expect(aborted).rejects.toThrow('caller went away');
    expect(budget.state().queued).toBe(1);
    await advance(100);
    (await next).settle();
    expect(budget.state()).toMatchObject({ queued: 0, used: 1 });
  });

  it('an already aborted signal is refused without taking a slot', async () => {
    const budget = createRollingBudget({ limit: 1, windowMs: 100, marginMs: 0, now });
    await expect(budget.acquire(AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(budget.state()).toMatchObject({ used: 0, remaining: 1 });
  });
});
