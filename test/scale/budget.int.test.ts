/**
 * The rate budget shared across processes: several budgets on one key, each on its own Redis
 * connection as separate gateway or worker processes hold them. The vendor may count a request at
 * any moment between its send and its answer, so the check is the strict one: in no window may more
 * than `limit` requests have been sent or still be awaiting an answer.
 * Needs Redis at 127.0.0.1:6379 (test/support/redis.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RateBudget } from '../../src/datasources/budget.js';
import { budgetKey, createSharedBudget, type SharedBudgetOptions } from '../../src/scale/budget.js';
import type { SharedRedis } from '../../src/scale/redis.js';
import { dropKeys, openTestRedis, testPrefix } from '../support/redis.js';

const prefix = testPrefix();
const connections: SharedRedis[] = [];

/** A connection of its own, as each process has. */
async function process(): Promise<SharedRedis> {
  const redis = await openTestRedis(prefix);
  connections.push(redis);
  return redis;
}

let keys = 0;
/** A budget key no other test uses. */
const freshKey = (): string => budgetKey('litmos', 'http://127.0.0.1:1', `credential-${keys++}`);

/** `count` budgets on one key, one per process. */
async function shared(count: number, options: Omit<SharedBudgetOptions, 'key'>): Promise<RateBudget[]> {
  const key = freshKey();
  return Promise.all(Array.from({ length: count }, async () => createSharedBudget(await process(), { key, ...options })));
}

interface Sent {
  sentAt: number;
  answeredAt: number;
}

