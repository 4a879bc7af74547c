/**
 * A tenant's connections as stored: where each upstream is (a setting) and its credential (the
 * secret store, sealed to the tenant and its name). Two writers set them: the environment, at every
 * start of the default tenant (`saveConnections`), and admins through the API (`putConnection`), one
 * upstream at a time. Every change gets a new `revision`, which processes holding an opened tenant
 * compare with theirs to notice that they must open it again (tenant.ts, `createTenantRegistry`).
 */
import { randomUUID } from 'node:crypto';
import { BadUserInputError, type UpstreamSystem } from '../errors.js';
import type { Store } from '../store/open.js';

/** Where a tenant's upstreams are; the credentials themselves live in the secret store. */
export interface Connections {
  bamboohr?: { baseUrl: string; companyDomain: string };
  namely?: { baseUrl: string };
  /** `applicationName`: what Litmos's `source` parameter carries on every call. */
  litmos: { baseUrl: string; applicationName: string };
}

export const SECRET = {
  bamboohrApiKey: 'bamboohr.apiKey',
  namelyToken: 'namely.token',
  litmosApiKey: 'litmos.apiKey',
  bamboohrWebhookKey: 'bamboohr.webhookKey',
} as const;

/** The secret each upstream's credential is stored under. */
export const CREDENTIAL_SECRET: Record<UpstreamSystem, string> = {
  bamboohr: SECRET.bamboohrApiKey,
  namely: SECRET.namelyToken,
  litmos: SECRET.litmosApiKey,
};

/** Who set a connection: the environment (set again at every start), or an admin through the API. */
export type ManagedBy = 'ENVIRONMENT' | 'API';

/** When and by whom a connection was last set; absent on connections stored before it was kept (the environment's). */
export interface ConnectionMeta {
  managedBy?: ManagedBy;
  updatedAt?: string;
}

/** One upstream's connection, as `Connections` holds it. */
export type Connection<S extends UpstreamSystem = UpstreamSystem> = NonNullable<Connections[S]>;

/** Connections as stored: with who set each and the revision; ones saved before `applicationName` had its name call it `source`. */
type StoredConnections = {
  [S in 'bamboohr' | 'namely']?: Connection<S> & ConnectionMeta;
} & {
  litmos: ({ baseUrl: string; applicationName: string } | { baseUrl: string; source: string }) & ConnectionMeta;
  revision?: string;
};

export type ConnectionSet = { [S in UpstreamSystem]?: Connection<S> & ConnectionMeta } & {
  litmos: Connection<'litmos'> & ConnectionMeta;
  revision: string | null;
};

const CONNECTIONS = 'connections';

type ConnectionStore = Pick<Store, 'settings' | 'secrets'>;

/** Reads stored connections in today's shape, so a tenant set up by an earlier version still opens. */
function upgradeConnections(stored: StoredConnections): ConnectionSet {
  const { litmos, revision, ...hr } = stored;
  const upgraded = 'applicationName' in litmos ? litmos : { baseUrl: litmos.baseUrl, applicationName: litmos.source, ...metaOf(litmos) };
  return { ...hr, litmos: upgraded, revision: revision ?? null };
}

const metaOf = (meta: ConnectionMeta): ConnectionMeta => ({
  ...(meta.managedBy && { managedBy: meta.managedBy }),
  ...(meta.updatedAt && { updatedAt: meta.updatedAt }),
});

/** The tenant's connections, or null when none are stored. */
export async function readConnections(store: ConnectionStore, tenant: string): Promise<ConnectionSet | null> {
  const stored = await store.settings.get<StoredConnections>(tenant, CONNECTIONS);
  return stored ? upgradeConnections(stored) : null;
}

/** The revision of the tenant's connections now: it changes with every change of a connection or credential. */
export async function connectionsRevision(store: ConnectionStore, tenant: string): Promise<string | null> {
  return (await readConnections(store, tenant))?.revision ?? null;
}

/** Every upstream, in the order they are shown. */
export const UPSTREAM_SYSTEMS: readonly UpstreamSystem[] = ['bamboohr', 'namely', 'litmos'];

/** A connection's place and name, without who set it when: what decides whether it changed. */
function placeOf(connection: (Connection & ConnectionMeta) | undefined): string {
  if (!connection) return '';
  const { managedBy, updatedAt, ...place } = connection;
  return JSON.stringify(place, Object.keys(place).sort());
}

/** Stores the credentials that differ from those stored; whether any did. */
async function putSecrets(store: ConnectionStore, tenant: string, secrets: Record<string, string | undefined>): Promise<boolean> {
  let changed = false;
  for (const [name, value] of Object.entries(secrets)) {
    if (!value || (await store.secrets.get(tenant, name)) === value) continue;
    await store.secrets.put(tenant, name, value);
    changed = true;
  }
  return changed;
}

