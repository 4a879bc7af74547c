/**
 * Distributed mode end to end, as it is deployed: gateway replicas that only answer (`serve
 * --no-worker`) and workers that execute runs (`rostergate worker`), on one PostgreSQL store and one
 * Redis, over the sandbox on loopback with every documented quirk on. Each test builds a cluster of
 * its own (its own sandbox, store schema and Redis prefix), and checks the end state in Litmos with
 * the oracle written from the rules (test/support/upstreams.ts).
 * Needs PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, type RunningSandbox, type SandboxOptions } from '@rostergate/sandbox';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startWorker, type WorkerRuntime } from '../../src/runtime.js';
import { openStore } from '../../src/store/open.js';
import { saveConnections, type GatewayStore } from '../../src/tenant.js';
import { createLogger, type Logger } from '../../src/telemetry/log.js';
import { clockOn } from '../support/clock.js';
import { QUIET_FAULTS, startTestSandbox } from '../support/gateway.js';
import { dropSchema, query, storeUrl, testSchema } from '../support/postgres.js';
import { graphqlAs, workerProcess, type WorkerProcess } from '../support/process.js';
import { progressUntil, watchProgress } from '../support/progress.js';
import { dropKeys, openTestRedis, testPrefix } from '../support/redis.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';

const TOKEN = 'cluster-test-admin-token-0123456789';
const gql = graphqlAs(TOKEN);
const RELAXED = '{ maxDeactivationPercent: 100, maxDeactivations: 100000 }';

interface Cluster {
  sandbox: RunningSandbox;
  env: Record<string, string>;
  /** A replica that answers only (`serve --no-worker`); `close` may be called again at the end of the test. */
  gateway(extra?: Record<string, string>): Promise<RunningGateway>;
  /** `rostergate worker` in this process. */
  worker(options?: { concurrency?: number; logger?: Logger; metrics?: boolean }): Promise<WorkerRuntime>;
  /** `rostergate worker` in a process of its own, to be killed. */
  workerProcess(extra?: Record<string, string>): Promise<WorkerProcess>;
  /** The store, as every process of the cluster opens it. */
  store(): Promise<GatewayStore>;
}

const closers: (() => Promise<unknown>)[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // Both services first, so a missing one fails here with its name and how to start it.
  await query('SELECT 1');
  (await openTestRedis(testPrefix())).client.disconnect();
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  // Latest first: processes before the store schema, Redis keys and sandboxes they use.
  for (const close of closers.splice(0).reverse()) await close();
});

/** A cluster on a sandbox of its own; nothing runs until the test starts gateways and workers. */
async function openCluster(options: SandboxOptions = {}): Promise<Cluster> {
  const sandbox = await startTestSandbox({ employees: 200, latencyMs: 10, ...options });
  closers.push(() => sandbox.close());
  const schema = testSchema('scale');
  const redis = await openTestRedis(testPrefix());
  closers.push(async () => {
    await dropKeys(redis);
    await redis.close();
    await dropSchema(schema);
  });
  const env = {
    ROSTERGATE_PORT: '0',
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: storeUrl(schema),
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ROSTERGATE_REDIS_URL: 'redis://127.0.0.1:6379',
    ROSTERGATE_REDIS_PREFIX: redis.prefix,
    ROSTERGATE_RATE_WINDOW_MS: '1000',
    // A killed worker's job is taken over once its lock lapses: seconds here, not the default 30.
    ROSTERGATE_WORKER_LOCK_MS: '2000',
    BAMBOOHR_BASE_URL: sandbox.bamboohr.url,
    BAMBOOHR_SUBDOMAIN: sandbox.bamboohr.companyDomain,
    BAMBOOHR_API_KEY: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    NAMELY_BASE_URL: sandbox.namely.baseUrl,
    NAMELY_TOKEN: SANDBOX_CREDENTIALS.namely.token,
    LITMOS_BASE_URL: sandbox.litmos.url,
    LITMOS_API_KEY: SANDBOX_CREDENTIALS.litmos.apiKey,
    LITMOS_SOURCE: 'cluster-test',
  };
  const clock = clockOn(sandbox.companies.bamboohr.today);
  return {
    sandbox,
    env,
    async gateway(extra = {}) {
      const gateway = await startGateway(loadConfig({ ...env, ...extra }), { clock, worker: false });
      const close = once(() => gateway.close());
      closers.push(close);
      return { ...gateway, close };
    },
    async worker({ concurrency = 2, logger, metrics = false } = {}) {
      const config = loadConfig({ ...env, ROSTERGATE_WORKER_CONCURRENCY: String(concurrency), ...(metrics && { ROSTERGATE_WORKER_METRICS_PORT: '0' }) });
      const worker = await startWorker(config, { clock, ...(logger && { logger }) });
      closers.push(() => worker.close());
      return worker;
    },
    // The child runs the system clock: the sandbox is seeded for today, so it judges the same day.
    workerProcess: (extra = {}) => workerProcess({ ...env, ROSTERGATE_LOG_LEVEL: 'info', ...extra }, children),
    async store() {
      const store: GatewayStore = await openStore({ url: env.ROSTERGATE_STORE_URL, secretKey: Buffer.from(env.ROSTERGATE_SECRET_KEY, 'hex') });
      closers.push(() => store.close());
      return store;
    },
  };
}

