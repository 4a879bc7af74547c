/**
 * A tenant's connections as the API manages them: listed with their health and a credential shown
 * only as set or not and its last four characters; set one upstream at a time (validated by the same
 * base URL rule as the environment, datasources/base-url.ts), after which the tenant is opened again
 * here at once and in every other process within seconds (tenant.ts, `createTenantRegistry`); and
 * tested with the readiness check's one cheap authenticated call (routes.ts), whose verdict counts
 * toward the connection's health like a run's.
 */
import type { Clock } from '../clock.js';
import { UNTESTED, type ConnectionHealth } from '../core/connection-health.js';
import { apiBaseUrl, isCompanyName, LITMOS_REGIONS, parseBaseUrl, resolveCompany, type BaseUrl, type LitmosRegion } from '../datasources/base-url.js';
import { BadUserInputError, ConfigError, NotFoundError, type UpstreamSystem } from '../errors.js';
import { probeUpstream, type ProbeProblem, type UpstreamProbe } from '../datasources/probe.js';
import type { GatewayStore, TenantRegistry } from '../tenant.js';
import type { HealthLedger } from './health.js';
import { CREDENTIAL_SECRET, putConnection, readConnections, UPSTREAM_SYSTEMS, type Connection, type ConnectionSet, type ManagedBy } from './stored.js';

/** A connection as the API shows it: never its credential, only whether one is set and how it ends. */
export interface ConnectionView {
  system: UpstreamSystem;
  /** What the client calls: BambooHR's origin (the company is `subdomain`), Namely's and Litmos's API base URI. */
  baseUrl: string;
  /** BambooHR's company; Namely's, when its host is `{subdomain}.namely.com`. */
  subdomain: string | null;
  applicationName: string | null;
  /** Litmos: the region whose host `baseUrl` is; null for another host. */
  region: LitmosRegion | null;
  credential: { set: boolean; last4: string | null };
  managedBy: ManagedBy;
  updatedAt: string | null;
  health: ConnectionHealth;
}

/** What `setConnection` takes; fields left out keep their value on a connection that exists. */
export interface ConnectionInput {
  system: UpstreamSystem;
  baseUrl?: string;
  /** BambooHR's company, or Namely's (its host `https://{subdomain}.namely.com`). */
  subdomain?: string;
  region?: LitmosRegion;
  applicationName?: string;
  credential?: string;
}

export interface ConnectionTest {
  system: UpstreamSystem;
  ok: boolean;
  problem: ProbeProblem | null;
  /** What was found, naming the input field to fix. */
  message: string;
  connection: ConnectionView;
}

export interface ConnectionService {
  list(tenant: string): Promise<ConnectionView[]>;
  set(tenant: string, input: ConnectionInput): Promise<ConnectionView>;
  test(tenant: string, system: UpstreamSystem): Promise<ConnectionTest>;
}

const VENDOR: Record<UpstreamSystem, { name: string; credential: string }> = {
  bamboohr: { name: 'BambooHR', credential: 'API key' },
  namely: { name: 'Namely', credential: 'personal access token' },
  litmos: { name: 'Litmos', credential: 'API key' },
};

/** Which input fields each upstream takes. */
const FIELDS: Record<UpstreamSystem, readonly (keyof ConnectionInput)[]> = {
  bamboohr: ['baseUrl', 'subdomain', 'credential'],
  namely: ['baseUrl', 'subdomain', 'credential'],
  litmos: ['baseUrl', 'region', 'applicationName', 'credential'],
};

/** API keys and tokens as the vendors issue them: printable, no spaces; long enough that four characters give nothing away. */
const CREDENTIAL = /^[\x21-\x7e]{8,512}$/;
const MAX_APPLICATION_NAME = 100;

const refuse = (field: string, message: string) => new BadUserInputError(message, { field });

/** A base URL by the environment's rule, refused as input (naming `baseUrl`) rather than as configuration. */
function baseUrlOf(system: UpstreamSystem, raw: string): BaseUrl {
  try {
    return parseBaseUrl(system, raw, 'baseUrl');
  } catch (error) {
    throw error instanceof ConfigError ? refuse('baseUrl', error.message) : error;
  }
}

