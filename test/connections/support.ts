/**
 * A gateway whose default tenant the environment connects to BambooHR and Litmos only (both the
 * sandbox's, configured as an operator points it at real vendors), so Namely is there to be connected
 * through the API; every GraphQL answer and log line it produces is kept, to be searched for credentials.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import type { GatewayOptions } from '../../src/app.js';
import { createLogger } from '../../src/telemetry/log.js';
import { ADMIN_TOKEN, QUIET_FAULTS, startTestGateway, startTestSandbox, type GraphQLResult, type TestGateway } from '../support/gateway.js';

export const CONNECTION_FIELDS = `system baseUrl subdomain applicationName region credential { set last4 } managedBy updatedAt
  status consecutiveFailures lastSuccessAt lastFailureAt lastError`;

export interface ConnectionView {
  system: string;
  baseUrl: string;
  subdomain: string | null;
  applicationName: string | null;
  region: string | null;
  credential: { set: boolean; last4: string | null };
  managedBy: string;
  updatedAt: string | null;
  status: string;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

export interface ConnectionTestView {
  ok: boolean;
  problem: string | null;
  message: string;
  connection: ConnectionView;
}

export interface ConnectionsGateway {
  t: TestGateway;
  /** Every GraphQL answer, as received. */
  answers: string[];
  /** Every log line, as written (at debug level). */
  logLines: string[];
  graphql<T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult<T>>;
  data<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  connections(): Promise<ConnectionView[]>;
  connection(system: string): Promise<ConnectionView | undefined>;
  setConnection(input: Record<string, unknown>): Promise<GraphQLResult<{ setConnection: ConnectionView }>>;
  testConnection(system: string): Promise<ConnectionTestView>;
  /** Starts a full run of `source` (its safeguard relaxed) and answers its id. */
  start(source: string): Promise<string>;
  /** A run's status. */
  status(runId: string): Promise<string>;
  /** Starts a full run of `source` and waits for it to end. */
  sync(source: string): Promise<{ runId: string; status: string; error: string | null }>;
  close(): Promise<void>;
}

/** The environment of a gateway pointed at the sandbox's BambooHR and Litmos, as at real vendors; Namely left out. */
export function withoutNamely(sandbox: RunningSandbox): Record<string, string> {
  return {
    BAMBOOHR_BASE_URL: sandbox.bamboohr.url,
    BAMBOOHR_SUBDOMAIN: sandbox.bamboohr.companyDomain,
    BAMBOOHR_API_KEY: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    LITMOS_BASE_URL: sandbox.litmos.baseUrl,
    LITMOS_API_KEY: SANDBOX_CREDENTIALS.litmos.apiKey,
    LITMOS_SOURCE: 'connections-test',
    ROSTERGATE_RATE_WINDOW_MS: '1000',
  };
}

/**
 * A gateway over a sandbox of its own without injected faults: these tests count a connection's
 * retries (a retried call makes it DEGRADED, not CONNECTED), so the only retries are the ones a test
 * injects itself. Every format quirk stays on.
 */
export async function startConnectionsGateway(
  options: { env?: Record<string, string>; gateway?: Pick<GatewayOptions, 'onHealthChange' | 'connectionsRecheckMs'> } = {},
): Promise<ConnectionsGateway> {
  const sandbox = await startTestSandbox({ employees: 40, seed: 61, quirks: QUIET_FAULTS });
  const logLines: string[] = [];
  const answers: string[] = [];
  const t = await startTestGateway({
    sandbox,
    env: { ...withoutNamely(sandbox), ...options.env },
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    ...(options.gateway && { gateway: options.gateway }),
  });

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token = ADMIN_TOKEN): Promise<GraphQLResult<T>> {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    answers.push(text);
    return JSON.parse(text) as GraphQLResult<T>;
  }
  async function data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await graphql<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }
  async function start(source: string): Promise<string> {
    // Lets a first run through whatever it deactivates: these tests are about connections, not the safeguard.
    const relaxed = '{ maxDeactivationPercent: 100, maxDeactivations: 100000 }';
    await data(`mutation($source: Source!) { setSyncPolicy(input: { source: $source, safeguard: ${relaxed} }) { source } }`, { source });
    const started = await data<{ startSync: { runId: string } }>(`mutation($source: Source!) { startSync(input: { source: $source }) { runId } }`, { source });
    return started.startSync.runId;
  }
  const connections = async () => (await data<{ connections: ConnectionView[] }>(`{ connections { ${CONNECTION_FIELDS} } }`)).connections;

  return {
    t,
    answers,
    logLines,
    graphql,
    data,
    connections,
    connection: async (system) => (await connections()).find((each) => each.system === system),
    setConnection: (input) => graphql(`mutation($input: SetConnectionInput!) { setConnection(input: $input) { ${CONNECTION_FIELDS} } }`, { input }),
    testConnection: async (system) =>
      (
        await data<{ testConnection: ConnectionTestView }>(
          `mutation($system: UpstreamSystem!) { testConnection(system: $system) { ok problem message connection { ${CONNECTION_FIELDS} } } }`,
          { system },
        )
      ).testConnection,
    start,
    status: async (runId) => (await data<{ syncRun: { status: string } }>(`query($id: ID!) { syncRun(id: $id) { status } }`, { id: runId })).syncRun.status,
    async sync(source) {
      const runId = await start(source);
      // The tenant as it is now (opened again by setConnection): its engine is the one running the run.
      await t.gateway.tenant.engine.idle();
      const { syncRun } = await data<{ syncRun: { runId: string; status: string; error: string | null } }>(
        `query($id: ID!) { syncRun(id: $id) { runId status error } }`,
        { id: runId },
      );
      return syncRun;
    },
    async close() {
      await t.close();
      await sandbox.close();
    },
  };
}

/** A web server at the wrong address: answers 404 to everything, as a vendor's marketing site would. */
export async function startStub(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Fails with the places where any of `secrets` shows up in `texts`. */
export function leaks(texts: readonly string[], secrets: readonly string[]): string[] {
  return texts.flatMap((text, index) => secrets.filter((secret) => text.includes(secret)).map((secret) => `#${index} carries …${secret.slice(-4)}`));
}