/** `close`, once however often it is called. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/** A log in memory, as a test reads it. */
function memoryLog(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void raw.push(line) } });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** What the run planned to create and what it recorded as created and failed. */
async function creations(url: string, runId: string): Promise<{ planned: number; created: number; failed: number }> {
  const { syncRun } = await gql<{ syncRun: { plan: { summary: { kind: string; count: number }[] }; counts: { created: number; failed: number } } }>(
    url,
    `query($id: ID!) { syncRun(id: $id) { plan { summary { kind count } } counts { created failed } } }`,
    { id: runId },
  );
  const planned = syncRun.plan.summary.find((entry) => entry.kind === 'CREATE_LEARNER')?.count ?? 0;
  return { planned, ...syncRun.counts };
}

/** Resolves once `ready` holds, asking every 25 ms. */
async function until(ready: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms: ${ready.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const startSync = async (url: string, source: string, token = TOKEN): Promise<string> =>
  (await graphqlAs(token)<{ startSync: { runId: string } }>(url, `mutation { startSync(input: { source: ${source} }) { runId } }`)).startSync.runId;

async function relax(url: string, source: string, token = TOKEN, extra = ''): Promise<void> {
  await graphqlAs(token)(url, `mutation { setSyncPolicy(input: { source: ${source}, safeguard: ${RELAXED} ${extra} }) { source } }`);
}

describe('gateway replicas and workers on one store and one Redis', () => {
  it('makes one run of a sync started through two replicas at once, executed by a worker and followed live through either', async () => {
    const cluster = await openCluster({ seed: 41 });
    const [a, b] = [await cluster.gateway(), await cluster.gateway()];
    const workers = [await cluster.worker({ metrics: true }), await cluster.worker({ metrics: true })];
    await relax(a.url, 'NAMELY');
    // A replica is ready when the store, Redis and the upstreams answer.
    const readyz = await fetch(`${b.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ checks: { store: 'ok', redis: 'ok' } });

    // Both replicas read the learners before the sync, so both hold them in their caches.
    const learners = async (url: string) => (await gql<{ learners: { totalCount: number } }>(url, '{ learners(first: 1) { totalCount } }')).learners.totalCount;
    const before = await learners(a.url);
    expect(await learners(b.url)).toBe(before);

    const [first, second] = await Promise.all([startSync(a.url, 'NAMELY'), startSync(b.url, 'NAMELY')]);
    expect(second).toBe(first);
    const [onA, onB] = await Promise.all([watchProgress(a.url, TOKEN, first), watchProgress(b.url, TOKEN, first)]);

    for (const events of [onA, onB]) {
      expect(events.at(-1)?.status).toBe('SUCCEEDED');
      const sequences = events.map((event) => event.sequence);
      expect(sequences, 'each replica delivers the events in order, each once').toEqual([...new Set(sequences)].sort((x, y) => x - y));
    }
    // Neither replica executes runs, so the events came from a worker, through Redis, to both.
    expect(onB.some((event) => event.status === 'APPLYING')).toBe(true);
    const { syncRun } = await gql<{ syncRun: { status: string; counts: { created: number; failed: number } } }>(
      b.url,
      `query($id: ID!) { syncRun(id: $id) { status counts { created failed } } }`,
      { id: first },
    );
    expect(syncRun).toMatchObject({ status: 'SUCCEEDED', counts: { failed: 0 } });
    expect(syncRun.counts.created).toBeGreaterThan(0);
    // The worker's sync invalidated the replicas' caches: both see the learners it created.
    for (const url of [a.url, b.url]) expect(await learners(url)).toBe(before + syncRun.counts.created);
    const { namely } = cluster.sandbox.companies;
    await expectEveryEligibleOnce(cluster.sandbox, namely, namely.today);

    // The workers' own /metrics count the creations between them, where the replicas' do not see them.
    const created = async (url: string | null) => {
      const text = await (await fetch(`${url ?? ''}/metrics`)).text();
      return Number(/^rostergate_actions_total\{kind="CREATE_LEARNER",outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const counted = await Promise.all(workers.map((worker) => created(worker.metricsUrl)));
    expect(counted.reduce((sum, each) => sum + each, 0)).toBe(syncRun.counts.created);
  }, 120_000);

  it('hands the run of a worker killed in the middle of applying to another worker, which finishes it without a duplicate', async () => {
    // Injected faults off: the test counts Litmos's user creations, which a dropped answer's retry would blur.
    const cluster = await openCluster({ seed: 43, quirks: QUIET_FAULTS });
    const gateway = await cluster.gateway();
    const doomed = await cluster.workerProcess();
    await relax(gateway.url, 'BAMBOOHR');
    const runId = await startSync(gateway.url, 'BAMBOOHR');
    await progressUntil(gateway.url, TOKEN, runId, { until: (event) => event.status === 'APPLYING' && event.done >= 20 });
    expect(doomed.taken()).toEqual([runId]);
    const creates = () => cluster.sandbox.litmos.stats().routes['POST /v1.svc/users']?.count ?? 0;
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));
    const createdBeforeKill = creates();

    await cluster.worker();
    const finished = await progressUntil(gateway.url, TOKEN, runId);
    expect(finished.status).toBe('SUCCEEDED');
    expect(creates()).toBeGreaterThan(createdBeforeKill);
    // Every planned creation sent once, whether before the kill or after: none lost, none repeated.
    const { planned, created, failed } = await creations(gateway.url, runId);
    expect({ sent: creates(), created, failed }).toEqual({ sent: planned, created: planned, failed: 0 });
    const { bamboohr } = cluster.sandbox.companies;
    await expectEveryEligibleOnce(cluster.sandbox, bamboohr, bamboohr.today);
  }, 120_000);

  it('hands the job of a worker stopped with SIGTERM back at once, after its action in flight, for another worker to finish', async () => {
    const cluster = await openCluster({ seed: 44, quirks: QUIET_FAULTS });
    const gateway = await cluster.gateway();
    // A lock that outlasts the test: only a job handed back can reach the other worker in time.
    const lockForever = { ROSTERGATE_WORKER_LOCK_MS: '600000' };
    const stopping = await cluster.workerProcess(lockForever);
    await relax(gateway.url, 'BAMBOOHR');
    const runId = await startSync(gateway.url, 'BAMBOOHR');
    await progressUntil(gateway.url, TOKEN, runId, { until: (event) => event.status === 'APPLYING' && event.done >= 20 });
    expect(stopping.taken()).toEqual([runId]);
    const exited = new Promise((resolve) => stopping.child.once('exit', resolve));
    stopping.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    await cluster.worker();
    expect((await progressUntil(gateway.url, TOKEN, runId, { timeoutMs: 30_000 })).status).toBe('SUCCEEDED');
    const { planned, created, failed } = await creations(gateway.url, runId);
    const sent = cluster.sandbox.litmos.stats().routes['POST /v1.svc/users']?.count ?? 0;
    expect({ sent, created, failed }).toEqual({ sent: planned, created: planned, failed: 0 });
    const { bamboohr } = cluster.sandbox.companies;
    await expectEveryEligibleOnce(cluster.sandbox, bamboohr, bamboohr.today);
  }, 120_000);

  it('fires a schedule that two replicas set once per tick, and goes on firing with no replica left', async () => {
    const cluster = await openCluster({ seed: 50, employees: 40 });
    const log = memoryLog();
    await cluster.worker({ logger: log.logger });
    const everySecond = { ROSTERGATE_SYNC_SCHEDULE: '* * * * * *' };
    const replicas = [await cluster.gateway(everySecond), await cluster.gateway(everySecond)];
    await relax(replicas[0]!.url, 'BAMBOOHR');
    await relax(replicas[0]!.url, 'NAMELY');
    const ticks = () => log.lines().filter((line) => line.msg === 'scheduled sync tick');
    await until(() => ticks().length >= 3);
    for (const replica of replicas) await replica.close();
    const seen = ticks().length;
    await until(() => ticks().length >= seen + 2);

    // One schedule per source (ROSTERGATE_SYNC_SCHEDULE), each firing every second: no tick of either twice.
    const fired = ticks().map((tick) => `${String(tick.scheduleId)} ${String(tick.dueAt)}`);
    expect(new Set(ticks().map((tick) => tick.scheduleId))).toEqual(new Set(['environment-BAMBOOHR', 'environment-NAMELY']));
    expect(fired.length, 'no tick fired twice').toBe(new Set(fired).size);
    // The ticks' runs go on in the worker; on a busy machine the first may still be applying here.
    const store = await cluster.store();
    const scheduledRunSucceeded = async () =>
      (await store.runs.list('default', { source: 'BAMBOOHR', first: 50 })).runs.some((run) => run.trigger === 'SCHEDULE' && run.status === 'SUCCEEDED');
    await until(scheduledRunSucceeded, 60_000);
  }, 120_000);

  // How much of the budget they spend is a rate, measured by bench:scale (0.93 with 1 and with 3
  // workers); here, what must hold however busy the machine: three workers applying at once into one
  // account are never throttled (with a budget per process the same runs met 134 throttled answers).
  it('lets three workers on three runs share one Litmos budget, with nothing throttled while all three apply', async () => {
    // Three tenants, each with a BambooHR of its own (companies under names of their own, so nobody
    // shares an address), all provisioning into one Litmos account: one budget for the three workers.
    const cluster = await openCluster({ seed: 45, employees: 300 });
    const others = await Promise.all(
      ['Orbit Foods', 'Quill Works'].map(async (name, i) => {
        const sandbox = await startTestSandbox({ seed: 46 + i, employees: 300, latencyMs: 10, companies: { bamboohr: name, namely: `${name} Two` } });
        closers.push(() => sandbox.close());
        return sandbox;
      }),
    );
    const gateway = await cluster.gateway();
    const store = await cluster.store();
    const litmos = cluster.sandbox.litmos;
    const tokens = [TOKEN];
    for (const [i, other] of others.entries()) {
      const tenant = `tenant-${i + 2}`;
      await saveConnections(
        store,
        tenant,
        {
          bamboohr: { baseUrl: other.bamboohr.url, companyDomain: other.bamboohr.companyDomain },
          litmos: { baseUrl: litmos.baseUrl, applicationName: 'cluster-test' },
        },
        { bamboohrApiKey: SANDBOX_CREDENTIALS.bamboohr.apiKey, litmosApiKey: SANDBOX_CREDENTIALS.litmos.apiKey },
      );
      tokens.push((await store.tokens.issue(tenant, 'ADMIN', 'cluster test')).token);
    }
    for (const [i, token] of tokens.entries()) {
      // Teams stay the first tenant's: departments of the same name in three companies are not one team.
      await relax(gateway.url, 'BAMBOOHR', token, i === 0 ? '' : ', teams: { fromDepartment: false, divisionAsParent: false, managerAsLeader: false }');
    }
    for (let i = 0; i < 3; i++) await cluster.worker({ concurrency: 1 });

    const runs = await Promise.all(tokens.map((token) => startSync(gateway.url, 'BAMBOOHR', token)));
    const status = async (runId: string, token: string) =>
      (await graphqlAs(token)<{ syncRun: { status: string } }>(gateway.url, `query($id: ID!) { syncRun(id: $id) { status } }`, { id: runId })).syncRun.status;
    const statuses = () => Promise.all(runs.map((runId, i) => status(runId, tokens[i]!)));

    // The window: Litmos requests from the moment all three are applying until the first ends.
    while ((await statuses()).some((each) => each !== 'APPLYING')) {
      expect((await statuses()).some((each) => ['FAILED', 'CANCELLED', 'SUCCEEDED'].includes(each))).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const start = { at: Date.now(), stats: litmos.stats() };
    while ((await statuses()).every((each) => each === 'APPLYING')) await new Promise((resolve) => setTimeout(resolve, 25));
    const end = { at: Date.now(), stats: litmos.stats() };

    const windows = (end.at - start.at) / 1000;
    expect(windows, 'the three runs overlapped long enough to measure').toBeGreaterThanOrEqual(2);
    expect(end.stats.total - start.stats.total, 'the three applied together').toBeGreaterThan(0);
    expect(end.stats.throttled).toBe(0);

    for (const [i, runId] of runs.entries()) expect((await progressUntil(gateway.url, tokens[i]!, runId)).status).toBe('SUCCEEDED');
    expect(litmos.stats().throttled).toBe(0);
    for (const sandbox of [cluster.sandbox, ...others]) {
      const { bamboohr } = sandbox.companies;
      await expectEveryEligibleOnce(cluster.sandbox, bamboohr, bamboohr.today);
    }
  }, 180_000);
});
