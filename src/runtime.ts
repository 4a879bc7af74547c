/**
 * What every rostergate process is built on, gateway or worker: the clock, telemetry, the store, the
 * distributed mode's parts when ROSTERGATE_REDIS_URL is set, and the tenants opened over them. In
 * distributed mode a process may also take run jobs from the queue (`serveRuns`): `rostergate worker`
 * does only that, `rostergate serve` does it beside the gateway unless started with `--no-worker`.
 */
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import { openScaleOut, type ScaleOut } from './scale/mode.js';
import { startRunWorker, type RunWorker } from './scale/queue.js';
import { loadOrCreateSecretKey, parseSecretKey } from './store/secrets.js';
import { openStore } from './store/open.js';
import { startScheduledRuns } from './sync/schedule.js';
import { createLogger, type Logger } from './telemetry/log.js';
import { createMetrics } from './telemetry/metrics.js';
import type { Telemetry } from './telemetry/observe.js';
import { startTracing } from './telemetry/tracing.js';
import { createTenantRegistry, openTenant, type GatewayStore, type TenantRegistry } from './tenant.js';
import type { StoredSyncRecord, SyncRun } from './core/run.js';

export interface RuntimeOptions {
  /** What every instant and "today" is read from. @default systemClock */
  clock?: Clock;
  /** Where log lines go. @default a logger at the config's level, on stdout */
  logger?: Logger;
}

export interface Runtime {
  clock: Clock;
  telemetry: Telemetry;
  store: GatewayStore;
  /** Null in embedded mode. */
  scaleOut: ScaleOut | null;
  tenants: TenantRegistry;
  /** Takes run jobs from the queue in this process until `close` (distributed mode only). */
  serveRuns(): void;
  /** Hands back the jobs in hand (after the actions in flight), pauses local runs, and closes every connection. */
  close(): Promise<void>;
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const telemetry: Telemetry = {
    log: options.logger ?? createLogger({ level: config.logLevel }),
    metrics: createMetrics(),
    ...(config.otlpEndpoint !== undefined && { tracing: startTracing(config.otlpEndpoint) }),
  };
  const secretKey = config.secretKey ? parseSecretKey(config.secretKey) : await loadOrCreateSecretKey(config.dataDir);
  const store: GatewayStore = await openStore<SyncRun, StoredSyncRecord>({ url: config.storeUrl, secretKey });
  const scaleOut = config.distributed ? await openScaleOut(config.distributed, telemetry.log) : null;
  const tenants = createTenantRegistry((id) =>
    openTenant({
      id,
      store,
      rateLimits: config.rateLimits,
      rateWindowMs: config.rateWindowMs,
      cacheTtlMs: config.cacheTtlSeconds * 1000,
      clock,
      telemetry,
      ...(scaleOut && { scaleOut: scaleOut.tenants }),
    }),
  );
  let worker: RunWorker | null = null;
  return {
    clock,
    telemetry,
    store,
    scaleOut,
    tenants,
    serveRuns() {
      if (!scaleOut || !config.distributed || worker) return;
      worker = startRunWorker(scaleOut.redis, {
        concurrency: config.distributed.concurrency,
        lockMs: config.distributed.lockMs,
        work: async (job) => {
          // Says which process holds which run: what an operator (and the kill test) looks for.
          telemetry.log.info({ tenant: job.tenant, runId: job.runId, step: job.step }, 'run job taken');
          return (await tenants.get(job.tenant)).engine.work(job);
        },
        scheduled: async (id, dueAt) => {
          telemetry.log.info({ tenant: id, dueAt: new Date(dueAt).toISOString() }, 'scheduled sync tick');
          const tenant = await tenants.get(id);
          const recentRuns = async (source: SyncRun['source'], count: number) => (await store.runs.list(id, { source, first: count })).runs;
          const { erroredSources } = await startScheduledRuns({ sources: tenant.sources, engine: tenant.engine, recentRuns });
          if (erroredSources.length > 0) telemetry.log.warn({ tenant: id, sources: erroredSources }, 'scheduled sync skipped: its last scheduled runs failed');
        },
        onError: (error, job) => telemetry.log.error({ err: error, ...job }, 'run job failed'),
      });
    },
    async close() {
      // Together: the engines pause their runs (the actions in flight finish), which lets the worker's
      // jobs settle and be handed back, which lets the worker close.
      await Promise.all([worker?.close(), tenants.close()]);
      await scaleOut?.close();
      await store.close();
      await telemetry.tracing?.close();
    },
  };
}

/** `rostergate worker`: executes runs from the queue, answers nothing. */
export async function startWorker(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  if (!config.distributed) {
    throw new ConfigError('rostergate worker takes runs from a queue in Redis: set ROSTERGATE_REDIS_URL (and the same store and secret key as the gateway)', {
      variable: 'ROSTERGATE_REDIS_URL',
    });
  }
  const runtime = await openRuntime(config, options);
  runtime.serveRuns();
  runtime.telemetry.log.info({ redis: runtime.scaleOut?.redis.address, store: runtime.store.address }, 'worker started');
  return runtime;
}
