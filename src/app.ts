/**
 * The composition root: configuration in, a running gateway out. Opens the store, forgets the sync
 * state of a sandbox that was reseeded under it, records the default tenant's connections
 * (credentials encrypted), carries on unfinished runs, checks each configured upstream once, and serves.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { GatewayContext, Principal } from './context.js';
import { createLoaders } from './datasources/loaders.js';
import { SOURCES } from './model.js';
import { ConfigError, ForbiddenError, UnauthenticatedError, type UpstreamSystem } from './errors.js';
import { toGraphQLError } from './errors-graphql.js';
import { SANDBOX_CREDENTIALS, startSandbox, type RunningSandbox } from '@rostergate/sandbox';
import { readResponseCache } from './resolvers/response-cache.js';
import { buildGatewaySchema } from './schema/build.js';
import { startHttpServer } from './server.js';
import { createUpstreamReadiness, gatewayRoutes, type UpstreamProbe, type UpstreamReadinessOptions } from './routes.js';
import { openRuntime, type RuntimeOptions } from './runtime.js';
import { checkpointKey, saveConnections, shadowKey, type GatewayStore, type Tenant } from './tenant.js';
import { today } from './time.js';
import { observeOperations } from './telemetry/observe.js';
import type { Logger } from './telemetry/log.js';
import { VERSION } from './version.js';

export const DEFAULT_TENANT = 'default';
const BOOTSTRAP_TOKEN = 'bootstrap-admin-token-id';

export interface RunningGateway {
  url: string;
  port: number;
  /** The admin token `serve` generated at this start; null when ROSTERGATE_ADMIN_TOKEN set one. */
  generatedAdminToken: string | null;
  tenant: Tenant;
  store: GatewayStore;
  sandbox: RunningSandbox | null;
  /** What start-up forgot because the sandbox under the store was reseeded; null when nothing was. */
  sandboxReset: SandboxReset | null;
  /**
   * The start-up check of each configured upstream (one authenticated call each): resolves with a
   * message per failing one, naming the setting to fix. Never rejects; `/readyz` answers 503 with
   * the same messages until a later check passes. Empty with the embedded sandbox, which is not checked.
   */
  upstreamProblems: Promise<string[]>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A sandbox already running (tests share one); otherwise `serve` starts its own when no upstream is configured. */
  sandbox?: RunningSandbox;
  /** Readiness timing (tests): how often a failing upstream is re-checked, and the clock. */
  readiness?: Pick<UpstreamReadinessOptions, 'recheckMs' | 'waitMs' | 'now'>;
  /** What every instant and "today" is read from; a sandbox started here is seeded for its day. @default systemClock */
  clock?: Clock;
  /** Where log lines go. @default a logger at the config's level, on stdout */
  logger?: Logger;
  /** In distributed mode, whether this process also executes runs from the queue (`serve --no-worker`: false). @default true */
  worker?: boolean;
  /** Told when a connection enters or leaves ERROR (RuntimeOptions.onHealthChange). */
  onHealthChange?: RuntimeOptions['onHealthChange'];
  /** How often an opened tenant looks whether its connections changed (RuntimeOptions.connectionsRecheckMs). */
  connectionsRecheckMs?: number;
}

export interface SandboxReset {
  /** Runs that were applying or awaiting approval, ended FAILED instead of resumed. */
  endedRuns: string[];
  /** Identity links forgotten. */
  links: number;
}

/** Settings key of the sandbox generation the default tenant's sync state belongs to. */
const SANDBOX_GENERATION = 'sandbox-generation';

interface SandboxGeneration {
  id: string;
  /** When this gateway first saw it, for whoever reads the store. */
  seenAt: string;
}

/**
 * One id per sandbox object, i.e. per seeding: a sandbox keeps its state only in memory, so every
 * `startSandbox` is a new world, while a gateway restarted over the same running sandbox (tests)
 * finds the world it left.
 */
const generations = new WeakMap<RunningSandbox, SandboxGeneration>();

function generationOf(sandbox: RunningSandbox, now: Date): SandboxGeneration {
  let generation = generations.get(sandbox);
  if (!generation) {
    generation = { id: randomUUID(), seenAt: now.toISOString() };
    generations.set(sandbox, generation);
  }
  return generation;
}

const RESEEDED =
  'ended at start: the embedded sandbox this run planned against was reseeded (it is at every start), so the teams and learners in its plan no longer exist; start a new sync';

