import { expect, it } from 'vitest';
import { newTenant, run, type TestStore } from './fixtures.js';

export interface ConcurrencyCaseContext {
  opened: () => TestStore;
  /** A second store on the same backend: its own connection, as another gateway process would have. */
  open: () => Promise<TestStore>;
}

/** How many attempts each of the two connections makes at once. */
const RACERS = 10;

/** Settles every attempt and sorts them into winners and the errors of the losers. */
async function race<T>(attempts: Promise<T>[]): Promise<{ won: T[]; lost: unknown[] }> {
  const settled = await Promise.allSettled(attempts);
  return {
    won: settled.flatMap((each) => (each.status === 'fulfilled' ? [each.value] : [])),
    lost: settled.flatMap((each) => (each.status === 'rejected' ? [each.reason as unknown] : [])),
  };
}

/** Runs `body` with a second store on the backend, closing it afterwards. */
async function withSecond(open: () => Promise<TestStore>, body: (other: TestStore) => Promise<void>): Promise<void> {
  const other = await open();
  try {
    await body(other);
  } finally {
    await other.close();
  }
}

/**
 * State transitions are compare-and-set on the backend itself, so they hold between processes and
 * not only within one: each case races two stores, each with its own connection.
 */
export function concurrencyCases({ opened, open }: ConcurrencyCaseContext): void {
  it('lets exactly one of many concurrent approvals through, across two connections', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      await s.runs.create(run(tenant, 'held', '2025-03-01T00:00:00.000Z', 'BAMBOOHR', 'AWAITING_APPROVAL'));
      const approve = (store: TestStore, who: string) =>
        store.runs.transition(tenant, 'held', {
          from: ['AWAITING_APPROVAL'],
          patch: { status: 'APPLYING', summary: `approved by ${who}` },
        });
      const attempts = Array.from({ length: RACERS }, (_, n) => [approve(s, `a${n}`), approve(other, `b${n}`)]).flat();
      const { won, lost } = await race(attempts);

      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2 * RACERS - 1);
      for (const error of lost) expect(error).toMatchObject({ code: 'CONFLICT', name: 'ConflictError' });
      expect(await s.runs.get(tenant, 'held')).toEqual(won[0]);
      expect((await other.runs.list(tenant, { status: 'APPLYING', first: 5 })).runs.map((each) => each.id)).toEqual(['held']);
    });
  });

  it('finishes a run exactly once when two connections race to finish it', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      await s.runs.create(run(tenant, 'r1', '2025-03-01T00:00:00.000Z', 'BAMBOOHR', 'APPLYING'));
      const active = ['QUEUED', 'APPLYING'];
      const { won, lost } = await race([
        s.runs.transition(tenant, 'r1', { from: active, patch: { status: 'SUCCEEDED' } }),
        other.runs.transition(tenant, 'r1', { from: active, patch: { status: 'CANCELLED' } }),
        s.runs.transition(tenant, 'r1', { from: active, patch: { status: 'FAILED' } }),
        other.runs.transition(tenant, 'r1', { from: active, patch: { status: 'PARTIAL' } }),
      ]);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(3);
      expect((await s.runs.get(tenant, 'r1'))?.status).toBe(won[0]?.status);
      await expect(s.runs.transition(tenant, 'nope', { from: active, patch: { status: 'FAILED' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  it('never undoes a transition with a concurrent update from another connection', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      await s.runs.create(run(tenant, 'r1', '2025-03-01T00:00:00.000Z', 'BAMBOOHR', 'APPLYING'));
      const progress = Array.from({ length: 2 * RACERS }, async (_, n) => s.runs.update(tenant, 'r1', { summary: `${n} done` }));
      const cancel = other.runs.transition(tenant, 'r1', { from: ['APPLYING'], patch: { status: 'CANCELLED' } });
      await Promise.all([...progress, cancel]);
      const stored = await s.runs.get(tenant, 'r1');
      expect(stored?.status).toBe('CANCELLED');
      expect(stored?.summary).toMatch(/^\d+ done$/);
    });
  });

  it('creates a run id once, and indexes every run, when two connections create at once', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      const same = run(tenant, 'dup', '2025-03-01T00:00:00.000Z');
      const { won, lost } = await race([s.runs.create(same), other.runs.create(same)]);
      expect(won).toHaveLength(1);
      expect(lost).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);

      const created = Array.from({ length: RACERS }, (_, n) => [
        s.runs.create(run(tenant, `a${n}`, `2025-03-02T00:00:0${n}.000Z`)),
        other.runs.create(run(tenant, `b${n}`, `2025-03-02T00:00:0${n}.000Z`)),
      ]).flat();
      await Promise.all(created);
      expect((await s.runs.list(tenant, { first: 100 })).totalCount).toBe(2 * RACERS + 1);
    });
  });

  it('creates one run per source when many starts race across two connections, and a new one once it has ended', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      const active = ['QUEUED', 'APPLYING'];
      const start = (store: TestStore, id: string, source = 'BAMBOOHR') =>
        store.runs.createExclusive(run(tenant, id, '2025-03-01T00:00:00.000Z', source, 'QUEUED'), active);
      const results = await Promise.all(Array.from({ length: RACERS }, (_, n) => [start(s, `a${n}`), start(other, `b${n}`)]).flat());
      const created = results.filter((each) => each.created);
      expect(created).toHaveLength(1);
      const winner = created[0]?.run.id;
      expect(results.map((each) => each.run.id)).toEqual(results.map(() => winner));
      expect((await s.runs.list(tenant, { first: 100 })).runs.map((each) => each.id)).toEqual([winner]);
      // Another source is not held by it.
      expect(await start(other, 'namely-1', 'NAMELY')).toMatchObject({ created: true });
      // Once the run has ended, the next start creates again.
      await s.runs.transition(tenant, winner ?? '', { from: active, patch: { status: 'SUCCEEDED' } });
      expect(await start(other, 'next')).toMatchObject({ created: true, run: { id: 'next' } });
    });
  });

  it('lets exactly one of two connections claim an action, and only a crashed claim be taken over', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      const claim = (store: TestStore, who: string) => store.journal.claim(tenant, 'r1', 'deactivate:L9', { learnerId: 'L9', who });
      const claims = await Promise.all(Array.from({ length: RACERS }, (_, n) => [claim(s, `a${n}`), claim(other, `b${n}`)]).flat());
      const winners = claims.filter((each) => each.claimed);
      expect(winners).toHaveLength(1);
      const holder = winners[0]?.entry;
      for (const loser of claims.filter((each) => !each.claimed)) expect(loser.entry).toEqual(holder);
      // The stored entry is the winner's, not one a loser overwrote.
      expect((await other.journal.getMany(tenant, 'r1', ['deactivate:L9'])).get('deactivate:L9')).toEqual(holder);

      // A STARTED entry is someone's live claim, unless the caller read that very entry before
      // (its own attempt that crashed): then exactly one taker gets it.
      expect((await claim(s, 'late')).claimed).toBe(false);
      const takeovers = await Promise.all([
        s.journal.claim(tenant, 'r1', 'deactivate:L9', { retry: 1 }, { seen: holder }),
        other.journal.claim(tenant, 'r1', 'deactivate:L9', { retry: 2 }, { seen: holder }),
      ]);
      expect(takeovers.filter((each) => each.claimed)).toHaveLength(1);

      // FAILED may be retried by one claimer; DONE is never claimed again.
      await s.journal.fail(tenant, 'r1', 'deactivate:L9', 'litmos: 503');
      const retries = await Promise.all([claim(s, 'retry-a'), claim(other, 'retry-b')]);
      expect(retries.filter((each) => each.claimed)).toHaveLength(1);
      await other.journal.complete(tenant, 'r1', 'deactivate:L9', { learnerId: 'L9' });
      const afterDone = await claim(s, 'again');
      expect(afterDone).toMatchObject({ claimed: false, entry: { state: 'DONE' } });
      await expect(s.journal.begin(tenant, 'r1', 'deactivate:L9', {})).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  it('keeps every schedule when two connections add schedules to one tenant at once, and indexes the tenant once', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      const schedule = (id: string) => ({ id, source: 'BAMBOOHR', cron: '0 3 * * *' });
      await Promise.all(
        Array.from({ length: RACERS }, (_, n) => [s.schedules.put(tenant, schedule(`a${n}`)), other.schedules.put(tenant, schedule(`b${n}`))]).flat(),
      );
      expect((await other.schedules.list(tenant)).map((each) => each.id).sort()).toEqual(
        Array.from({ length: RACERS }, (_, n) => [`a${n}`, `b${n}`])
          .flat()
          .sort(),
      );
      expect((await s.schedules.tenants()).filter((each) => each === tenant)).toEqual([tenant]);
      // Removed once: the other connection's remove of the same schedule finds nothing.
      const removals = await Promise.all([s.schedules.remove(tenant, 'a0'), other.schedules.remove(tenant, 'a0')]);
      expect(removals.filter((each) => each !== null)).toHaveLength(1);
      expect(await s.schedules.get(tenant, 'a0')).toBeNull();
    });
  });

  it('loses no change when two connections change one setting at once, and leaves it alone when told to', async () => {
    await withSecond(open, async (other) => {
      const s = opened();
      const tenant = newTenant();
      const count = (store: TestStore) => store.settings.change<{ n: number }>(tenant, 'counter', (current) => ({ n: (current?.n ?? 0) + 1 }));
      const changes = await Promise.all(Array.from({ length: RACERS }, () => [count(s), count(other)]).flat());
      expect(await other.settings.get(tenant, 'counter')).toEqual({ n: 2 * RACERS });
      // Each change saw the value it replaced: every count from 0 to 2×RACERS−1 exactly once.
      expect(changes.map(({ before }) => before?.n ?? 0).sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * RACERS }, (_, n) => n));
      expect(await s.settings.change(tenant, 'counter', () => undefined)).toEqual({ before: { n: 2 * RACERS }, after: { n: 2 * RACERS } });
    });
  });
}