function companyOf(raw: string): string {
  const name = raw.trim();
  if (!isCompanyName(name)) throw refuse('subdomain', `subdomain must be a company's subdomain (letters, digits and hyphens), e.g. "acme"`);
  return name;
}

function bambooHr(input: ConnectionInput, stored: Connection<'bamboohr'> | undefined): Connection<'bamboohr'> {
  const base = baseUrlOf('bamboohr', input.baseUrl ?? stored?.baseUrl ?? 'https://api.bamboohr.com');
  // A new base URL naming its company stands for the subdomain unless one is given with it.
  const subdomain = input.subdomain === undefined ? (input.baseUrl === undefined ? stored?.companyDomain : undefined) : companyOf(input.subdomain);
  try {
    return { baseUrl: base.origin, companyDomain: resolveCompany(base, subdomain, { subdomain: 'subdomain', baseUrl: 'baseUrl' }) };
  } catch (error) {
    throw error instanceof ConfigError ? refuse('subdomain', error.message) : error;
  }
}

function namely(input: ConnectionInput, stored: Connection<'namely'> | undefined): Connection<'namely'> {
  if (input.subdomain !== undefined && input.baseUrl !== undefined) throw refuse('subdomain', 'give NAMELY a subdomain or a baseUrl, not both');
  if (input.subdomain !== undefined) return { baseUrl: `https://${companyOf(input.subdomain).toLowerCase()}.namely.com/api/v1` };
  if (input.baseUrl !== undefined) return { baseUrl: apiBaseUrl('namely', baseUrlOf('namely', input.baseUrl)) };
  if (stored) return stored;
  throw refuse('subdomain', 'NAMELY needs its company: a subdomain ("acme" for https://acme.namely.com) or a baseUrl');
}

function litmos(input: ConnectionInput, stored: Connection<'litmos'> | undefined): Connection<'litmos'> {
  if (input.region !== undefined && input.baseUrl !== undefined) throw refuse('region', 'give LITMOS a region or a baseUrl, not both');
  const origin = input.region ? LITMOS_REGIONS[input.region] : input.baseUrl !== undefined ? baseUrlOf('litmos', input.baseUrl).origin : undefined;
  const applicationName = (input.applicationName ?? stored?.applicationName ?? '').trim();
  if (!applicationName || applicationName.length > MAX_APPLICATION_NAME) {
    throw refuse('applicationName', `applicationName (what Litmos's source parameter carries) must be 1 to ${MAX_APPLICATION_NAME} characters`);
  }
  return { baseUrl: origin ? apiBaseUrl('litmos', { origin }) : (stored?.baseUrl ?? apiBaseUrl('litmos', { origin: LITMOS_REGIONS.US })), applicationName };
}

/** The connection `input` makes of the stored one (or of none); BadUserInputError naming the field otherwise. */
export function connectionOf(input: ConnectionInput, current: ConnectionSet | null): Connection {
  const stray = (Object.keys(input) as (keyof ConnectionInput)[]).find(
    (field) => field !== 'system' && input[field] !== undefined && !FIELDS[input.system].includes(field),
  );
  if (stray) throw refuse(stray, `${stray} does not apply to ${input.system.toUpperCase()}; it takes ${FIELDS[input.system].join(', ')}`);
  if (input.credential !== undefined && !CREDENTIAL.test(input.credential)) {
    // Its length may be said; the text itself is the secret.
    throw refuse('credential', `credential must be 8 to 512 printable characters without spaces; received ${input.credential.length} characters`);
  }
  if (!current?.[input.system] && input.credential === undefined) {
    throw refuse('credential', `a new ${input.system.toUpperCase()} connection needs its credential`);
  }
  if (input.system === 'bamboohr') return bambooHr(input, current?.bamboohr);
  if (input.system === 'namely') return namely(input, current?.namely);
  return litmos(input, current?.litmos);
}