/**
 * The embedded sandbox is reseeded at every start, so the store's memory of the previous one is
 * about a world that is gone: links and learner shadows name learners it no longer has, and a run
 * left APPLYING or AWAITING_APPROVAL holds a plan naming its teams ("Team … not found" on resume).
 *
 * Why reset rather than persist the sandbox next to the store: the sandbox is a demo world
 * generated from ROSTERGATE_SANDBOX_SEED/EMPLOYEES relative to today, and a newcomer restarting
 * `npm start` expects a coherent gateway, which a fresh world with fresh sync state is; persisting
 * would mean serialising three simulators' state and still drifting when the day changes. The reset
 * touches only what describes the old world — policies, tokens, credentials and run history stay —
 * and runs only when the store's marker shows another sandbox (or real upstreams) under it.
 * The ended runs' journals and plans stay as history: they are read only when their run resumes,
 * which an ended run never does.
 */
async function forgetPreviousWorld(store: GatewayStore, tenant: string, clock: Clock): Promise<SandboxReset> {
  const endedRuns: string[] = [];
  for (const source of SOURCES) {
    // Runs not yet planned (QUEUED, FETCHING, PLANNING) are left: recovery starts them over with a fresh read.
    for (let run = await store.runs.findActive(tenant, source, ['APPLYING', 'AWAITING_APPROVAL']); run;) {
      await store.runs.transition(tenant, run.id, {
        from: ['APPLYING', 'AWAITING_APPROVAL'],
        patch: { status: 'FAILED', error: RESEEDED, finishedAt: clock().toISOString() },
      });
      endedRuns.push(run.id);
      run = await store.runs.findActive(tenant, source, ['APPLYING', 'AWAITING_APPROVAL']);
    }
    await store.settings.put(tenant, shadowKey(source), {});
    // The checkpoint is a place in the old sandbox's change feeds; the next incremental run reads everything.
    await store.settings.put(tenant, checkpointKey(source), null);
  }
  const links = await store.links.clear(tenant);
  // Cached upstream reads (learners, teams, members) describe the old world too; a cache costs only a re-read.
  await store.cache.clear();
  return { endedRuns, links };
}

/** Resets the default tenant's sync state when the world under the store is not the one it was built against. */
async function reconcileSandboxGeneration(store: GatewayStore, sandbox: RunningSandbox | null, clock: Clock): Promise<SandboxReset | null> {
  const stored = await store.settings.get<SandboxGeneration>(DEFAULT_TENANT, SANDBOX_GENERATION);
  const current = sandbox ? generationOf(sandbox, clock()) : null;
  // Same sandbox, or real upstreams all along: the store's state is about the world it sees.
  if (stored?.id === current?.id || (!stored && !current)) return null;
  const reset = await forgetPreviousWorld(store, DEFAULT_TENANT, clock);
  await store.settings.put(DEFAULT_TENANT, SANDBOX_GENERATION, current);
  return reset;
}

async function recordConnections(config: Config, store: GatewayStore, sandbox: RunningSandbox | null): Promise<void> {
  if (sandbox) {
    return saveConnections(
      store,
      DEFAULT_TENANT,
      {
        bamboohr: { baseUrl: sandbox.bamboohr.url, companyDomain: sandbox.bamboohr.companyDomain },
        namely: { baseUrl: sandbox.namely.baseUrl },
        // The sandbox names it as Litmos does (`source`); to the gateway it is the application name.
        litmos: { baseUrl: sandbox.litmos.baseUrl, applicationName: SANDBOX_CREDENTIALS.litmos.source },
      },
      {
        bamboohrApiKey: SANDBOX_CREDENTIALS.bamboohr.apiKey,
        namelyToken: SANDBOX_CREDENTIALS.namely.token,
        litmosApiKey: SANDBOX_CREDENTIALS.litmos.apiKey,
      },
    );
  }
  const { bamboohr, namely, litmos } = config.upstreams;
  if (!litmos) throw new ConfigError('LITMOS_API_KEY and LITMOS_SOURCE are required when upstreams are configured', { variable: 'LITMOS_API_KEY' });
  return saveConnections(
    store,
    DEFAULT_TENANT,
    {
      ...(bamboohr && { bamboohr: { baseUrl: bamboohr.baseUrl, companyDomain: bamboohr.subdomain } }),
      ...(namely && { namely: { baseUrl: namely.baseUrl } }),
      // Already the API base URI (config normalised it, see datasources/base-url.ts).
      litmos: { baseUrl: litmos.baseUrl, applicationName: litmos.applicationName },
    },
    {
      ...(bamboohr && { bamboohrApiKey: bamboohr.apiKey }),
      ...(namely && { namelyToken: namely.token }),
      litmosApiKey: litmos.apiKey,
    },
  );
}

