/**
 * What every rostergate process is built on, gateway or worker: the clock, telemetry, the store, the
 * distributed mode's parts when ROSTERGATE_REDIS_URL is set, and the tenants opened over them. In
 * distributed mode a process may also take run jobs from the queue (`serveRuns`): `rostergate worker`
 * does only that, `rostergate serve` does it beside the gateway unless started with `--no-worker`.
 */
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import { createNotifier, type Notifier } from './notify/notifier.js';
import type { ScaleOut } from './scale/mode.js';
import type { RunWorker } from './scale/queue.js';
import { loadOrCreateSecretKey, parseSecretKey } from './store/secrets.js';
import { openStore } from './store/open.js';
import { createLocalTimers, tick, type TickHandler } from './sync/schedule.js';
import { createScheduling, type Scheduling } from './sync/scheduling.js';
import { createLogger, type Logger } from './telemetry/log.js';
import { createMetrics } from './telemetry/metrics.js';
import { serveMetrics } from './telemetry/metrics-server.js';
import type { Telemetry } from './telemetry/observe.js';
import { createTenantRegistry, openTenant, type GatewayStore, type TenantRegistry } from './tenant.js';
import { createHealthLedger, type HealthChangeHook } from './connections/health.js';
import { createConnectionService, type ConnectionService } from './connections/service.js';
import { connectionsRevision } from './connections/stored.js';
import type { StoredSyncRecord, SyncRun } from './core/run.js';
import type { SyncSchedule } from './core/schedule.js';

export interface RuntimeOptions {
  /** What every instant and "today" is read from. @default systemClock */
  clock?: Clock;
  /** Where log lines go. @default a logger at the config's level, on stdout */
  logger?: Logger;
  /**
   * Told when a tenant's connection to an upstream enters ERROR (three failed runs or tests in a row)
   * or leaves it (connections/health.ts): where CONNECTION_ERROR / CONNECTION_RECOVERED notifications
   * are sent from. Called once per change across every process. @default none
   */
  onHealthChange?: HealthChangeHook;
  /** Least time between two looks at whether an opened tenant's connections changed in the store, ms. @default 3000 */
  connectionsRecheckMs?: number;
}

