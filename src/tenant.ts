/**
 * One tenant's runtime: its upstream connections (credentials read from the encrypted secret store,
 * one HTTP client and rate budget per credential), its read model and cache, and its sync engine.
 */
import type { Clock } from './clock.js';
import { BAMBOOHR_DEFAULTS, bambooHrAuthorize, createBambooHrClient } from './datasources/bamboohr/client.js';
import { bambooHrDeliveries, type DeliveryHeaders } from './datasources/bamboohr/delivery.js';
import { apiBaseUrl } from './datasources/base-url.js';
import { createReadCache, type CachePeers } from './datasources/cache.js';
import type { RateBudget } from './datasources/budget.js';
import type { HrClient } from './datasources/hr.js';
import { createUpstreamClient, type UpstreamClient, type UpstreamEvent } from './datasources/http.js';
import { createLitmosClient } from './datasources/litmos/client.js';
import { createNamelyClient, NAMELY_DEFAULTS } from './datasources/namely/client.js';
import { createReadModel, type ReadModel } from './datasources/read-model.js';
import { ConfigError, ForbiddenError, type UpstreamSystem } from './errors.js';
import { trackHealth, type HealthLedger, type TenantHealth } from './connections/health.js';
import { CREDENTIAL_SECRET, readConnections, SECRET } from './connections/stored.js';
import type { Source } from './model.js';
import type { Notifier } from './notify/notifier.js';
import type { Store } from './store/open.js';
import type { SyncCheckpoint } from './core/checkpoint.js';
import type { StoredSyncRecord, SyncRun } from './core/run.js';
import type { SyncSchedule } from './core/schedule.js';
import { createSyncEngine, type RunDispatch, type SyncEngine } from './sync/engine.js';
import type { PlanPort, RunDraft, SyncSettingsPort, SyncStore } from './sync/ports.js';
import { createProgressBus, type ProgressBus, type ProgressEvent } from './sync/progress.js';
import { observeActions, observeRuns, observeUpstream, type Telemetry } from './telemetry/observe.js';
import type { SyncPlan } from './core/plan-types.js';
import { defaultPolicy, type Policy, type SourceDefaults } from './core/policy.js';
import type { Shadow } from './core/shadow.js';
import { createWebhookIntake, type WebhookIntake } from './sync/webhooks.js';

/** The store as the gateway uses it: its runs and records are the sync engine's. */
export type GatewayStore = Store<SyncRun, StoredSyncRecord, SyncSchedule>;

// Where a tenant's upstreams are, and how they are stored and set: connections/stored.ts.
export { saveConnections, SECRET, type Connections } from './connections/stored.js';

export interface TenantOptions {
  id: string;
  store: GatewayStore;
  /** Requests per window, per upstream credential. */
  rateLimits: { bamboohr: number; namely: number; litmos: number };
  /** Rate window, ms. */
  rateWindowMs: number;
  /** Read-cache lifetime, ms. */
  cacheTtlMs: number;
  /** How long webhook changes are gathered before a targeted run starts, ms. @default 1000 */
  webhookGatherMs?: number;
  /** Handed to everything of the tenant that stamps or judges a time. */
  clock: Clock;
  /** The gateway's logger and metrics, fed by the tenant's clients, runs and actions. */
  telemetry: Telemetry;
  /** Distributed mode's shared parts; unset, everything is this process's own (embedded mode). */
  scaleOut?: TenantScaleOut;
  /** Where each connection's health is kept (the store's, shared by every process). */
  health: HealthLedger;
  /**
   * The tenant this one is opened over, its connections having changed: its progress bus carries on
   * here, so subscribers of its runs still in flight miss nothing (the registry then retires it).
   */
  takeOver?: Tenant;
  /** Outgoing notifications: told of the tenant's run events, here where every process that executes runs sees them. */
  notifier?: Notifier;
}

/**
 * What a tenant takes from the distributed mode (src/scale/) so that every process serving it acts as
 * one: the rate budget of each upstream credential, the progress bus, the read cache's invalidation,
 * and where runs are executed.
 */
export interface TenantScaleOut {
  /** The budget every process shares for one credential (`credential` only keys it, never stored as is). */
  budget(system: UpstreamSystem, baseUrl: string, credential: string, limits: { limit: number; windowMs: number }): RateBudget;
  progressBus(clock: Clock, observe: (event: ProgressEvent) => void): ProgressBus & { close(): Promise<void> };
  cachePeers: CachePeers;
  dispatch: RunDispatch;
}

