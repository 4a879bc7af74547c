/**
 * Progress that tells the truth: a dry run keeps its plan's size, the counts move while a run
 * applies (not zeros until the last event), and a run keeps saying where it is while an upstream
 * call hangs. Real gateway, real sandbox, a syncProgress subscription over graphql-ws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { watchProgress } from '../support/progress.js';
import { getRun, relaxSafeguard, sync } from '../support/sync.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(t: TestGateway): Promise<string> {
  const { startSync } = await t.data<{ startSync: { runId: string } }>(`mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
  return startSync.runId;
}

describe('progress', () => {
  it('keeps a dry run’s plan size', async () => {
    t = await startTestGateway({ employees: 40, seed: 4, quirks: QUIET_FAULTS });
    const run = await sync(t, { dryRun: true });
    const { syncRun } = await t.data<{ syncRun: { progress: { done: number; total: number } } }>(
      `query($id: ID!) { syncRun(id: $id) { progress { done total } } }`,
      { id: run.runId },
    );
    const planned = run.plan?.summary.reduce((sum, kind) => sum + kind.count, 0) ?? 0;
    expect(planned).toBeGreaterThan(0);
    expect(syncRun.progress).toEqual({ done: 0, total: planned });
  });

  it('carries the counts so far while applying, not zeros until the end', async () => {
    // A tight Litmos budget, so the apply takes a few seconds and is seen half-way.
    t = await startTestGateway({ employees: 60, seed: 4, quirks: QUIET_FAULTS, env: { ROSTERGATE_LITMOS_RATE_LIMIT: '40' } });
    await relaxSafeguard(t);
    const runId = await start(t);
    const events = await watchProgress(t.url, ADMIN_TOKEN, runId);
    const halfway = events.filter((event) => event.status === 'APPLYING' && event.done > 0 && event.done < event.total);
    expect(halfway.length).toBeGreaterThan(0);
    expect(halfway.some((event) => event.counts.created > 0)).toBe(true);
    // Counts only grow, and end as the run's.
    const created = events.map((event) => event.counts.created);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(events.at(-1)?.counts.created).toBe((await getRun(t, runId)).counts.created);
  });

  it('keeps publishing while a Litmos call hangs', async () => {
    t = await startTestGateway({ employees: 20, seed: 4, quirks: QUIET_FAULTS });
    await relaxSafeguard(t);
    // One user creation answers only after 6 s; everything else goes through at once.
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify([{ route: 'POST /v1.svc/users', delayMs: 6000 }]) });
    const runId = await start(t);
    const events = await watchProgress(t.url, ADMIN_TOKEN, runId);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
    // While nothing finished, the run still said where it was: the same `done`, published again.
    const applying = events.filter((event) => event.status === 'APPLYING');
    const repeats = applying.filter((event, i) => i > 0 && event.done === applying[i - 1]?.done && event.done < event.total);
    expect(repeats.length).toBeGreaterThan(0);
  });
});
