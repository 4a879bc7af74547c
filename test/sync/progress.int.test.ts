import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';
import { watchProgress } from '../support/progress.js';
import { relaxSafeguard } from '../support/sync.js';

let t: TestGateway;
beforeAll(async () => {
  // Latency makes the run last long enough to be watched while applying.
  t = await startTestGateway({ employees: 60, seed: 9, latencyMs: 5 });
  await relaxSafeguard(t);
});
afterAll(async () => t?.close());

const watch = (runId: string, token = ADMIN_TOKEN) => watchProgress(t.url, token, runId);

describe('syncProgress over graphql-ws', () => {
  it('streams ordered events from the current state to the final status', async () => {
    const { startSync } = await t.data<{ startSync: { runId: string } }>(`mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    const events = await watch(startSync.runId);
    await t.gateway.tenant.engine.idle();

    expect(events.length).toBeGreaterThan(2);
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', phase: 'DONE' });
    const applying = events.filter((e) => e.status === 'APPLYING');
    expect(applying.length).toBeGreaterThan(0);
    expect(applying.every((e) => e.budgetLimit === 100 && e.etaMs !== null)).toBe(true);
    const done = applying.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(events.at(-1)!.done).toBe(events.at(-1)!.total);

    // A client that connects after the end gets the final state at once, then completion.
    const late = await watch(startSync.runId);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ status: 'SUCCEEDED', sequence: events.at(-1)!.sequence });
  });

  it('refuses a connection without a valid token', async () => {
    await expect(watch('00000000-0000-0000-0000-000000000000', 'not-a-token')).rejects.toThrow();
  });

  it('answers an unknown run with NOT_FOUND', async () => {
    await expect(watch('00000000-0000-0000-0000-000000000000')).rejects.toThrow(/NOT_FOUND|no sync run/);
  });
});