/**
 * Writes what `change` makes of the stored connections (undefined: nothing to change) with a new
 * revision, as one compare-and-set; `force` gives a new revision even when the connections are the
 * same (a credential changed). Answers the connections as they are now.
 */
async function changeConnections(
  store: ConnectionStore,
  tenant: string,
  change: (current: ConnectionSet | null) => ConnectionSet | undefined,
  force: boolean,
): Promise<ConnectionSet> {
  const { after } = await store.settings.change<StoredConnections>(tenant, CONNECTIONS, (stored) => {
    const current = stored ? upgradeConnections(stored) : null;
    const next = change(current) ?? (force ? current : undefined);
    if (!next) return undefined;
    const { revision: _previous, ...connections } = next;
    return { ...connections, revision: randomUUID() };
  });
  if (!after) throw new Error(`tenant ${tenant} has no connections to change`);
  return upgradeConnections(after);
}

/** `set` with `system`'s connection in place of the one it had (none, when `connection` is undefined). */
function withConnection(set: ConnectionSet, system: UpstreamSystem, connection: (Connection & ConnectionMeta) | undefined): ConnectionSet {
  const { [system]: _replaced, ...rest } = set;
  return (connection ? { ...rest, [system]: connection } : rest) as ConnectionSet;
}

/**
 * The connections a deployment's configuration names (the environment at a start, or a script
 * setting up a tenant), with their credentials: replaces every connection the configuration set
 * before — dropping one it no longer names — and keeps those an admin set through the API, unless
 * the configuration names that upstream too. Writes nothing, and keeps the revision, when all of it
 * is as stored, so a restart makes no other process open the tenant again.
 */
export async function saveConnections(
  store: ConnectionStore,
  tenant: string,
  connections: Connections,
  secrets: { bamboohrApiKey?: string; namelyToken?: string; litmosApiKey: string },
  at: string = new Date().toISOString(),
): Promise<void> {
  const named = Object.fromEntries(Object.entries(secrets).map(([name, value]) => [SECRET[name as keyof typeof secrets], value]));
  const credentialsChanged = await putSecrets(store, tenant, named);
  await changeConnections(
    store,
    tenant,
    (current) => {
      let next: ConnectionSet = { litmos: { ...connections.litmos, managedBy: 'ENVIRONMENT', updatedAt: at }, revision: null };
      for (const system of UPSTREAM_SYSTEMS) {
        const given = connections[system];
        const stored = current?.[system];
        const unchanged = stored !== undefined && stored.managedBy !== 'API' && placeOf(stored) === placeOf(given);
        const kept = given
          ? unchanged
            ? stored
            : { ...given, managedBy: 'ENVIRONMENT' as const, updatedAt: at }
          : stored?.managedBy === 'API'
            ? stored
            : undefined;
        next = withConnection(next, system, kept);
      }
      return current && UPSTREAM_SYSTEMS.every((system) => next[system] === current[system]) ? undefined : next;
    },
    credentialsChanged,
  );
}

/** A tenant's first connection is Litmos, which every tenant provisions into and cannot be opened without. */
const litmosFirst = (system: UpstreamSystem) =>
  new BadUserInputError(`this tenant has no LITMOS connection yet: connect LITMOS first, then ${system.toUpperCase()}`, { field: 'system' });

/**
 * Sets one upstream's connection as an admin gave it through the API, and its credential when one is
 * given (else the stored one stays). Answers the connections as they are now; the revision changes
 * only when something did.
 */
export async function putConnection<S extends UpstreamSystem>(
  store: ConnectionStore,
  tenant: string,
  system: S,
  connection: Connection<S>,
  credential: string | undefined,
  at: string,
): Promise<ConnectionSet> {
  // Checked before the credential is stored too, so a refused first connection leaves nothing behind.
  if (system !== 'litmos' && !(await readConnections(store, tenant))) throw litmosFirst(system);
  const credentialChanged = credential !== undefined && (await putSecrets(store, tenant, { [CREDENTIAL_SECRET[system]]: credential }));
  return changeConnections(
    store,
    tenant,
    (current) => {
      const stored = current?.[system];
      if (current && stored?.managedBy === 'API' && placeOf(stored) === placeOf(connection)) return undefined;
      const given = { ...connection, managedBy: 'API' as const, updatedAt: at };
      if (current) return withConnection(current, system, given);
      if (system !== 'litmos') throw litmosFirst(system);
      return { litmos: given as Connection<'litmos'> & ConnectionMeta, revision: null };
    },
    credentialChanged,
  );
}
