/**
 * `npm start` with the embedded sandbox, stopped and started again on the same SQLite store: the
 * sandbox is reseeded at every start, so what the store remembers of the previous sandbox (links,
 * learner shadows, plans naming its teams and learners) must not carry over into the new one.
 * Once after a clean stop, once after a kill in the middle of applying a run.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { today } from '../src/time.js';
import { clockOn } from './support/clock.js';
import { graphqlAs, serveProcess } from './support/process.js';
import { progressUntil } from './support/progress.js';
import { expectEveryEligibleOnce } from './support/upstreams.js';

const TOKEN = 'restart-test-admin-token-0123456789';
const children = new Set<ChildProcess>();
let dir: string;
let env: Record<string, string>;
let gateways: RunningGateway[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rostergate-restart-'));
  // The embedded default, as `npm start` runs it: no upstream configured, a file store. Small and
  // fast, with a little latency so a run is still applying when the first process is killed.
  env = {
    ROSTERGATE_PORT: '0',
    ROSTERGATE_DATA_DIR: dir,
    // The log would interleave with the test runner's output; test/ops/telemetry.int.test.ts reads it.
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'rostergate.sqlite')}`,
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ROSTERGATE_SANDBOX_PORT: '0',
    ROSTERGATE_SANDBOX_EMPLOYEES: '80',
    ROSTERGATE_SANDBOX_SEED: '11',
    ROSTERGATE_SANDBOX_RATE_WINDOW_MS: '1000',
    ROSTERGATE_SANDBOX_LATENCY_MS: '10',
  };
  gateways = [];
});

afterEach(async () => {
  for (const gateway of gateways) await gateway.close();
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await rm(dir, { recursive: true, force: true });
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** `startGateway` as `npm start` calls it, on a clock that stays on the day its sandbox is seeded for. */
async function start(): Promise<RunningGateway> {
  const gateway = await startGateway(loadConfig(env), { clock: clockOn(today(new Date())) });
  gateways.push(gateway);
  return gateway;
}

async function stop(gateway: RunningGateway): Promise<void> {
  gateways = gateways.filter((g) => g !== gateway);
  await gateway.close();
}

const gql = graphqlAs(TOKEN);

interface RunView {
  status: string;
  error: string | null;
  counts: { created: number; failed: number; skipped: number };
}

const RUN = 'status error counts { created failed skipped }';

async function relax(url: string): Promise<void> {
  for (const source of ['BAMBOOHR', 'NAMELY']) {
    const safeguard = '{ maxDeactivationPercent: 100, maxDeactivations: 100000 }';
    await gql(url, `mutation { setSyncPolicy(input: { source: ${source}, safeguard: ${safeguard} }) { source } }`);
  }
}

async function syncAll(gateway: RunningGateway): Promise<RunView[]> {
  const runs: RunView[] = [];
  for (const source of ['BAMBOOHR', 'NAMELY']) {
    const { startSync } = await gql<{ startSync: { runId: string } }>(gateway.url, `mutation { startSync(input: { source: ${source} }) { runId } }`);
    await gateway.tenant.engine.idle();
    runs.push(await run(gateway, startSync.runId));
  }
  return runs;
}

async function run(gateway: RunningGateway, id: string): Promise<RunView> {
  return (await gql<{ syncRun: RunView }>(gateway.url, `query($id: ID!) { syncRun(id: $id) { ${RUN} } }`, { id })).syncRun;
}

async function expectCoherent(gateway: RunningGateway): Promise<void> {
  const runs = await syncAll(gateway);
  for (const each of runs) expect(each).toMatchObject({ status: 'SUCCEEDED', error: null, counts: { failed: 0, skipped: expect.any(Number) } });
  const sandbox = gateway.sandbox!;
  await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, sandbox.companies.bamboohr.today);
  await expectEveryEligibleOnce(sandbox, sandbox.companies.namely, sandbox.companies.namely.today);
  // Nobody eligible is skipped for a learner the previous sandbox had.
  const { syncRuns } = await gql<{ syncRuns: { nodes: { records: { nodes: { reason: string | null }[] } }[] } }>(
    gateway.url,
    '{ syncRuns(first: 2) { nodes { records(first: 1000) { nodes { reason } } } } }',
  );
  const reasons = syncRuns.nodes.flatMap((node) => node.records.nodes.map((record) => record.reason));
  expect(reasons).not.toContain('LINKED_LEARNER_MISSING');
}

/** `rostergate serve` as `npm start` runs it. */
const serve = () => serveProcess({ HOME: dir, ...env }, children);

describe('restarting the gateway with its embedded sandbox on the same store', () => {
  it('after a full sync and a clean stop, the next start syncs the new sandbox completely', async () => {
    const first = await start();
    await relax(first.url);
    for (const each of await syncAll(first)) expect(each.status).toBe('SUCCEEDED');
    await stop(first);

    const second = await start();
    await expectCoherent(second);
  }, 120_000);

  it('after a kill in the middle of applying, the run is ended (not resumed against the new sandbox) and a new sync succeeds', async () => {
    const first = await serve();
    await relax(first.url);
    const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, 'mutation { startSync(input: { source: BAMBOOHR }) { runId } }');
    await progressUntil(first.url, TOKEN, startSync.runId, { until: (event) => event.status === 'APPLYING' && event.done >= 10 });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start();
    await second.tenant.engine.idle();
    const interrupted = await run(second, startSync.runId);
    expect(interrupted.status).toBe('FAILED');
    expect(interrupted.error).toMatch(/sandbox this run planned against was reseeded/);
    expect(second.sandboxReset).toMatchObject({ endedRuns: [startSync.runId] });
    await expectCoherent(second);
  }, 120_000);
});