export interface Tenant {
  id: string;
  store: GatewayStore;
  readModel: ReadModel;
  engine: SyncEngine;
  bus: ProgressBus;
  /** Every upstream client, for metrics. */
  upstreams: UpstreamClient[];
  /** The same clients by system. */
  http: Partial<Record<UpstreamSystem, UpstreamClient>>;
  /** Inbound BambooHR webhooks → targeted syncs. */
  webhooks: WebhookIntake<DeliveryHeaders>;
  /** What its runs, events, webhooks and employees' current statuses are timed and dated by. */
  clock: Clock;
  /** Where each upstream is, for readiness checks. */
  origins: { system: UpstreamClient['system']; url: string }[];
  /** Sources this tenant reads employees from. */
  sources: Source[];
  /** The revision of the connections it was opened with (connections/stored.ts). */
  revision: string | null;
  /** Its connections' health: what its clients see, recorded as runs end and tests are made. */
  health: TenantHealth;
  close(): Promise<void>;
  /**
   * Once a tenant opened over it has taken its progress bus: takes no more webhook changes (the
   * successor gathers them from the outbox), lets its runs finish — none is cancelled or paused — and
   * then closes all but the bus. `close` meanwhile pauses them instead, as at any stop.
   */
  retire(): Promise<void>;
}

/**
 * Litmos requests in flight at once. The read graph asks one call per team and per course, side by
 * side, and at the default of 4 thirty of them wait in eight rounds; the rate budget, not the pool,
 * is what protects the vendor, so reads go as wide as the budget lets them. (A run's writes keep their
 * own limit: sync/apply.ts.)
 */
const LITMOS_CONCURRENCY = 16;

/** Each source's defaults, as its vendor's folder declares them. */
const SOURCE_DEFAULTS: Record<Source, SourceDefaults> = { BAMBOOHR: BAMBOOHR_DEFAULTS, NAMELY: NAMELY_DEFAULTS };

/** Settings key of a source's learner shadow: per source, because runs of different sources may apply at once. */
export const shadowKey = (source: Source) => `learner-shadow:${source}`;
/** Settings key of a source's incremental checkpoint (core/checkpoint.ts): per tenant and source, like the shadow. */
export const checkpointKey = (source: Source) => `sync-checkpoint:${source}`;

type Settings = GatewayStore['settings'];

/**
 * Plans are stored in chunks (store/plans.ts); one planned before that is still read from the setting
 * keyed by its run, so a run planned before an upgrade still applies after it. Drafts stay settings.
 */
function planPortOf(plans: GatewayStore['plans'], settings: Settings): PlanPort {
  const planKey = (runId: string) => `plan:${runId}`;
  const draftKey = (runId: string) => `draft:${runId}`;
  return {
    get: async (tenant, runId) => (await plans.get<SyncPlan>(tenant, runId)) ?? settings.get<SyncPlan>(tenant, planKey(runId)),
    put: (tenant, runId, plan) => plans.put(tenant, runId, plan),
    draft: (tenant, runId) => settings.get<RunDraft>(tenant, draftKey(runId)),
    putDraft: (tenant, runId, draft) => settings.put(tenant, draftKey(runId), draft),
  };
}

function syncSettingsOf(settings: Settings): SyncSettingsPort {
  const policyKey = (source: Source) => `policy:${source}`;
  const departmentsKey = (source: Source) => `departments:${source}`;
  return {
    policy: (tenant, source) => settings.get<Policy>(tenant, policyKey(source)),
    putPolicy: (tenant, source, policy) => settings.put(tenant, policyKey(source), policy),
    departments: (tenant, source) => settings.get<string[]>(tenant, departmentsKey(source)),
    putDepartments: (tenant, source, departments) => settings.put(tenant, departmentsKey(source), departments),
    shadow: (tenant, source) => settings.get<Shadow>(tenant, shadowKey(source)),
    putShadow: (tenant, source, shadow) => settings.put(tenant, shadowKey(source), shadow),
    checkpoint: (tenant, source) => settings.get<SyncCheckpoint>(tenant, checkpointKey(source)),
    putCheckpoint: (tenant, source, checkpoint) => settings.put(tenant, checkpointKey(source), checkpoint),
  };
}

/** The store as the sync engine sees it: the repositories it uses, and plans and settings under names. */
export function syncStoreOf(store: GatewayStore): SyncStore {
  const { runs, records, journal, links, plans, settings, holds } = store;
  return { runs, records, journal, links, plans: planPortOf(plans, settings), settings: syncSettingsOf(settings), holds };
}

