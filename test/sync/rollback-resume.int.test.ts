/**
 * A rollback is a run like any other: the gateway killed (SIGKILL) while it applies, the next one on the
 * same store resumes it from the journal and writes nothing twice. The run rolled back is a whole initial
 * sync, so the rollback also restores the seeded users it linked and updated to what Litmos held before
 * (title, phones and address included: the journal keeps what each update replaced). Injected faults are
 * off here because the test counts exact writes (transient faults are tested in transient.int).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningSandbox } from '@rostergate/sandbox';
import { withoutNamely } from '../connections/support.js';
import { QUIET_FAULTS, startTestSandbox } from '../support/gateway.js';
import { litmosState } from '../support/litmos-state.js';
import { graphqlAs, serveProcess } from '../support/process.js';
import { progressUntil } from '../support/progress.js';
import { writes } from '../support/sync.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';

const TOKEN = 'rollback-resume-admin-token-0123456789';
let sandbox: RunningSandbox;
let dir: string;
let env: Record<string, string>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 200, seed: 21, rateWindowMs: 1000, latencyMs: 15, quirks: QUIET_FAULTS });
  dir = await mkdtemp(join(tmpdir(), 'rostergate-rollback-resume-'));
  env = {
    ROSTERGATE_PORT: '0',
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ...withoutNamely(sandbox),
  };
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

const gql = graphqlAs(TOKEN);

interface PlanView {
  syncRun: { status: string; counts: Record<string, number>; plan: { summary: { kind: string; count: number }[] } };
}

it('a rollback killed mid-apply resumes after restart, writing nothing twice, and leaves Litmos as before the run', async () => {
  const before = await litmosState(sandbox);
  const first = await serveProcess(env, children);
  await gql(
    first.url,
    `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`,
  );
  const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
  expect((await progressUntil(first.url, TOKEN, startSync.runId)).status).toBe('SUCCEEDED');
  const today = sandbox.companies.bamboohr.today;
  await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, today);

  sandbox.litmos.resetStats();
  const { rollbackSyncRun } = await gql<{ rollbackSyncRun: { runId: string } }>(first.url, `mutation($id: ID!) { rollbackSyncRun(id: $id) { runId } }`, {
    id: startSync.runId,
  });
  await progressUntil(first.url, TOKEN, rollbackSyncRun.runId, { until: (event) => event.status === 'APPLYING' && event.done >= 15 });
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const second = await serveProcess(env, children);
  expect((await progressUntil(second.url, TOKEN, rollbackSyncRun.runId)).status).toBe('SUCCEEDED');
  const { syncRun } = await gql<PlanView>(
    second.url,
    `query($id: ID!) { syncRun(id: $id) { status counts { created deactivated reactivated updated failed } plan { summary { kind count } } } }`,
    {
      id: rollbackSyncRun.runId,
    },
  );
  second.child.kill('SIGTERM');

  // One PUT per learner write of the plan, one DELETE per team removal: none repeated across the crash.
  const planned = Object.fromEntries(syncRun.plan.summary.map(({ kind, count }) => [kind, count]));
  const learnerWrites = (planned.UPDATE_LEARNER ?? 0) + (planned.REACTIVATE_LEARNER ?? 0) + (planned.DEACTIVATE_LEARNER ?? 0);
  const counted = writes(sandbox.litmos.stats());
  expect(learnerWrites).toBeGreaterThan(15);
  expect(counted['PUT /v1.svc/users/:id']).toBe(learnerWrites);
  expect(counted['DELETE /v1.svc/teams/:id/users/:userId'] ?? 0).toBe(planned.REMOVE_FROM_TEAM ?? 0);
  expect(syncRun.counts.failed).toBe(0);

  // As before the initial sync, but every learner it created is there, inactive.
  const after = await litmosState(sandbox);
  const created = [...after.keys()].filter((id) => !before.has(id));
  expect(created.length).toBeGreaterThan(0);
  for (const id of created) expect(after.get(id)?.profile, id).toMatchObject({ Active: false });
  for (const id of created) after.delete(id);
  expect(after).toEqual(before);
}, 180_000);
