/**
 * A connection set through one gateway reaches another serving the same store without a restart (each
 * holds its own tenant registry, as replicas and workers do), and survives restarts: the environment
 * bootstraps the default tenant again at each start but keeps what an admin set through the API.
 * Two gateways in this process over one SQLite file; the distributed mode's processes find connections
 * the same way, through the store (test/scale/cluster.int.test.ts runs the workers over it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { readConnections } from '../../src/connections/stored.js';
import { QUIET_FAULTS, startTestSandbox } from '../support/gateway.js';
import { CONNECTION_FIELDS, withoutNamely, type ConnectionView } from './support.js';

const TOKEN = 'replicas-test-admin-token-0123456789';
const SECRET_KEY = randomBytes(32).toString('hex');
let sandbox: RunningSandbox;
let dir: string;
const open: RunningGateway[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 40, seed: 62, quirks: QUIET_FAULTS });
  dir = await mkdtemp(join(tmpdir(), 'rostergate-connections-'));
});
afterAll(async () => {
  await Promise.all(open.map((gateway) => gateway.close()));
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

async function gateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadConfig({
    ROSTERGATE_PORT: '0',
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    ROSTERGATE_SECRET_KEY: SECRET_KEY,
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ...withoutNamely(sandbox),
    ...env,
  });
  const started = await startGateway(config, { connectionsRecheckMs: 200 });
  open.push(started);
  return started;
}

interface Answer<T> {
  data?: T;
  errors?: { message: string }[];
}

async function answer<T>(at: RunningGateway, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
  const response = await fetch(`${at.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer<T>;
}

async function graphql<T>(at: RunningGateway, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await answer<T>(at, query, variables);
  if (!body.data || body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Namely's roster as this gateway reads it; null while Namely is not connected there. */
async function namelyCount(at: RunningGateway): Promise<number | null> {
  const body = await answer<{ employees: { totalCount: number } }>(at, `{ employees(first: 1, filter: { source: NAMELY }) { totalCount } }`);
  if (body.errors?.[0]?.message === 'NAMELY is not connected for this tenant') return null;
  return body.data?.employees.totalCount ?? Number.NaN;
}
const connections = async (at: RunningGateway) =>
  (await graphql<{ connections: ConnectionView[] }>(at, `{ connections { ${CONNECTION_FIELDS} } }`)).connections;

describe('connections across processes and restarts', () => {
  it('reaches a second gateway within its recheck interval, and survives a restart beside the environment', async () => {
    const first = await gateway();
    const revision = (await readConnections(first.store, 'default'))?.revision;
    const second = await gateway();
    expect(revision).toEqual(expect.any(String));
    expect((await readConnections(second.store, 'default'))?.revision, 'a start that changes nothing makes nobody reopen').toBe(revision);
    await expect(namelyCount(second)).resolves.toBeNull();

    await graphql(
      first,
      `
        mutation ($input: SetConnectionInput!) {
          setConnection(input: $input) {
            system
          }
        }
      `,
      {
        input: { system: 'NAMELY', baseUrl: sandbox.namely.baseUrl, credential: SANDBOX_CREDENTIALS.namely.token },
      },
    );
    await expect(namelyCount(first)).resolves.toBe(sandbox.companies.namely.people.length);
    // The second gateway looks at the stored revision at most every 200 ms, when the tenant is used.
    const deadline = Date.now() + 5000;
    let seen = await namelyCount(second);
    while (seen === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await namelyCount(second);
    }
    expect(seen).toBe(sandbox.companies.namely.people.length);

    // A restart: the environment sets BambooHR and Litmos again and keeps the admin's Namely.
    await first.close();
    open.splice(open.indexOf(first), 1);
    const restarted = await gateway({ LITMOS_SOURCE: 'renamed-by-the-environment' });
    const after = await connections(restarted);
    expect(after.map((each) => [each.system, each.managedBy])).toEqual([
      ['BAMBOOHR', 'ENVIRONMENT'],
      ['NAMELY', 'API'],
      ['LITMOS', 'ENVIRONMENT'],
    ]);
    expect(after.find((each) => each.system === 'LITMOS')?.applicationName).toBe('renamed-by-the-environment');
    await expect(namelyCount(restarted)).resolves.toBe(sandbox.companies.namely.people.length);
  });
});
