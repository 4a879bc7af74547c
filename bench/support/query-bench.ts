/**
 * Times one GraphQL operation repeatedly, one at a time, and counts the upstream requests each
 * execution caused from the simulators' stats (read between executions, so they are exact).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatorStats } from '@rostergate/sandbox';
import { graphql } from './gateway.js';
import { percentile } from './load.js';
import { SYSTEMS, type SandboxProcess, type System } from './sandbox-process.js';
import { statsDelta } from './stats.js';

export interface QueryRun {
  /** Latency of each execution, ms. */
  latencies: number[];
  /** Upstream requests per execution (mean), by system. */
  calls: Record<System, number>;
  /** Upstream requests per execution (mean), by `"system METHOD /route"`. */
  routes: Record<string, number>;
  /** The last execution's result, for cross-checking answers. */
  data: unknown;
}

export interface QueryRunOptions {
  /** Server origin; the operation is POSTed to `/graphql`. */
  url: string;
  query: string;
  variables: Record<string, unknown>;
  iterations: number;
  sandbox: SandboxProcess;
  /** Wait before each execution, ms: longer than the gateway's cache TTL makes every execution cold. @default 0 */
  pauseMs?: number;
  /** Stop early once this long has passed, ms, if at least 3 executions are done (slow queries stay bounded). @default Infinity */
  maxDurationMs?: number;
}

const MIN_ITERATIONS = 3;

export async function runQuery(options: QueryRunOptions): Promise<QueryRun> {
  const latencies: number[] = [];
  const totals: Record<System, number> = { bamboohr: 0, namely: 0, litmos: 0 };
  const routes: Record<string, number> = {};
  let data: unknown = null;
  const snapshot = async () =>
    Object.fromEntries(await Promise.all(SYSTEMS.map(async (system) => [system, await options.sandbox.stats(system)] as const))) as Record<
      System,
      SimulatorStats
    >;
  const seriesStart = performance.now();
  for (let i = 0; i < options.iterations; i++) {
    if (i >= MIN_ITERATIONS && performance.now() - seriesStart > (options.maxDurationMs ?? Number.POSITIVE_INFINITY)) break;
    if (options.pauseMs) await sleep(options.pauseMs);
    const before = await snapshot();
    const started = performance.now();
    data = await graphql(options.url, options.query, options.variables);
    latencies.push(performance.now() - started);
    const after = await snapshot();
    SYSTEMS.forEach((system) => {
      const delta = statsDelta(before[system], after[system]);
      totals[system] += delta.total;
      for (const [route, n] of Object.entries(delta.routes)) routes[`${system} ${route}`] = (routes[`${system} ${route}`] ?? 0) + n;
    });
  }
  const calls = Object.fromEntries(SYSTEMS.map((system) => [system, totals[system] / latencies.length])) as Record<System, number>;
  for (const route of Object.keys(routes)) routes[route] = (routes[route] ?? 0) / latencies.length;
  return { latencies, calls, routes, data };
}

export const p50 = (run: { latencies: number[] }) => percentile(run.latencies, 50);
export const p99 = (run: { latencies: number[] }) => percentile(run.latencies, 99);