/** A configured token is kept as given; otherwise a fresh one replaces the last generated one. */
async function adminToken(config: Config, store: GatewayStore): Promise<string | null> {
  if (config.adminToken) {
    await store.tokens.ensure(DEFAULT_TENANT, 'ADMIN', config.adminToken);
    return null;
  }
  const previous = await store.settings.get<string>(DEFAULT_TENANT, BOOTSTRAP_TOKEN);
  if (previous) await store.tokens.revoke(previous);
  const { token, id } = await store.tokens.issue(DEFAULT_TENANT, 'ADMIN', 'generated at start');
  await store.settings.put(DEFAULT_TENANT, BOOTSTRAP_TOKEN, id);
  return token;
}

export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<RunningGateway> {
  const runtime = await openRuntime(config, {
    ...(options.clock && { clock: options.clock }),
    ...(options.logger && { logger: options.logger }),
    ...(options.onHealthChange && { onHealthChange: options.onHealthChange }),
    ...(options.connectionsRecheckMs !== undefined && { connectionsRecheckMs: options.connectionsRecheckMs }),
  });
  const { clock, telemetry, store, tenants, scaleOut } = runtime;
  const ownSandbox = config.useSandbox && !options.sandbox;
  const sandbox = config.useSandbox
    ? (options.sandbox ??
      (await startSandbox({
        port: config.sandbox.port,
        employees: config.sandbox.employees,
        seed: config.sandbox.seed,
        rateWindowMs: config.sandbox.rateWindowMs,
        latencyMs: config.sandbox.latencyMs,
        today: today(clock()),
      })))
    : null;
  // Before the tenant opens and recovers runs: a run must not resume against a world that lost its teams.
  const sandboxReset = await reconcileSandboxGeneration(store, sandbox, clock);
  await recordConnections(config, store, sandbox);
  const generatedAdminToken = await adminToken(config, store);
  if (options.worker !== false) runtime.serveRuns();
  const tenant = await tenants.get(DEFAULT_TENANT);
  await tenant.engine.recover();
  // The default tenant as it is now: opened again when its connections change (setConnection).
  const current = () => tenants.get(DEFAULT_TENANT);
  const upstreams = createUpstreamReadiness({ probes: upstreamProbes(config, tenant, current), ...options.readiness });
  // Not awaited: the gateway serves regardless, and /readyz tells whoever asks until a check passes.
  const upstreamProblems = upstreams.checkAll();
  // Every stored schedule's timer (embedded mode: this process's; distributed: set again in Redis, idempotently).
  await runtime.scheduling.bootstrap(tenant.id, tenant.sources, config.syncSchedule);
  await runtime.scheduling.restore();

  // Everything a request reaches goes through the principal's own tenant: a token issued for one
  // tenant can never name another's runs, employees or subscriptions.
  const context = async (authorization: string | undefined): Promise<GatewayContext> => {
    try {
      const principal = await authenticate(store, authorization);
      const { scheduling, connections, notifier } = runtime;
      const own = await tenants.get(principal.tenant).catch((error: unknown) => {
        // A tenant not connected yet is still its admin's to connect: see UnconnectedContext.
        if (error instanceof ForbiddenError) return new ForbiddenError(`${error.message}: an ADMIN connects LITMOS first with setConnection`, error.details);
        throw error;
      });
      if (own instanceof ForbiddenError) return new UnconnectedContext(principal, { scheduling, connections, notifier }, own);
      return { principal, tenant: own, loaders: createLoaders({ readModel: own.readModel }), scheduling, connections, notifier };
    } catch (error) {
      throw error instanceof UnauthenticatedError || error instanceof ForbiddenError ? toGraphQLError(error) : error;
    }
  };

  const { inbound } = config;
  const server = await startHttpServer({
    schema: await buildGatewaySchema(),
    context,
    routes: gatewayRoutes({
      store,
      tenant: current,
      upstreams,
      telemetry,
      ...(scaleOut && { pingRedis: () => scaleOut.redis.client.ping() }),
      maxWebhookBytes: inbound.maxWebhookBytes,
      authenticate: (header) => authenticate(store, header),
    }),
    port: config.port,
    host: config.host,
    limits: inbound.operation,
    maxBodyBytes: inbound.maxBodyBytes,
    allowedOrigins: inbound.corsOrigins,
    limiter: store.limiter({ points: inbound.requestsPerMinute, durationSeconds: 60 }),
    requestTimeoutMs: inbound.requestTimeoutMs,
    observe: observeOperations(telemetry),
    ide: config.ide,
    plugins: readResponseCache<GatewayContext>({
      maxAgeSeconds: config.cacheTtlSeconds,
      scope: ({ principal, tenant }) => ({ tenant: principal.tenant, role: principal.role, data: tenant.readModel.generation(), day: today(tenant.clock()) }),
    }),
  });
  telemetry.log.info(startLine(config, server.url, sandbox !== null), 'gateway started');

  return {
    url: server.url,
    port: server.port,
    generatedAdminToken,
    get tenant() {
      return tenants.current(DEFAULT_TENANT) ?? tenant;
    },
    store,
    sandbox,
    sandboxReset,
    upstreamProblems,
    close: async () => {
      telemetry.log.info('gateway stopping');
      await server.close();
      await runtime.close();
      if (ownSandbox) await sandbox?.close();
    },
  };
}