async function secret(store: GatewayStore, tenant: string, name: string): Promise<string> {
  const value = await store.secrets.get(tenant, name);
  if (!value) throw new ConfigError(`tenant ${tenant} has no ${name} credential stored`, { tenant, secret: name });
  return value;
}

export async function openTenant(options: TenantOptions): Promise<Tenant> {
  const { id, store } = options;
  const connections = await readConnections(store, id);
  if (!connections) throw new ConfigError(`tenant ${id} has no connections configured`, { tenant: id });
  const windowMs = options.rateWindowMs;
  const { scaleOut } = options;
  /** A private budget in embedded mode; the credential's shared one in distributed mode. */
  const budgetOf = (system: UpstreamSystem, baseUrl: string, credential: string, limit: number) =>
    scaleOut ? scaleOut.budget(system, baseUrl, credential, { limit, windowMs }) : { limit, windowMs };
  const upstreams: UpstreamClient[] = [];
  const hr: Partial<Record<Source, HrClient>> = {};
  const observed = observeUpstream(options.telemetry, id);
  // Filled once the credentials are read: whatever health keeps of an error is scrubbed of them first.
  let credentials: string[] = [];
  const health = trackHealth({
    tenant: id,
    ledger: options.health,
    clock: options.clock,
    scrub: (text) => credentials.reduce((clean, credential) => clean.split(credential).join('REDACTED'), text),
    log: options.telemetry.log,
  });
  const onEvent = (event: UpstreamEvent) => {
    observed(event);
    health.observe(event);
  };

  if (connections.bamboohr) {
    const apiKey = await secret(store, id, SECRET.bamboohrApiKey);
    const baseUrl = apiBaseUrl('bamboohr', { origin: connections.bamboohr.baseUrl, company: connections.bamboohr.companyDomain });
    const http = createUpstreamClient({
      system: 'bamboohr',
      onEvent,
      baseUrl,
      authorize: bambooHrAuthorize(apiKey),
      budget: budgetOf('bamboohr', baseUrl, apiKey, options.rateLimits.bamboohr),
    });
    upstreams.push(http);
    hr.BAMBOOHR = createBambooHrClient({
      http,
      companyDomain: connections.bamboohr.companyDomain,
      clock: options.clock,
      // The policy is per tenant and source and an admin may change it between runs: read it at each read.
      accessFlagFieldName: async () => (await engine.policy('BAMBOOHR')).accessFlag.fieldName,
    });
  }
  if (connections.namely) {
    const token = await secret(store, id, SECRET.namelyToken);
    const http = createUpstreamClient({
      system: 'namely',
      onEvent,
      baseUrl: connections.namely.baseUrl,
      authorize: ({ headers }) => void (headers.authorization = `Bearer ${token}`),
      budget: budgetOf('namely', connections.namely.baseUrl, token, options.rateLimits.namely),
    });
    upstreams.push(http);
    // The Namely client takes the flag's label when it is built, and building one is free, so each
    // read builds one with the label the policy holds at that moment.
    const namely = async () => createNamelyClient({ http, accessFlagFieldName: (await engine.policy('NAMELY')).accessFlag.fieldName, clock: options.clock });
    hr.NAMELY = {
      source: 'NAMELY',
      listEmployees: async () => (await namely()).listEmployees(),
      getEmployees: async (sourceIds) => (await namely()).getEmployees(sourceIds),
      changes: { mark: async () => (await namely()).changes.mark(), read: async (since) => (await namely()).changes.read(since) },
    };
  }
  const litmosKey = await secret(store, id, SECRET.litmosApiKey);
  const litmosHttp = createUpstreamClient({
    system: 'litmos',
    onEvent,
    baseUrl: connections.litmos.baseUrl,
    authorize: ({ headers }) => void (headers.apikey = litmosKey),
    budget: budgetOf('litmos', connections.litmos.baseUrl, litmosKey, options.rateLimits.litmos),
    concurrency: LITMOS_CONCURRENCY,
  });
  upstreams.push(litmosHttp);
  for (const client of upstreams) options.telemetry.metrics.watchBudget(id, client.system, () => client.budget());
  const litmos = createLitmosClient({ http: litmosHttp, applicationName: connections.litmos.applicationName });

  const cache = createReadCache({
    keyv: store.cache,
    prefix: `tenant:${id}`,
    ttlMs: options.cacheTtlMs,
    ...(scaleOut && { peers: scaleOut.cachePeers }),
    onRefreshError: (key, error) => options.telemetry.log.warn({ tenant: id, key, err: error }, 'read cache refresh failed; serving the last good copy'),
  });
  const shadow = async () => {
    const shadows = await Promise.all((Object.keys(hr) as Source[]).map((source) => store.settings.get<Shadow>(id, shadowKey(source))));
    return Object.assign({}, ...shadows.map((s) => s ?? {})) as Shadow;
  };
  const readModel = createReadModel({ hr, litmos, cache, shadow, links: () => store.links.list(id), catalogueTtlMs: options.cacheTtlMs * 4 });
  const logRuns = observeRuns(options.telemetry, id);
  const notifyRuns = options.notifier?.observer(id);
  const observe = notifyRuns
    ? (event: ProgressEvent) => {
        logRuns(event);
        notifyRuns(event);
      }
    : logRuns;
  const owned = takeBus(options.takeOver) ?? openBus(options, observe);
  const { bus } = owned;
  credentials = (await Promise.all(Object.values(CREDENTIAL_SECRET).map((name) => store.secrets.get(id, name)))).filter(
    (value): value is string => value !== null && value.length >= 4,
  );
  const engine = createSyncEngine({
    tenant: id,
    store: syncStoreOf(store),
    hr,
    litmos,
    litmosBudget: () => litmosHttp.budget(),
    litmosEta: (requests) => litmosHttp.budget().etaMs(requests),
    readModel,
    bus,
    defaultPolicy: (source) => defaultPolicy(SOURCE_DEFAULTS[source]),
    onAction: observeActions(options.telemetry),
    onRunEnded: (run, failure) => health.runEnded(run, failure),
    now: options.clock,
    ...(scaleOut && { dispatch: scaleOut.dispatch }),
  });
  const webhooks = createWebhookIntake({
    engine,
    outbox: store.outbox,
    tenant: id,
    source: 'BAMBOOHR',
    deliveries: bambooHrDeliveries(() => store.secrets.get(id, SECRET.bamboohrWebhookKey).then((key) => key ?? undefined)),
    roster: async (fresh) => {
      if (fresh) await readModel.invalidate({ source: 'BAMBOOHR' });
      return new Set(hr.BAMBOOHR ? (await readModel.employees('BAMBOOHR')).map((employee) => employee.sourceId) : []);
    },
    clock: options.clock,
    onError: (error) => options.telemetry.log.error({ tenant: id, err: error }, 'webhook sync failed to start'),
    ...(options.webhookGatherMs !== undefined && { gatherMs: options.webhookGatherMs }),
  });
  // Once, whichever asks first: a tenant retiring is closed at once (its runs paused) when the process stops.
  let closing: Promise<void> | undefined;
  const closeAllButBus = () =>
    (closing ??= (async () => {
      webhooks.close();
      await engine.close();
      await Promise.all(upstreams.map((client) => client.close()));
      cache.close();
    })());
  const tenant: Tenant = {
    id,
    store,
    readModel,
    engine,
    bus,
    upstreams,
    http: Object.fromEntries(upstreams.map((client) => [client.system, client])),
    webhooks,
    clock: options.clock,
    origins: [
      ...(connections.bamboohr ? [{ system: 'bamboohr' as const, url: connections.bamboohr.baseUrl }] : []),
      ...(connections.namely ? [{ system: 'namely' as const, url: connections.namely.baseUrl }] : []),
      { system: 'litmos' as const, url: connections.litmos.baseUrl },
    ],
    sources: Object.keys(hr) as Source[],
    revision: connections.revision,
    health,
    close: async () => {
      await closeAllButBus();
      await buses.get(tenant)?.close?.();
    },
    retire: async () => {
      webhooks.close();
      await engine.idle();
      await closeAllButBus();
    },
  };
  buses.set(tenant, owned);
  return tenant;
}

