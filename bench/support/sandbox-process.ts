/**
 * Drives a sandbox running in a child process (see `sandbox-child.ts`) through its control API:
 * stats, limits, latency and webhook flushes are plain HTTP, exactly as for `npm run sandbox`.
 */
import { fileURLToPath } from 'node:url';
import type { RateLimit, SandboxOptions, SimulatorStats } from '@rostergate/sandbox';
import { startChild } from './child.js';

export type System = 'bamboohr' | 'namely' | 'litmos';
export const SYSTEMS: readonly System[] = ['bamboohr', 'namely', 'litmos'];

export interface SandboxUrls {
  bamboohr: { url: string; companyDomain: string };
  namely: { url: string; baseUrl: string };
  litmos: { url: string; baseUrl: string };
  /** The seeded BambooHR company's departments, for department moves. */
  departments: string[];
}

export interface SandboxProcess extends SandboxUrls {
  stats(system: System): Promise<SimulatorStats>;
  setLimits(system: System, limits: Partial<RateLimit>): Promise<void>;
  setLatency(system: System, ms: number): Promise<void>;
  /** Awaits BambooHR's webhook deliveries in flight; returns how many of them the receiver accepted. */
  flushWebhooks(): Promise<{ delivered: number }>;
  /** The child's peak resident set, bytes (Linux `VmHWM`); null elsewhere. */
  peakRss(): Promise<number | null>;
  /** The simulators' CPU time so far, ms (one process, one thread for all three); null elsewhere. */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./sandbox-child.ts', import.meta.url));

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/__sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox control ${method} ${path} → ${response.status}: ${await response.text()}`);
  return response.json();
}

export async function spawnSandbox(options: SandboxOptions): Promise<SandboxProcess> {
  const child = await startChild<SandboxUrls>(CHILD, options);
  const urls = child.ready;
  const origin = (system: System) => urls[system].url;
  return {
    ...urls,
    stats: async (system) => (await control(origin(system), 'GET', 'stats')) as SimulatorStats,
    setLimits: async (system, limits) => {
      await control(origin(system), 'PUT', 'limits', limits);
    },
    setLatency: async (system, ms) => {
      await control(origin(system), 'PUT', 'latency', { ms });
    },
    async flushWebhooks() {
      const { deliveries } = (await control(origin('bamboohr'), 'POST', 'webhooks/flush')) as { deliveries: { delivered: boolean }[] };
      return { delivered: deliveries.filter((delivery) => delivery.delivered).length };
    },
    peakRss: () => child.peakRss(),
    cpuMs: () => child.cpuMs(),
    close: () => child.close(),
  };
}
