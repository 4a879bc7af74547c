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
import { createUpstreamClient, type UpstreamClient } from './datasources/http.js';
import { createLitmosClient } from './datasources/litmos/client.js';
import { createNamelyClient, NAMELY_DEFAULTS } from './datasources/namely/client.js';
import { createReadModel, type ReadModel } from './datasources/read-model.js';
import { ConfigError, ForbiddenError, type UpstreamSystem } from './errors.js';
import type { Source } from './model.js';
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

/** Where a tenant's upstreams are; the credentials themselves live in the secret store. */
export interface Connections {
  bamboohr?: { baseUrl: string; companyDomain: string };
  namely?: { baseUrl: string };
  /** `applicationName`: what Litmos's `source` parameter carries on every call. */
  litmos: { baseUrl: string; applicationName: string };
}

/** Connections as stored: ones saved before `applicationName` had its name call it `source`. */
type StoredConnections = Omit<Connections, 'litmos'> & { litmos: { baseUrl: string; applicationName: string } | { baseUrl: string; source: string } };

/** Reads stored connections in today's shape, so a tenant set up by an earlier version still opens. */
function upgradeConnections(stored: StoredConnections): Connections {
  const { litmos } = stored;
  if ('applicationName' in litmos) return { ...stored, litmos };
  return { ...stored, litmos: { baseUrl: litmos.baseUrl, applicationName: litmos.source } };
}

export const SECRET = {
  bamboohrApiKey: 'bamboohr.apiKey',
  namelyToken: 'namely.token',
  litmosApiKey: 'litmos.apiKey',
  bamboohrWebhookKey: 'bamboohr.webhookKey',
} as const;

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
  close(): Promise<void>;
}

const CONNECTIONS = 'connections';

/** Each source's defaults, as its vendor's folder declares them. */
const SOURCE_DEFAULTS: Record<Source, SourceDefaults> = { BAMBOOHR: BAMBOOHR_DEFAULTS, NAMELY: NAMELY_DEFAULTS };

/** Settings key of a source's learner shadow: per source, because runs of different sources may apply at once. */
export const shadowKey = (source: Source) => `learner-shadow:${source}`;
/** Settings key of a source's incremental checkpoint (core/checkpoint.ts): per tenant and source, like the shadow. */
export const checkpointKey = (source: Source) => `sync-checkpoint:${source}`;

type Settings = GatewayStore['settings'];

/**
 * Plans and their drafts have no repository of their own yet: they are settings keyed by run, as
 * they always were, so runs planned before this port existed still apply after an upgrade.
 */
function planPortOf(settings: Settings): PlanPort {
  const planKey = (runId: string) => `plan:${runId}`;
  const draftKey = (runId: string) => `draft:${runId}`;
  return {
    get: (tenant, runId) => settings.get<SyncPlan>(tenant, planKey(runId)),
    put: (tenant, runId, plan) => settings.put(tenant, planKey(runId), plan),
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
  const { runs, records, journal, links, settings } = store;
  return { runs, records, journal, links, plans: planPortOf(settings), settings: syncSettingsOf(settings) };
}

export async function saveConnections(
  store: GatewayStore,
  tenant: string,
  connections: Connections,
  secrets: { bamboohrApiKey?: string; namelyToken?: string; litmosApiKey: string },
): Promise<void> {
  await store.settings.put(tenant, CONNECTIONS, connections);
  for (const [name, value] of Object.entries(secrets)) {
    if (value) await store.secrets.put(tenant, SECRET[name as keyof typeof SECRET], value);
  }
}

async function secret(store: GatewayStore, tenant: string, name: string): Promise<string> {
  const value = await store.secrets.get(tenant, name);
  if (!value) throw new ConfigError(`tenant ${tenant} has no ${name} credential stored`, { tenant, secret: name });
  return value;
}

export async function openTenant(options: TenantOptions): Promise<Tenant> {
  const { id, store } = options;
  const stored = await store.settings.get<StoredConnections>(id, CONNECTIONS);
  if (!stored) throw new ConfigError(`tenant ${id} has no connections configured`, { tenant: id });
  const connections = upgradeConnections(stored);
  const windowMs = options.rateWindowMs;
  const { scaleOut } = options;
  /** A private budget in embedded mode; the credential's shared one in distributed mode. */
  const budgetOf = (system: UpstreamSystem, baseUrl: string, credential: string, limit: number) =>
    scaleOut ? scaleOut.budget(system, baseUrl, credential, { limit, windowMs }) : { limit, windowMs };
  const upstreams: UpstreamClient[] = [];
  const hr: Partial<Record<Source, HrClient>> = {};
  const onEvent = observeUpstream(options.telemetry, id);

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
  });
  upstreams.push(litmosHttp);
  for (const client of upstreams) options.telemetry.metrics.watchBudget(id, client.system, () => client.budget());
  const litmos = createLitmosClient({ http: litmosHttp, applicationName: connections.litmos.applicationName });

  const cache = createReadCache({
    keyv: store.cache,
    prefix: `tenant:${id}`,
    ttlMs: options.cacheTtlMs,
    ...(scaleOut && { peers: scaleOut.cachePeers }),
  });
  const shadow = async () => {
    const shadows = await Promise.all((Object.keys(hr) as Source[]).map((source) => store.settings.get<Shadow>(id, shadowKey(source))));
    return Object.assign({}, ...shadows.map((s) => s ?? {})) as Shadow;
  };
  const readModel = createReadModel({ hr, litmos, cache, shadow, links: () => store.links.list(id), catalogueTtlMs: options.cacheTtlMs * 4 });
  const observe = observeRuns(options.telemetry, id);
  const sharedBus = scaleOut?.progressBus(options.clock, observe);
  const bus = sharedBus ?? createProgressBus(options.clock, observe);
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
  return {
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
    close: async () => {
      webhooks.close();
      await engine.close();
      await Promise.all(upstreams.map((client) => client.close()));
      cache.close();
      await sharedBus?.close();
    },
  };
}

export interface TenantRegistry {
  /** The tenant's runtime, opened on first use; ForbiddenError when it has no connections configured. */
  get(id: string): Promise<Tenant>;
  close(): Promise<void>;
}

/**
 * Each tenant's runtime (clients, budgets, engine, progress bus) opened once and shared by every
 * request of that tenant. A tenant exists once its connections are stored; until then its tokens
 * can do nothing, rather than fall through to another tenant's data.
 */
export function createTenantRegistry(open: (id: string) => Promise<Tenant>): TenantRegistry {
  const opened = new Map<string, Promise<Tenant>>();
  return {
    get(id) {
      let tenant = opened.get(id);
      if (!tenant) {
        tenant = open(id).catch((error: unknown) => {
          opened.delete(id);
          if (error instanceof ConfigError) throw new ForbiddenError(`tenant ${id} has no connections configured yet`, { tenant: id });
          throw error;
        });
        opened.set(id, tenant);
      }
      return tenant;
    },
    async close() {
      const all = await Promise.allSettled(opened.values());
      await Promise.all(all.flatMap((each) => (each.status === 'fulfilled' ? [each.value.close()] : [])));
    },
  };
}
