/**
 * The whole sandbox: BambooHR, Namely and Litmos simulators on three consecutive ports, seeded from
 * two generated companies (the Namely one smaller and from another seed, so the two HR systems never
 * share people by accident).
 */
import { createBambooHrSimulator } from './bamboohr/simulator.js';
import { generateCompany } from './generate.js';
import { startSimulator, type RunningSimulator } from './kit.js';
import { createLitmosSimulator } from './litmos/simulator.js';
import { createNamelySimulator } from './namely/simulator.js';
import type { SeedCompany } from './company.js';

export interface SandboxOptions {
  /** BambooHR's port; Namely and Litmos take the next two. 0 picks free ports. @default 0 */
  port?: number;
  /** People in the BambooHR company; Namely gets a fifth (at least 10). @default 250 */
  employees?: number;
  /** @default 1 */
  seed?: number;
  /** Every simulator's rate window, ms. @default 60_000 */
  rateWindowMs?: number;
  /** Delay added to every request, ms. @default 0 */
  latencyMs?: number;
  /** The day the companies are generated relative to. @default today (UTC) */
  today?: string;
  /** @default "127.0.0.1" */
  host?: string;
}

export const SANDBOX_CREDENTIALS = {
  bamboohr: { apiKey: 'sandbox-bamboohr-key' },
  namely: { token: 'sandbox-namely-token' },
  litmos: { apiKey: 'sandbox-litmos-key', source: 'rostergate' },
} as const;

export interface RunningSandbox {
  bamboohr: RunningSimulator & { companyDomain: string; baseUrl: string };
  namely: RunningSimulator & { baseUrl: string };
  litmos: RunningSimulator & { baseUrl: string };
  companies: { bamboohr: SeedCompany; namely: SeedCompany };
  /** `POST /__sandbox/reset` on all three. */
  reset(): void;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const seed = options.seed ?? 1;
  const size = options.employees ?? 250;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const rateWindowMs = options.rateWindowMs ?? 60_000;
  const latencyMs = options.latencyMs ?? 0;
  const host = options.host ?? '127.0.0.1';
  const port = (offset: number) => (options.port ? options.port + offset : 0);

  const bamboohrCompany = generateCompany({ seed, size, today, name: 'Acme Rockets' });
  const namelyCompany = generateCompany({ seed: seed + 1, size: Math.max(10, Math.floor(size / 5)), today, name: 'Nimbus Labs' });

  const bamboo = createBambooHrSimulator({
    company: bamboohrCompany,
    apiKey: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    rate: { limit: 100, windowMs: rateWindowMs, status: 503, retryAfter: true },
    latencyMs,
  });
  const namely = createNamelySimulator({
    company: namelyCompany,
    token: SANDBOX_CREDENTIALS.namely.token,
    rate: { limit: 300, windowMs: rateWindowMs, status: 429, retryAfter: true },
    latencyMs,
  });
  const litmos = createLitmosSimulator({
    companies: [bamboohrCompany, namelyCompany],
    apiKey: SANDBOX_CREDENTIALS.litmos.apiKey,
    rate: { limit: 100, windowMs: rateWindowMs, status: 503, retryAfter: false },
    latencyMs,
    seed,
  });

  const [b, n, l] = await Promise.all([
    startSimulator(bamboo.spec, { port: port(0), host }),
    startSimulator(namely.spec, { port: port(1), host }),
    startSimulator(litmos.spec, { port: port(2), host }),
  ]);
  return {
    bamboohr: { ...b, companyDomain: bamboohrCompany.domain, baseUrl: b.url },
    namely: { ...n, baseUrl: `${n.url}/api/v1` },
    litmos: { ...l, baseUrl: `${l.url}/v1.svc` },
    companies: { bamboohr: bamboohrCompany, namely: namelyCompany },
    reset: () => {
      bamboo.spec.reset();
      namely.spec.reset();
      litmos.spec.reset();
      for (const simulator of [b, n, l]) simulator.resetStats();
    },
    close: async () => {
      await Promise.all([b.close(), n.close(), l.close()]);
    },
  };
}
