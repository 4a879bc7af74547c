/**
 * A real gateway on port 0 over a real sandbox on loopback, for integration tests: the same code
 * path as `npm start`, with an in-memory store and a short rate window so budgets pace in ms.
 */
import { randomBytes } from 'node:crypto';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { LocalDate } from '../../src/model.js';
import type { Logger } from '../../src/telemetry/log.js';
import { today } from '../../src/time.js';
import { clockOn } from './clock.js';
import { ALL_QUIRKS, startSandbox, withQuirks, type QuirksPatch, type RunningSandbox, type SandboxOptions, type SimulatorStats } from '@rostergate/sandbox';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface GraphQLResult<T> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string } & Record<string, unknown> }[];
}

export interface TestGateway {
  gateway: RunningGateway;
  sandbox: RunningSandbox;
  url: string;
  /** The gateway's day at start: what the test's expectations are worked out for. */
  today: LocalDate;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResult<T>>;
  /** Like `graphql`, but fails the test on any error. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stats(system: 'bamboohr' | 'namely' | 'litmos'): Promise<SimulatorStats>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatewayOptions extends SandboxOptions {
  /** Extra environment for the gateway's config. */
  env?: Record<string, string>;
  /** A sandbox already running (e.g. shared with a restarted gateway). */
  sandbox?: RunningSandbox;
  /** The gateway's clock. @default a clock on the sandbox's day, for the whole test (`clockOn`) */
  clock?: Clock;
  /** Where the gateway logs. @default nowhere (ROSTERGATE_LOG_LEVEL=silent) */
  logger?: Logger;
  /** The gateway's other options (connection health's hook, how often tenants look for changed connections). */
  gateway?: Pick<GatewayOptions, 'onHealthChange' | 'connectionsRecheckMs'>;
}

/**
 * The sandbox every integration test talks to: every documented vendor quirk on, injected faults
 * included (@rostergate/sandbox's quirks). A test that must count exact requests turns faults off itself
 * with `quirks: QUIET_FAULTS`, and says why.
 */
export function startTestSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ employees: 250, seed: 7, rateWindowMs: 1000, ...options, quirks: withQuirks(ALL_QUIRKS, options.quirks ?? {}) });
}

/** Every format quirk on, no injected faults: for tests that count exact upstream requests. */
export const QUIET_FAULTS: QuirksPatch = { common: { transientErrorRate: 0, dropRate: 0 } };

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const rateWindowMs = options.rateWindowMs ?? 1000;
  const sandbox = options.sandbox ?? (await startTestSandbox({ ...options, rateWindowMs }));
  const config = loadConfig({
    ROSTERGATE_PORT: '0',
    ROSTERGATE_STORE_URL: 'sqlite::memory:',
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    ROSTERGATE_SANDBOX_RATE_WINDOW_MS: String(rateWindowMs),
    ROSTERGATE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const clock = options.clock ?? clockOn(sandbox.companies.bamboohr.today);
  const gateway = await startGateway(config, { sandbox, clock, ...(options.logger && { logger: options.logger }), ...options.gateway });
  const url = gateway.url;

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResult<T>;
  }

  const simulator = (system: 'bamboohr' | 'namely' | 'litmos') => sandbox[system].url;

  return {
    gateway,
    sandbox,
    url,
    today: today(clock()),
    graphql,
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const result = await graphql<T>(query, variables);
      if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    stats: async (system) => (await (await fetch(`${simulator(system)}/__sandbox/stats`)).json()) as SimulatorStats,
    resetStats: async () => {
      for (const system of ['bamboohr', 'namely', 'litmos'] as const) sandbox[system].resetStats();
    },
    close: async () => {
      await gateway.close();
      if (!options.sandbox) await sandbox.close();
    },
  };
}

/** Sum of request counts over every route of a simulator, optionally only routes matching a prefix. */
export function calls(stats: SimulatorStats, routePrefix = ''): number {
  return Object.entries(stats.routes)
    .filter(([route]) => route.startsWith(routePrefix))
    .reduce((sum, [, route]) => sum + route.count, 0);
}
