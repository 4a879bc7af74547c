/**
 * A distributed-mode deployment for the benchmarks, as an operator runs one: a gateway that only
 * answers (`serve --no-worker`, here in the benchmark's process) and `rostergate worker` processes
 * that execute runs, on one PostgreSQL store (a schema of its own) and one Redis (a key prefix of its
 * own), over sandboxes in child processes. Tenants beyond the default one are saved in the store with
 * connections of their own, as `saveConnections` does. `close` stops the workers, the gateway, and
 * drops the schema and the Redis keys, so each measurement starts from nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openRedis, type SharedRedis } from '../../src/scale/redis.js';
import { saveConnections } from '../../src/tenant.js';
import { BENCH_TOKEN, gatewayEnv, type GraphQLResponse } from './gateway.js';
import type { SandboxUrls } from './sandbox-process.js';

export const POSTGRES_ADDRESS = '127.0.0.1:5432';
export const REDIS_URL = 'redis://127.0.0.1:6379';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

/** The slice of node-postgres used here (pg ships no types); pg comes with @keyv/postgres. */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
const pg = createRequire(createRequire(import.meta.url).resolve('@keyv/postgres'))('pg') as {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
};

const storeUrl = (schema: string) => `postgres://postgres@${POSTGRES_ADDRESS}/test?schema=${schema}`;