/**
 * The context of a tenant that cannot be opened yet because it has no connections (or lacks a
 * credential): resolvers that need only the connection service (`connections`, `setConnection`)
 * answer, so its admin can connect it through the API; everything that needs the tenant's runtime
 * is refused with `why`, in the resolver that asked, rather than the whole request before any resolver.
 * A class, so the refusing getters live on its prototype: Apollo copies a context's own properties
 * (Object.assign) before each operation, which would call them.
 */
class UnconnectedContext implements GatewayContext {
  readonly scheduling: GatewayContext['scheduling'];
  readonly connections: GatewayContext['connections'];
  readonly notifier: GatewayContext['notifier'];

  constructor(
    readonly principal: Principal,
    services: Pick<GatewayContext, 'scheduling' | 'connections' | 'notifier'>,
    private readonly why: ForbiddenError,
  ) {
    this.scheduling = services.scheduling;
    this.connections = services.connections;
    this.notifier = services.notifier;
  }

  get tenant(): Tenant {
    throw this.why;
  }

  get loaders(): GatewayContext['loaders'] {
    throw this.why;
  }
}

/** What a start says about itself: never a credential, never a store URL's password. */
function startLine(config: Config, url: string, embedded: boolean) {
  const { bamboohr, namely, litmos } = config.upstreams;
  return {
    version: VERSION,
    url,
    mode: embedded ? 'embedded sandbox' : 'configured upstreams',
    store: /^[a-z]+/.exec(config.storeUrl)?.[0] ?? 'unknown',
    upstreams: { bamboohr: bamboohr?.baseUrl, namely: namely?.baseUrl, litmos: litmos?.baseUrl },
  };
}

/**
 * One probe per upstream the operator configured, named by the variables that configure it. The
 * embedded sandbox is not probed: the gateway wrote its URLs and keys itself, and probing it would
 * only add calls to every test's counts.
 */
function upstreamProbes(config: Config, tenant: Tenant, current: () => Promise<Tenant>): UpstreamProbe[] {
  // Each call goes through the tenant as it is then: a client of a tenant opened over is closed.
  const clientOf = (system: UpstreamSystem): UpstreamProbe['client'] => ({
    request: async (request) => {
      const client = (await current()).http[system];
      if (!client) throw new ConfigError(`${system} is no longer connected`, { system });
      return client.request(request);
    },
  });
  const { bamboohr, namely, litmos } = config.upstreams;
  const probes: UpstreamProbe[] = [];
  if (bamboohr && tenant.http.bamboohr) {
    probes.push({
      system: 'bamboohr',
      client: clientOf('bamboohr'),
      baseUrlSetting: 'BAMBOOHR_BASE_URL',
      credentialSetting: 'BAMBOOHR_API_KEY',
      origin: bamboohr.baseUrl,
    });
  }
  if (namely && tenant.http.namely) {
    probes.push({
      system: 'namely',
      client: clientOf('namely'),
      baseUrlSetting: 'NAMELY_BASE_URL',
      credentialSetting: 'NAMELY_TOKEN',
      origin: new URL(namely.baseUrl).origin,
    });
  }
  if (litmos && tenant.http.litmos) {
    probes.push({
      system: 'litmos',
      client: clientOf('litmos'),
      baseUrlSetting: 'LITMOS_BASE_URL',
      credentialSetting: 'LITMOS_API_KEY',
      origin: new URL(litmos.baseUrl).origin,
      query: { source: litmos.applicationName },
    });
  }
  return probes;
}

export async function authenticate(store: GatewayStore, authorization: string | undefined): Promise<Principal> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>; no bearer token was received');
  const principal = await store.tokens.verify(token);
  if (!principal) throw new UnauthenticatedError('the bearer token is not valid (unknown or revoked)');
  return { tenant: principal.tenant, role: principal.role, tokenId: principal.id };
}
