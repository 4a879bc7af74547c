import { expect, it } from 'vitest';
import { link, newTenant, records, run, type TestRecord, type TestStore } from './fixtures.js';

/** Runs, run records, the apply journal and identity links. */
export function stateCases(opened: () => TestStore): void {
  it('lists runs newest first, filtered, in cursor pages', async () => {
    const s = opened();
    const tenant = newTenant();
    // Created out of order, with two runs sharing one instant (then the higher id is newer).
    const created = [
      run(tenant, 'r3', '2025-03-03T00:00:00.000Z'),
      run(tenant, 'r1', '2025-03-01T00:00:00.000Z', 'NAMELY'),
      run(tenant, 'r5b', '2025-03-05T00:00:00.000Z', 'BAMBOOHR', 'APPLYING'),
      run(tenant, 'r2', '2025-03-02T00:00:00.000Z', 'BAMBOOHR', 'FAILED'),
      run(tenant, 'r5a', '2025-03-05T00:00:00.000Z', 'NAMELY', 'PLANNED'),
      run(tenant, 'r4', '2025-03-04T00:00:00.000Z'),
    ];
    for (const each of created) await s.runs.create(each);

    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await s.runs.list(tenant, { first: 4, after });
      expect(page.totalCount).toBe(6);
      ids.push(...page.runs.map((each) => each.id));
      pages += 1;
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(ids).toEqual(['r5b', 'r5a', 'r4', 'r3', 'r2', 'r1']);
    expect(pages).toBe(2);

    const bamboo = await s.runs.list(tenant, { source: 'BAMBOOHR', first: 2 });
    expect(bamboo.runs.map((each) => each.id)).toEqual(['r5b', 'r4']);
    expect(bamboo).toMatchObject({ totalCount: 4, hasNextPage: true });
    const rest = await s.runs.list(tenant, { source: 'BAMBOOHR', first: 2, after: bamboo.endCursor });
    expect(rest.runs.map((each) => each.id)).toEqual(['r3', 'r2']);
    expect(rest.hasNextPage).toBe(false);

    const done = await s.runs.list(tenant, { status: 'DONE', first: 10 });
    expect(done.runs.map((each) => each.id)).toEqual(['r4', 'r3', 'r1']);

    const empty = await s.runs.list(tenant, { source: 'NAMELY', status: 'QUEUED', first: 10 });
    expect(empty).toEqual({ runs: [], totalCount: 0, hasNextPage: false, endCursor: null });
  });

  it('updates runs and finds the active one', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.runs.create(run(tenant, 'old', '2025-03-01T00:00:00.000Z', 'BAMBOOHR', 'APPLYING'));
    await s.runs.create(run(tenant, 'new', '2025-03-02T00:00:00.000Z', 'BAMBOOHR', 'PLANNED'));
    await s.runs.create(run(tenant, 'other', '2025-03-03T00:00:00.000Z', 'NAMELY', 'PLANNED'));
    const active = ['PLANNED', 'APPLYING'];

    expect((await s.runs.findActive(tenant, 'BAMBOOHR', active))?.id).toBe('new');
    const updated = await s.runs.update(tenant, 'new', { status: 'DONE', summary: '3 created' });
    expect(updated).toEqual({ ...run(tenant, 'new', '2025-03-02T00:00:00.000Z'), summary: '3 created' });
    expect(await s.runs.get(tenant, 'new')).toEqual(updated);
    expect((await s.runs.findActive(tenant, 'BAMBOOHR', active))?.id).toBe('old');
    await s.runs.update(tenant, 'old', { status: 'FAILED' });
    expect(await s.runs.findActive(tenant, 'BAMBOOHR', active)).toBeNull();
    expect((await s.runs.list(tenant, { status: 'DONE', first: 5 })).runs.map((each) => each.id)).toEqual(['new']);
  });

  it('refuses duplicate runs, unknown runs and foreign cursors with their error codes', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.runs.create(run(tenant, 'r1', '2025-03-01T00:00:00.000Z'));
    await expect(s.runs.create(run(tenant, 'r1', '2025-03-02T00:00:00.000Z'))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(s.runs.update(tenant, 'nope', { status: 'DONE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await s.records.append(tenant, 'r1', records(2));
    const recordCursor = (await s.records.list(tenant, 'r1', { first: 1 })).endCursor;
    expect(recordCursor).not.toBeNull();
    await expect(s.runs.list(tenant, { first: 1, after: recordCursor })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(s.runs.list(tenant, { first: -1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('appends 2,000 records in batches and pages them, filtered and not', async () => {
    const s = opened();
    const tenant = newTenant();
    const all = records(2_000);
    // Batches of 300 straddle the 500-record chunks.
    let count = 0;
    for (let start = 0; start < all.length; start += 300) {
      count = await s.records.append(tenant, 'big', all.slice(start, start + 300));
    }
    expect(count).toBe(2_000);
    expect(await s.records.all(tenant, 'big')).toEqual(all);

    const unfiltered: TestRecord[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await s.records.list(tenant, 'big', { first: 333, after });
      expect(page.totalCount).toBe(2_000);
      unfiltered.push(...page.records);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(unfiltered).toEqual(all);

    const failed = all.filter((record) => record.outcome === 'FAILED');
    const pagedFailed: TestRecord[] = [];
    after = null;
    for (;;) {
      const page = await s.records.list(tenant, 'big', { outcome: 'FAILED', first: 50, after });
      expect(page.totalCount).toBe(failed.length);
      pagedFailed.push(...page.records);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pagedFailed).toEqual(failed);

    const none = await s.records.list(tenant, 'big', { outcome: 'SKIPPED', first: 10 });
    expect(none).toEqual({ records: [], totalCount: 0, hasNextPage: false, endCursor: null });
    const zero = await s.records.list(tenant, 'big', { first: 0 });
    expect(zero).toMatchObject({ records: [], totalCount: 2_000, hasNextPage: true });
  });

  it('journals actions through begin, complete and fail', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.journal.begin(tenant, 'r1', 'create:BAMBOOHR:1', { userName: 'ann' });
    await s.journal.begin(tenant, 'r1', 'deactivate:L9', { learnerId: 'L9' });
    await s.journal.begin(tenant, 'r1', 'update:L2', { title: 'Chef' });
    await s.journal.complete(tenant, 'r1', 'create:BAMBOOHR:1', { learnerId: 'L1' });
    await s.journal.fail(tenant, 'r1', 'deactivate:L9', 'litmos: 404 learner not found');

    const entries = await s.journal.getMany(tenant, 'r1', ['create:BAMBOOHR:1', 'deactivate:L9', 'update:L2', 'never:begun']);
    expect([...entries.keys()]).toEqual(['create:BAMBOOHR:1', 'deactivate:L9', 'update:L2']);
    expect(entries.get('create:BAMBOOHR:1')).toMatchObject({
      state: 'DONE',
      intent: { userName: 'ann' },
      result: { learnerId: 'L1' },
    });
    expect(entries.get('deactivate:L9')).toMatchObject({ state: 'FAILED', error: 'litmos: 404 learner not found' });
    expect(entries.get('update:L2')).toMatchObject({ state: 'STARTED', intent: { title: 'Chef' } });
    expect(Number.isNaN(Date.parse(entries.get('update:L2')?.at ?? ''))).toBe(false);

    await expect(s.journal.begin(tenant, 'r1', 'create:BAMBOOHR:1', {})).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(s.journal.complete(tenant, 'r1', 'never:begun', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A failed action may be retried.
    await s.journal.begin(tenant, 'r1', 'deactivate:L9', { learnerId: 'L9' });
    expect((await s.journal.getMany(tenant, 'r1', ['deactivate:L9'])).get('deactivate:L9')?.state).toBe('STARTED');
    expect((await s.journal.getMany(tenant, 'r2', ['create:BAMBOOHR:1'])).size).toBe(0);
  });

  it('finds links by employee and by learner, following a relink', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.links.put(tenant, link('BAMBOOHR', '101', 'L1'));
    await s.links.put(tenant, link('NAMELY', 'f2c1e7a4-0000-4000-8000-000000000001', 'L1'));
    await s.links.put(tenant, link('BAMBOOHR', '9', 'L2'));
    await s.links.put(tenant, link('BAMBOOHR', 'a:b', 'L3'));
    for (const sourceId of ['10', '0', '010', '99']) await s.links.put(tenant, link('BAMBOOHR', sourceId, `L${sourceId}`));

    expect(await s.links.get(tenant, 'BAMBOOHR', '101')).toEqual(link('BAMBOOHR', '101', 'L1'));
    expect(await s.links.get(tenant, 'NAMELY', '101')).toBeNull();
    expect(await s.links.get(tenant, 'BAMBOOHR', 'a:b')).toEqual(link('BAMBOOHR', 'a:b', 'L3'));
    const byL1 = await s.links.findByLearner(tenant, 'L1');
    expect(byL1.map((each) => `${each.source}:${each.sourceId}`).sort()).toEqual(['BAMBOOHR:101', 'NAMELY:f2c1e7a4-0000-4000-8000-000000000001']);

    await s.links.put(tenant, { ...link('BAMBOOHR', '101', 'L4'), matchedBy: 'USERNAME' });
    expect((await s.links.findByLearner(tenant, 'L1')).map((each) => each.source)).toEqual(['NAMELY']);
    expect(await s.links.findByLearner(tenant, 'L4')).toEqual([{ ...link('BAMBOOHR', '101', 'L4'), matchedBy: 'USERNAME' }]);
    // Numeric ids by value, as a numeric collation orders them, whatever else is among them.
    const ids = (await s.links.list(tenant, 'BAMBOOHR')).map((each) => each.sourceId);
    expect(ids).toEqual([...ids].sort(new Intl.Collator('en', { numeric: true }).compare));
    expect(ids.filter((id) => !['0', '010'].includes(id))).toEqual(['9', '10', '99', '101', 'a:b']);
    expect(await s.links.list(tenant)).toHaveLength(8);
  });
}