export interface Runtime {
  clock: Clock;
  telemetry: Telemetry;
  store: GatewayStore;
  /** Null in embedded mode. */
  scaleOut: ScaleOut | null;
  tenants: TenantRegistry;
  /** Sync schedules: stored per tenant, ticking in this process (embedded) or in the workers (distributed). */
  scheduling: Scheduling;
  /** Each tenant's connections as the API manages them: listed with their health, set, tested. */
  connections: ConnectionService;
  /** Outgoing notifications: told of every tenant's runs and connection health changes; `notify(tenant, { type, system, error })`. */
  notifier: Notifier;
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
    // The distributed mode's, the tracer's (and the stores', store/backend.ts) modules load only when
    // configured: some 50 MB of resident memory, together, that the embedded default never uses.
    ...(config.otlpEndpoint !== undefined && { tracing: (await import('./telemetry/tracing.js')).startTracing(config.otlpEndpoint) }),
  };
  const secretKey = config.secretKey ? parseSecretKey(config.secretKey) : await loadOrCreateSecretKey(config.dataDir);
  const store: GatewayStore = await openStore<SyncRun, StoredSyncRecord, SyncSchedule>({ url: config.storeUrl, secretKey });
  const scaleOut = config.distributed ? await (await import('./scale/mode.js')).openScaleOut(config.distributed, telemetry.log) : null;
  const { smtp, ...policy } = config.notifications;
  const notifier = createNotifier({ store, clock, log: telemetry.log, policy, ...(smtp && { smtp }) });
  // Deliveries left pending by the previous process (or another one) are sent when due.
  notifier.resume().catch((error: unknown) => telemetry.log.error({ err: error }, 'pending notifications not resumed'));
  const health = createHealthLedger({
    settings: store.settings,
    log: telemetry.log,
    onHealthChange: (tenant, system, from, to, error) => {
      const type = to === 'ERROR' ? 'CONNECTION_ERROR' : 'CONNECTION_RECOVERED';
      notifier
        .notify(tenant, { type, system, ...(error !== undefined && { error }) })
        .catch((failure: unknown) => telemetry.log.error({ err: failure, tenant, system, event: type }, 'notification not written'));
      options.onHealthChange?.(tenant, system, from, to, error);
    },
  });
  const tenants = createTenantRegistry(
    (id, takeOver) =>
      openTenant({
        id,
        store,
        rateLimits: config.rateLimits,
        rateWindowMs: config.rateWindowMs,
        cacheTtlMs: config.cacheTtlSeconds * 1000,
        clock,
        telemetry,
        ...(scaleOut && { scaleOut: scaleOut.tenants }),
        health,
        notifier,
        ...(takeOver && { takeOver }),
      }),
    {
      revision: (id) => connectionsRevision(store, id),
      ...(options.connectionsRecheckMs !== undefined && { recheckMs: options.connectionsRecheckMs }),
      onError: (error, tenant) => telemetry.log.error({ err: error, tenant }, 'tenant opened again could not close its previous runtime'),
    },
  );
  const connections = createConnectionService({ store, tenants, health, clock });
  /** A schedule is due: the schedule as stored now decides (it may have changed or gone since its timer was set). */
  const onTick: TickHandler = async (tenantId, scheduleId, dueAt) => {
    const line = { tenant: tenantId, scheduleId, dueAt: new Date(dueAt).toISOString() };
    telemetry.log.info(line, 'scheduled sync tick');
    const tenant = await tenants.get(tenantId);
    const recentRuns = async (source: SyncRun['source'], count: number) => (await store.runs.list(tenantId, { source, first: count })).runs;
    const outcome = await tick({ sources: tenant.sources, engine: tenant.engine, recentRuns }, await store.schedules.get(tenantId, scheduleId));
    if ('skipped' in outcome) telemetry.log.warn({ ...line, reason: outcome.skipped }, 'scheduled sync skipped');
  };
  const timers = scaleOut?.queue.timers ?? createLocalTimers(onTick, (error) => telemetry.log.error({ err: error }, 'scheduled sync failed to start'));
  const scheduling = createScheduling({ store: store.schedules, timers, clock });
  let worker: RunWorker | null = null;
  return {
    clock,
    telemetry,
    store,
    scaleOut,
    tenants,
    scheduling,
    connections,
    notifier,
    serveRuns() {
      if (!scaleOut || !config.distributed || worker) return;
      worker = scaleOut.startRunWorker({
        concurrency: config.distributed.concurrency,
        lockMs: config.distributed.lockMs,
        work: async (job) => {
          // Says which process holds which run: what an operator (and the kill test) looks for.
          telemetry.log.info({ tenant: job.tenant, runId: job.runId, step: job.step }, 'run job taken');
          return (await tenants.get(job.tenant)).engine.work(job);
        },
        scheduled: onTick,
        onError: (error, job) => telemetry.log.error({ err: error, ...job }, 'run job failed'),
      });
    },
    async close() {
      // Together: the engines pause their runs (the actions in flight finish), which lets the worker's
      // jobs settle and be handed back, which lets the worker close.
      timers.stop();
      await Promise.all([worker?.close(), tenants.close()]);
      // After the runs paused, so their last events are written; what is not yet sent stays pending for the next start.
      await notifier.close();
      await scaleOut?.close();
      await store.close();
      await telemetry.tracing?.close();
    },
  };
}

export interface WorkerRuntime extends Runtime {
  /** Where its /metrics and /healthz are (ROSTERGATE_WORKER_METRICS_PORT); null when not served. */
  metricsUrl: string | null;
}

/** `rostergate worker`: executes runs from the queue, answers nothing but its metrics, if asked to. */
export async function startWorker(config: Config, options: RuntimeOptions = {}): Promise<WorkerRuntime> {
  if (!config.distributed) {
    throw new ConfigError('rostergate worker takes runs from a queue in Redis: set ROSTERGATE_REDIS_URL (and the same store and secret key as the gateway)', {
      variable: 'ROSTERGATE_REDIS_URL',
    });
  }
  const runtime = await openRuntime(config, options);
  runtime.serveRuns();
  const { metricsPort } = config.distributed;
  const metrics = metricsPort === undefined ? null : await serveMetrics(runtime.telemetry.metrics.registry, config.host, metricsPort);
  runtime.telemetry.log.info({ redis: runtime.scaleOut?.redis.address, store: runtime.store.address, metrics: metrics?.url }, 'worker started');
  return {
    ...runtime,
    metricsUrl: metrics?.url ?? null,
    async close() {
      await metrics?.close();
      await runtime.close();
    },
  };
}
