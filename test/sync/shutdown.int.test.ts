/**
 * Stopping the gateway (SIGTERM, a deploy) in the middle of a sync pauses the run rather than
 * cancelling it: the actions in flight finish, the run stays APPLYING, and the next start on the same
 * store resumes it from the journal — every eligible employee once, nobody twice. Real gateways over
 * HTTP on one SQLite file, one sandbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, QUIET_FAULTS, startTestGateway, startTestSandbox, type TestGateway } from '../support/gateway.js';
import { watchProgress } from '../support/progress.js';
import { getRun, relaxSafeguard } from '../support/sync.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';

const dir = mkdtempSync(join(tmpdir(), 'rostergate-shutdown-'));
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a gateway stopped mid-sync', () => {
  it('pauses the run, and the next start finishes it without doing anything twice', async () => {
    const sandbox = await startTestSandbox({ employees: 60, seed: 9, quirks: QUIET_FAULTS, rateWindowMs: 1000 });
    opened.push(sandbox);
    // One store for both gateways; a tight Litmos budget so the first is stopped half-way.
    const env = {
      ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
      ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
      ROSTERGATE_LITMOS_RATE_LIMIT: '30',
    };
    const first: TestGateway = await startTestGateway({ sandbox, env });
    await relaxSafeguard(first);
    const { startSync } = await first.data<{ startSync: { runId: string } }>(`mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    await watchProgress(first.url, ADMIN_TOKEN, startSync.runId, { until: (event) => event.status === 'APPLYING' && event.done >= 10 });
    await first.close();

    // The next start resumes it: a cancelled run would stay CANCELLED.
    const second = await startTestGateway({ sandbox, env });
    opened.push(second);
    await second.gateway.tenant.engine.idle();
    const run = await getRun(second, startSync.runId);
    expect(run.status, 'stopping is not cancelling').toBe('SUCCEEDED');
    expect(run.records.nodes.length, 'one report line per employee, not two').toBe(new Set(run.records.nodes.map((r) => r.employeeSourceId)).size);
    await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, second.today);
  }, 60_000);
});
