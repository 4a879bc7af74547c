/**
 * A gateway over the child-process sandbox, configured the way an operator would point it at real
 * vendors (`BAMBOOHR_BASE_URL`, `LITMOS_BASE_URL`, …), with an in-memory store. Also the GraphQL
 * client the benchmarks use against it.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import type { SandboxUrls } from './sandbox-process.js';

export const BENCH_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface BenchGatewayOptions {
  /** The rate window the simulators use, ms; the gateway paces its budgets to it. */
  rateWindowMs: number;
  /** Requests per window per credential. @default the product's (BambooHR 100, Namely 300, Litmos 100) */
  limits?: { bamboohr?: number; namely?: number; litmos?: number };
  /** Read-cache lifetime, s; 0 makes every query cold. @default 300 */
  cacheTtlSeconds?: number;
  /** Connect Namely as a second HR source. @default false */
  namely?: boolean;
  /** Where the gateway keeps its state: another process's file carries its links and runs over. @default "sqlite::memory:" */
  storeUrl?: string;
  /** 32 bytes, hex; the same for every gateway sharing a store, since stored credentials are sealed with it. @default random */
  secretKey?: string;
}

export function gatewayEnv(urls: SandboxUrls, options: BenchGatewayOptions): Record<string, string> {
  const limits = options.limits ?? {};
  return {
    ROSTERGATE_PORT: '0',
    // The log would interleave with the test runner's output; test/ops/telemetry.int.test.ts reads it.
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: options.storeUrl ?? 'sqlite::memory:',
    ROSTERGATE_SECRET_KEY: options.secretKey ?? randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: BENCH_TOKEN,
    ROSTERGATE_RATE_WINDOW_MS: String(options.rateWindowMs),
    ROSTERGATE_CACHE_TTL_SECONDS: String(options.cacheTtlSeconds ?? 300),
    // One token drives every load test: the per-caller limit would measure itself, not the gateway.
    ROSTERGATE_REQUESTS_PER_MINUTE: '100000000',
    ...(limits.bamboohr && { ROSTERGATE_BAMBOOHR_RATE_LIMIT: String(limits.bamboohr) }),
    ...(limits.namely && { ROSTERGATE_NAMELY_RATE_LIMIT: String(limits.namely) }),
    ...(limits.litmos && { ROSTERGATE_LITMOS_RATE_LIMIT: String(limits.litmos) }),
    BAMBOOHR_BASE_URL: urls.bamboohr.url,
    BAMBOOHR_SUBDOMAIN: urls.bamboohr.companyDomain,
    BAMBOOHR_API_KEY: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    ...(options.namely && { NAMELY_BASE_URL: urls.namely.baseUrl, NAMELY_TOKEN: SANDBOX_CREDENTIALS.namely.token }),
    LITMOS_BASE_URL: urls.litmos.url,
    LITMOS_API_KEY: SANDBOX_CREDENTIALS.litmos.apiKey,
    LITMOS_SOURCE: SANDBOX_CREDENTIALS.litmos.source,
  };
}

export function startBenchGateway(urls: SandboxUrls, options: BenchGatewayOptions): Promise<RunningGateway> {
  return startGateway(loadConfig(gatewayEnv(urls, options)));
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** POSTs one operation; any GraphQL error is thrown, since a benchmark of failing queries measures nothing. */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as GraphQLResponse<T>;
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(result.errors)}`);
  return result.data;
}