/** A tenant's progress bus, and how to close it (the shared one holds a subscription); it passes to the tenant opened over it. */
interface OwnedBus {
  bus: ProgressBus;
  close?: () => Promise<void>;
}
const buses = new WeakMap<Tenant, OwnedBus>();

function openBus(options: TenantOptions, observe: (event: ProgressEvent) => void): OwnedBus {
  const shared = options.scaleOut?.progressBus(options.clock, observe);
  return shared ? { bus: shared, close: () => shared.close() } : { bus: createProgressBus(options.clock, observe) };
}

/** The bus of the tenant opened over, which no longer owns it. */
function takeBus(predecessor: Tenant | undefined): OwnedBus | undefined {
  const owned = predecessor && buses.get(predecessor);
  if (predecessor) buses.delete(predecessor);
  return owned;
}

export interface TenantRegistry {
  /**
   * The tenant's runtime, opened on first use; ForbiddenError when it has no connections configured.
   * Opened again, here as in every other process, once its connections have changed: see below.
   * `fresh`: look at the stored connections now rather than at most every `recheckMs`.
   */
  get(id: string, options?: { fresh?: boolean }): Promise<Tenant>;
  /** The tenant as this registry last opened it, without any I/O; undefined before it has. */
  current(id: string): Tenant | undefined;
  close(): Promise<void>;
}

