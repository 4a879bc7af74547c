/**
 * The composition root: configuration in, a running gateway out. Opens the store, records the
 * default tenant's connections (credentials encrypted), carries on unfinished runs, and serves.
 */
import type { Config } from './config.js';
import type { GatewayContext, Principal } from './context.js';
import { createLoaders } from './datasources/loaders.js';
import { ConfigError, UnauthenticatedError } from './errors.js';
import { toGraphQLError } from './errors-graphql.js';
import { startSandbox, SANDBOX_CREDENTIALS, type RunningSandbox } from './sandbox/index.js';
import { buildGatewaySchema } from './schema/build.js';
import { startHttpServer } from './server.js';
import { loadOrCreateSecretKey, parseSecretKey } from './store/secrets.js';
import { openStore } from './store/open.js';
import { gatewayRoutes } from './routes.js';
import { createSchedule, type Schedule } from './sync/schedule.js';
import { openTenant, saveConnections, type GatewayStore, type Tenant } from './tenant.js';
import type { RunRecord, SyncRun } from './sync/run.js';

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
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** A sandbox already running (tests share one); otherwise `serve` starts its own when no upstream is configured. */
  sandbox?: RunningSandbox;
}

async function recordConnections(config: Config, store: GatewayStore, sandbox: RunningSandbox | null): Promise<void> {
  if (sandbox) {
    return saveConnections(
      store,
      DEFAULT_TENANT,
      {
        bamboohr: { baseUrl: sandbox.bamboohr.url, companyDomain: sandbox.bamboohr.companyDomain },
        namely: { baseUrl: sandbox.namely.baseUrl },
        litmos: { baseUrl: sandbox.litmos.baseUrl, source: SANDBOX_CREDENTIALS.litmos.source },
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
      litmos: { baseUrl: `${litmos.baseUrl}/v1.svc`, source: litmos.source },
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
  const ownSandbox = config.useSandbox && !options.sandbox;
  const sandbox = config.useSandbox
    ? (options.sandbox ??
      (await startSandbox({
        port: config.sandbox.port,
        employees: config.sandbox.employees,
        seed: config.sandbox.seed,
        rateWindowMs: config.sandbox.rateWindowMs,
        latencyMs: config.sandbox.latencyMs,
      })))
    : null;
  const secretKey = config.secretKey ? parseSecretKey(config.secretKey) : await loadOrCreateSecretKey(config.dataDir);
  const store: GatewayStore = await openStore<SyncRun, RunRecord>({ url: config.storeUrl, secretKey });
  await recordConnections(config, store, sandbox);
  const generatedAdminToken = await adminToken(config, store);
  const tenant = await openTenant({
    id: DEFAULT_TENANT,
    store,
    rateLimits: config.rateLimits,
    rateWindowMs: config.rateWindowMs,
    cacheTtlMs: config.cacheTtlSeconds * 1000,
  });
  await tenant.engine.recover();
  const schedule: Schedule | null = config.syncSchedule ? createSchedule({ cron: config.syncSchedule, tenant }) : null;

  const context = async (authorization: string | undefined): Promise<GatewayContext> => {
    const principal = await authenticate(store, authorization).catch((error: UnauthenticatedError) => {
      throw toGraphQLError(error);
    });
    return {
      principal,
      tenant,
      loaders: createLoaders({ readModel: tenant.readModel }),
    };
  };

  const server = await startHttpServer({
    schema: await buildGatewaySchema(),
    context,
    routes: gatewayRoutes({ store, tenant, authenticate: (header) => authenticate(store, header) }),
    port: config.port,
    host: config.host,
  });

  return {
    url: server.url,
    port: server.port,
    generatedAdminToken,
    tenant,
    store,
    sandbox,
    close: async () => {
      schedule?.stop();
      await server.close();
      await tenant.close();
      await store.close();
      if (ownSandbox) await sandbox?.close();
    },
  };
}

export async function authenticate(store: GatewayStore, authorization: string | undefined): Promise<Principal> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>; no bearer token was received');
  const principal = await store.tokens.verify(token);
  if (!principal) throw new UnauthenticatedError('the bearer token is not valid (unknown or revoked)');
  return { tenant: principal.tenant, role: principal.role, tokenId: principal.id };
}
