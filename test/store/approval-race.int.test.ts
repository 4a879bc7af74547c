/**
 * The finding this guards: twenty concurrent approvals of a run held by the safeguard, on a shared
 * Redis store, were all accepted and the deactivations sent five or six times. Two gateways (two
 * processes' worth of engine and store) share one Redis prefix and one sandbox and race to approve.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { bamboohr, eligiblePeople } from '../support/upstreams.js';

const REDIS = '127.0.0.1:6379';
const open: TestGateway[] = [];
let prefix = '';

afterEach(async () => {
  for (const gateway of open.splice(0)) await gateway.close();
  const client = createClient({ url: `redis://${REDIS}` });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
});

interface RouteStats {
  routes: Record<string, { statuses: Record<string, number> }>;
}

/**
 * Learner updates Litmos accepted: one per deactivated learner when the run is applied once (before
 * the fix, 72 for 6 learners). Throttled attempts (503) are left out: the client retries those.
 */
function deactivations(stats: RouteStats): number {
  return Object.entries(stats.routes)
    .filter(([route]) => route.startsWith('PUT '))
    .reduce((sum, [, route]) => sum + (route.statuses['200'] ?? 0), 0);
}

describe('approving a held run on a shared Redis store', () => {
  it('accepts exactly one of twenty concurrent approvals from two gateways and deactivates once', async () => {
    prefix = `rg-race-${randomBytes(6).toString('hex')}`;
    const env = {
      ROSTERGATE_STORE_URL: `redis://${REDIS}?prefix=${prefix}`,
      ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    };
    // Counts exact upstream requests, so the sandbox's random faults are off here (format quirks stay on); faults are tested in transient.int and the property suite.
    const first = await startTestGateway({ employees: 80, seed: 5, env, quirks: QUIET_FAULTS });
    open.push(first);
    await relaxSafeguard(first);
    await sync(first);
    await first.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 20, maxDeactivations: 3 } }) { source } }`);
    const victims = eligiblePeople(first.sandbox.companies.bamboohr, first.today).slice(0, 6);
    for (const person of victims) await bamboohr(first.sandbox).update(person.id, { customLitmosAccess: 'no' });
    const held = await sync(first);
    expect(held.status).toBe('AWAITING_APPROVAL');

    const second = await startTestGateway({ sandbox: first.sandbox, env });
    open.push(second);
    await first.resetStats();
    const engines = [first.gateway.tenant.engine, second.gateway.tenant.engine];
    const [one, other] = [first.gateway.tenant.engine, second.gateway.tenant.engine];
    const attempts = Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? one : other).approve(held.runId, `admin-${n}`));
    const settled = await Promise.allSettled(attempts);
    await Promise.all(engines.map(async (engine) => engine.idle()));

    const accepted = settled.filter((each) => each.status === 'fulfilled');
    const refused = settled.flatMap((each) => (each.status === 'rejected' ? [each.reason as unknown] : []));
    expect(accepted).toHaveLength(1);
    for (const error of refused) expect(error).toMatchObject({ code: 'CONFLICT' });
    const litmos = (await (await fetch(`${first.sandbox.litmos.url}/__sandbox/stats`)).json()) as RouteStats;
    expect(deactivations(litmos)).toBe(victims.length);
    expect((await first.gateway.tenant.engine.get(held.runId))?.status).toBe('SUCCEEDED');
  });
});