const namelySubdomain = (baseUrl: string): string | null => /^([a-z0-9-]+)\.namely\.com$/i.exec(new URL(baseUrl).hostname)?.[1] ?? null;

const regionOf = (baseUrl: string): LitmosRegion | null =>
  (Object.keys(LITMOS_REGIONS) as LitmosRegion[]).find((region) => new URL(baseUrl).origin === LITMOS_REGIONS[region]) ?? null;

export function createConnectionService(options: { store: GatewayStore; tenants: TenantRegistry; health: HealthLedger; clock: Clock }): ConnectionService {
  const { store, tenants, health } = options;

  async function credentialOf(tenant: string, system: UpstreamSystem): Promise<ConnectionView['credential']> {
    const credential = await store.secrets.get(tenant, CREDENTIAL_SECRET[system]);
    return { set: credential !== null, last4: credential && credential.length >= 8 ? credential.slice(-4) : null };
  }

  async function view(tenant: string, system: UpstreamSystem, set: ConnectionSet): Promise<ConnectionView | null> {
    const connection = set[system];
    if (!connection) return null;
    return {
      system,
      baseUrl: connection.baseUrl,
      subdomain: 'companyDomain' in connection ? connection.companyDomain : system === 'namely' ? namelySubdomain(connection.baseUrl) : null,
      applicationName: 'applicationName' in connection ? connection.applicationName : null,
      region: system === 'litmos' ? regionOf(connection.baseUrl) : null,
      credential: await credentialOf(tenant, system),
      managedBy: connection.managedBy ?? 'ENVIRONMENT',
      updatedAt: connection.updatedAt ?? null,
      health: (await health.get(tenant, system)) ?? UNTESTED,
    };
  }

  async function mustView(tenant: string, system: UpstreamSystem): Promise<ConnectionView> {
    const set = await readConnections(store, tenant);
    const shown = set && (await view(tenant, system, set));
    if (!shown) throw new NotFoundError(`${system.toUpperCase()} is not connected for this tenant; connect it with setConnection`, { system });
    return shown;
  }

  return {
    async list(tenant) {
      const set = await readConnections(store, tenant);
      if (!set) return [];
      const views = await Promise.all(UPSTREAM_SYSTEMS.map((system) => view(tenant, system, set)));
      return views.filter((each) => each !== null);
    },
    async set(tenant, input) {
      const connection = connectionOf(input, await readConnections(store, tenant));
      const set = await putConnection(store, tenant, input.system, connection, input.credential, options.clock().toISOString());
      // Opened again here now; other processes notice the new revision within seconds.
      await tenants.get(tenant, { fresh: true });
      const shown = await view(tenant, input.system, set);
      if (!shown) throw new Error(`${input.system} connection was not stored`);
      return shown;
    },
    async test(tenant, system) {
      const current = await tenants.get(tenant, { fresh: true });
      const shown = await mustView(tenant, system);
      const client = current.http[system];
      if (!client) throw new NotFoundError(`${system.toUpperCase()} is not connected for this tenant; connect it with setConnection`, { system });
      const { name, credential } = VENDOR[system];
      const probe: UpstreamProbe = {
        system,
        client,
        baseUrlSetting: 'baseUrl',
        credentialSetting: `credential (the ${name} ${credential}${shown.credential.last4 ? ` ending …${shown.credential.last4}` : ''})`,
        origin: new URL(shown.baseUrl).origin,
        ...(shown.applicationName !== null && { query: { source: shown.applicationName } }),
        ...(system === 'bamboohr' && shown.subdomain !== null && { company: { name: shown.subdomain, setting: 'subdomain' } }),
      };
      const verdict = await probeUpstream(probe);
      const after = await current.health.tested(system, verdict.ok ? { ok: true } : { ok: false, error: verdict.message });
      const connection = { ...shown, health: after };
      if (verdict.ok) return { system, ok: true, problem: null, message: `${name} accepted the ${credential} and answered as its API does`, connection };
      return { system, ok: false, problem: verdict.problem, message: verdict.message, connection };
    },
  };
}