export interface TenantRegistryOptions {
  /** The stored revision of a tenant's connections (connectionsRevision); without it a tenant is never opened again. */
  revision?: (id: string) => Promise<string | null>;
  /** Least time between two looks at a tenant's stored revision, ms. @default 3000 */
  recheckMs?: number;
  /** Told when a tenant opened over could not be closed. */
  onError?: (error: unknown, tenant: string) => void;
}

/**
 * Each tenant's runtime (clients, budgets, engine, progress bus) opened once and shared by every
 * request of that tenant. A tenant exists once its connections are stored; until then its tokens
 * can do nothing, rather than fall through to another tenant's data.
 *
 * Connections change without a restart (setConnection): whenever a tenant is asked for and its last
 * look is `recheckMs` old, the registry compares the revision it was opened with against the stored
 * one, and on a difference opens the tenant again over the old one, which hands over its progress
 * bus and retires — its runs finish with the connections they started with, then it closes. Every
 * process does the same with its own registry, so a connection set through one replica reaches the
 * others and the workers within `recheckMs` of their next use of the tenant, with nothing but a
 * store read every few seconds.
 */
export function createTenantRegistry(open: (id: string, takeOver?: Tenant) => Promise<Tenant>, options: TenantRegistryOptions = {}): TenantRegistry {
  interface Entry {
    tenant: Promise<Tenant>;
    latest?: Tenant;
    /** When the stored revision was last looked at (elapsed time, `Date.now`). */
    checkedAt: number;
    checking?: Promise<Tenant>;
  }
  const entries = new Map<string, Entry>();
  /** Tenants opened over, until their runs have finished and they have closed. */
  const retiring = new Map<Tenant, Promise<void>>();
  const recheckMs = options.recheckMs ?? 3000;

  const opened = (entry: Entry, tenant: Tenant) => {
    entry.latest = tenant;
    entry.tenant = Promise.resolve(tenant);
    return tenant;
  };

  function first(id: string): Promise<Tenant> {
    const entry: Entry = {
      checkedAt: Date.now(),
      tenant: open(id).then(
        (tenant) => opened(entry, tenant),
        (error: unknown) => {
          entries.delete(id);
          if (error instanceof ConfigError) throw new ForbiddenError(`tenant ${id} has no connections configured yet`, { tenant: id });
          throw error;
        },
      ),
    };
    entries.set(id, entry);
    return entry.tenant;
  }

  async function recheck(id: string, entry: Entry, revisionOf: (id: string) => Promise<string | null>): Promise<Tenant> {
    entry.checkedAt = Date.now();
    const current = await entry.tenant;
    if ((await revisionOf(id)) === current.revision) return current;
    const next = opened(entry, await open(id, current));
    retiring.set(
      current,
      current
        .retire()
        .catch((error: unknown) => options.onError?.(error, id))
        .finally(() => retiring.delete(current)),
    );
    return next;
  }

  return {
    get(id, { fresh = false } = {}) {
      const entry = entries.get(id);
      if (!entry) return first(id);
      const revisionOf = options.revision;
      if (!revisionOf || (!fresh && Date.now() - entry.checkedAt < recheckMs)) return entry.tenant;
      // Asked fresh (after a change), a look already under way may have read the revision before it: look again after it.
      const under = entry.checking;
      if (!under || fresh) {
        const look: Promise<Tenant> = (under ?? Promise.resolve())
          .catch(() => undefined)
          .then(() => recheck(id, entry, revisionOf))
          .finally(() => {
            if (entry.checking === look) entry.checking = undefined;
          });
        entry.checking = look;
      }
      const checking = entry.checking ?? entry.tenant;
      // A look that failed leaves the tenant as it was, for the next look to try again; asked fresh, it says why.
      return fresh ? checking : checking.catch(() => entry.tenant);
    },
    current: (id) => entries.get(id)?.latest,
    async close() {
      await Promise.allSettled([...entries.values()].map((entry) => entry.checking ?? entry.tenant));
      await Promise.all([...entries.values()].flatMap((entry) => (entry.latest ? [entry.latest.close()] : [])));
      // A retiring tenant's runs are paused like any other's, not waited for: they resume at the next start.
      await Promise.all([...retiring].map(([tenant, retired]) => tenant.close().then(() => retired)));
    },
  };
}