async function sql(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: `postgres://postgres@${POSTGRES_ADDRESS}/test`, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Fails with the name of the service that does not answer and how to start it. */
export async function checkServices(): Promise<void> {
  try {
    await sql('SELECT 1');
  } catch (error) {
    throw new Error(
      `bench:scale needs PostgreSQL at ${POSTGRES_ADDRESS} (database test, user postgres, trust auth), which is not usable (${(error as Error).message}); start it with: ${START_POSTGRES}`,
      { cause: error },
    );
  }
  try {
    await (await openRedis({ url: REDIS_URL, prefix: 'rg-bench-check:' }, 2_000)).close();
  } catch (error) {
    throw new Error(`bench:scale needs Redis at ${REDIS_URL}, which is not usable (${(error as Error).message}); start it with: ${START_REDIS}`, {
      cause: error,
    });
  }
}

/** Deletes every key under `redis.prefix`, found with SCAN (KEYS would block the server). */
async function dropKeys(redis: SharedRedis): Promise<number> {
  let cursor = '0';
  let dropped = 0;
  do {
    const [next, keys] = await redis.client.scan(cursor, 'MATCH', `${redis.prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) dropped += await redis.client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return dropped;
}

/** A GraphQL client for the holder of `token`; any GraphQL error is thrown. */
export function graphqlAs(token: string) {
  return async <T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as GraphQLResponse<T>;
    if (result.errors?.length || !result.data) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** Resolves once it says it takes runs; rejects if it exits first. */
  ready: Promise<void>;
  /** Its log lines so far (stdout and stderr), the start-up line left out. */
  logLines(): string[];
  /** Exited before `stop` was called: the measurement cannot be trusted. */
  crashed(): boolean;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const READY = 'rostergate worker taking runs';

/** `rostergate worker` in a process of its own (await `ready` before counting on it). */
export function spawnWorker(name: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['bin/rostergate.js', 'worker'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stopping = false;
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => reject(new Error(`${name} (rostergate worker) exited with ${String(code)} before it was ready: ${output}`)));
  });
  // A rejection nobody awaits yet (the worker stopped after it was ready) is not an error.
  ready.catch(() => undefined);
  return {
    name,
    child,
    ready,
    logLines: () => output.split('\n').filter((line) => line.trim() !== '' && !line.includes(READY)),
    crashed: () => exited && !stopping,
    async stop(graceMs = 15_000) {
      stopping = true;
      if (exited) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface ClusterTenant {
  id: string;
  /** An ADMIN token of this tenant. */
  token: string;
}

export interface ExtraTenant {
  id: string;
  /** The sandbox whose BambooHR company is this tenant's HR source. */
  hr: SandboxUrls;
  /** The sandbox whose Litmos this tenant provisions into. */
  litmos: SandboxUrls;
}

export interface ClusterOptions {
  /** The default tenant's upstreams (from the environment, as `gatewayEnv` sets them). */
  sandbox: SandboxUrls;
  rateWindowMs: number;
  /** Tenants saved in the store besides the default one. @default none */
  extraTenants?: ExtraTenant[];
  /** ROSTERGATE_WORKER_LOCK_MS. @default 30_000 */
  workerLockMs?: number;
  /** The workers' ROSTERGATE_LOG_LEVEL. @default "warn" */
  workerLogLevel?: string;
}

export interface BenchCluster {
  gateway: RunningGateway;
  /** The default tenant first, then the extra ones in the order given. */
  tenants: ClusterTenant[];
  /** `count` worker processes of `concurrency` runs each, started at once. */
  startWorkers(count: number, concurrency: number): Promise<WorkerProcess[]>;
  workers: WorkerProcess[];
  /** Workers (SIGTERM, awaited), the gateway, then the store's schema and the Redis keys. */
  close(): Promise<void>;
}

/** A gateway (no worker) on a fresh PostgreSQL schema and Redis prefix, with the tenants saved and an ADMIN token each. */
export async function openCluster(options: ClusterOptions): Promise<BenchCluster> {
  const tag = randomBytes(6).toString('hex');
  const schema = `rg_bench_scale_${tag}`;
  const prefix = `rg-bench-${tag}:`;
  const env = {
    ...gatewayEnv(options.sandbox, { rateWindowMs: options.rateWindowMs, storeUrl: storeUrl(schema) }),
    ROSTERGATE_REDIS_URL: REDIS_URL,
    ROSTERGATE_REDIS_PREFIX: prefix,
  };
  const redis = await openRedis({ url: REDIS_URL, prefix }, 2_000);
  const workers: WorkerProcess[] = [];
  let gateway: RunningGateway | undefined;
  const cleanUp = async () => {
    // Latest first: the processes before the schema and keys they use.
    await Promise.all(workers.map((worker) => worker.stop()));
    await gateway?.close();
    await dropKeys(redis);
    await redis.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  };
  try {
    gateway = await startGateway(loadConfig(env), { worker: false });
    const tenants: ClusterTenant[] = [{ id: 'default', token: BENCH_TOKEN }];
    for (const extra of options.extraTenants ?? []) {
      await saveConnections(
        gateway.store,
        extra.id,
        {
          bamboohr: { baseUrl: extra.hr.bamboohr.url, companyDomain: extra.hr.bamboohr.companyDomain },
          litmos: { baseUrl: extra.litmos.litmos.baseUrl, applicationName: SANDBOX_CREDENTIALS.litmos.source },
        },
        { bamboohrApiKey: SANDBOX_CREDENTIALS.bamboohr.apiKey, litmosApiKey: SANDBOX_CREDENTIALS.litmos.apiKey },
      );
      tenants.push({ id: extra.id, token: (await gateway.store.tokens.issue(extra.id, 'ADMIN', 'bench:scale')).token });
    }
    const workerEnv = {
      ...env,
      ROSTERGATE_LOG_LEVEL: options.workerLogLevel ?? 'warn',
      ROSTERGATE_WORKER_LOCK_MS: String(options.workerLockMs ?? 30_000),
    };
    const running = gateway;
    return {
      gateway: running,
      tenants,
      workers,
      async startWorkers(count, concurrency) {
        const started = Array.from({ length: count }, (_, i) =>
          spawnWorker(`worker ${workers.length + i + 1}`, { ...workerEnv, ROSTERGATE_WORKER_CONCURRENCY: String(concurrency) }),
        );
        // Listed before they are ready, so `close` stops them even when one fails to start.
        workers.push(...started);
        await Promise.all(started.map((worker) => worker.ready));
        return started;
      },
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