/** Sends `requests` through `budget`, `parallel` at a time, each answered after 0–`latencyMs` ms. */
async function drive(budget: RateBudget, requests: number, parallel: number, latencyMs: number, log: Sent[]): Promise<void> {
  let left = requests;
  const lane = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      const ticket = await budget.acquire();
      const sentAt = Date.now();
      await sleep(Math.random() * latencyMs);
      log.push({ sentAt, answeredAt: Date.now() });
      ticket.settle();
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

/** The most requests the vendor could have counted in one window: those sent by t and not answered before t − window. */
function busiestWindow(log: readonly Sent[], windowMs: number): number {
  return Math.max(...log.map(({ sentAt: t }) => log.filter((r) => r.sentAt <= t && r.answeredAt > t - windowMs).length));
}

beforeAll(async () => {
  await process();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  const [first] = connections;
  if (first) await dropKeys(first);
  await Promise.all(connections.map((redis) => redis.close().catch(() => undefined)));
});

describe('a budget shared by three processes', () => {
  it('never lets the three together exceed the limit in any window, however the vendor counts', async () => {
    const windowMs = 400;
    const limit = 8;
    const budgets = await shared(3, { limit, windowMs });
    const log: Sent[] = [];
    await Promise.all(budgets.map((budget) => drive(budget, 3 * limit, 4, 30, log)));
    expect(log).toHaveLength(9 * limit);
    expect(busiestWindow(log, windowMs)).toBeLessThanOrEqual(limit);
  });

  it('spends at least 0.85 of the budget between them while work is queued', async () => {
    // The ratio is what the issue asks of three workers on one Litmos account; the ceiling is
    // window / (window + margin) ≈ 0.95, the margin being the safety every request pays.
    const windowMs = 1_000;
    const limit = 12;
    const budgets = await shared(3, { limit, windowMs });
    const log: Sent[] = [];
    const started = Date.now();
    // 4 windows' worth: one burst at once, then three windows the budget alone paces.
    await Promise.all(budgets.map((budget) => drive(budget, (4 * limit) / 3, 3, 5, log)));
    const lastSent = Math.max(...log.map((r) => r.sentAt));
    const paced = log.length - limit;
    const ratio = paced / ((lastSent - started) / windowMs) / limit;
    expect(ratio).toBeGreaterThanOrEqual(0.85);
    expect(busiestWindow(log, windowMs)).toBeLessThanOrEqual(limit);
  });

  it('keeps different credentials apart: one spent budget does not slow another', async () => {
    const [spent] = await shared(1, { limit: 2, windowMs: 60_000 });
    const [other] = await shared(1, { limit: 2, windowMs: 60_000 });
    await spent!.acquire();
    await spent!.acquire();
    const waiting = spent!.acquire(AbortSignal.timeout(200));
    // Admitted at once, while the spent budget's next caller waits a minute.
    await expect(other!.acquire(AbortSignal.timeout(2_000))).resolves.toBeDefined();
    await expect(waiting).rejects.toThrow();
  });

  it("pauses every process on one process's Retry-After", async () => {
    const [throttled, bystander] = await shared(2, { limit: 50, windowMs: 1_000 });
    const until = Date.now() + 600;
    throttled!.penalize(until);
    await vi.waitFor(() => expect(bystander!.state().nextSlotAt).toBeGreaterThan(Date.now()), { timeout: 3_000, interval: 50 });
    await bystander!.acquire();
    // Redis's clock and ours are the same clock here; the tolerance is the round trip's rounding.
    expect(Date.now()).toBeGreaterThanOrEqual(until - 5);
  });

  it('frees the slots of a process that died holding them once their lease lapses', async () => {
    const key = freshKey();
    const dying = await openTestRedis(prefix);
    const leaseMs = 300;
    const doomed = createSharedBudget(dying, { key, limit: 2, windowMs: 200, leaseMs });
    await doomed.acquire();
    await doomed.acquire();
    // The process stops: its tickets are never settled and their leases never renewed.
    await dying.close();
    const survivor = createSharedBudget(await process(), { key, limit: 2, windowMs: 200, leaseMs });
    const before = Date.now();
    await survivor.acquire(AbortSignal.timeout(5_000));
    // Not before the lease lapsed: until then the dead process's requests might still be counted.
    expect(Date.now() - before).toBeGreaterThanOrEqual(leaseMs - 50);
  });

  it('keeps the slots of a slow request held beyond its lease while its process lives', async () => {
    const [slow, other] = await shared(2, { limit: 1, windowMs: 100, leaseMs: 150 });
    const ticket = await slow!.acquire();
    // Several leases long: the holder renews it, so the other process must still wait.
    const waiting = other!.acquire(AbortSignal.timeout(700));
    await expect(waiting).rejects.toThrow();
    ticket.settle();
    await expect(other!.acquire(AbortSignal.timeout(2_000))).resolves.toBeDefined();
  });

  it('lets a caller give up waiting, with the reason it gave, and serves the next in line', async () => {
    const [budget] = await shared(1, { limit: 1, windowMs: 300 });
    const first = await budget!.acquire();
    const controller = new AbortController();
    const givingUp = budget!.acquire(controller.signal);
    const next = budget!.acquire(AbortSignal.timeout(5_000));
    controller.abort(new Error('the run was cancelled'));
    first.settle();
    await expect(givingUp).rejects.toThrow('the run was cancelled');
    await expect(next).resolves.toBeDefined();
    const gone = new AbortController();
    gone.abort(new Error('already cancelled'));
    await expect(budget!.acquire(gone.signal)).rejects.toThrow('already cancelled');
  });

  it("reports the other processes' use in state() and an estimate for what is left", async () => {
    const [user, watcher] = await shared(2, { limit: 5, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await user!.acquire();
    await vi.waitFor(() => expect(watcher!.state()).toMatchObject({ used: 3, remaining: 2, limit: 5 }), { timeout: 3_000, interval: 50 });
    // Two fit now; the third waits for a held slot to be answered and a window to pass.
    expect(watcher!.state().etaMs(2)).toBe(0);
    expect(watcher!.state().etaMs(3)).toBeGreaterThanOrEqual(60_000);
  });

  it('fails waiting callers with the connection error when Redis is gone, instead of leaving them hanging', async () => {
    const lost = await openTestRedis(prefix);
    const budget = createSharedBudget(lost, { key: freshKey(), limit: 5, windowMs: 1_000 });
    await lost.close();
    await expect(budget.acquire(AbortSignal.timeout(10_000))).rejects.toThrow(/Connection is closed|closed/i);
  });
});

describe('budget keys', () => {
  it('name the system but never hold the credential', () => {
    const key = budgetKey('litmos', 'https://api.litmos.com/v1.svc/', 'secret-api-key');
    expect(key).toMatch(/^litmos:[0-9a-f]{24}$/);
    expect(key).not.toContain('secret');
    // A trailing slash is the same upstream; another credential is another budget.
    expect(budgetKey('litmos', 'https://api.litmos.com/v1.svc', 'secret-api-key')).toBe(key);
    expect(budgetKey('litmos', 'https://api.litmos.com/v1.svc', 'other-key')).not.toBe(key);
  });
});
