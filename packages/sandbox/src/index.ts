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
import { FORMAT_QUIRKS, withQuirks, type QuirksPatch, type SandboxQuirks } from './quirks.js';

// The package's whole public API is this module (package.json `exports` has no other entry): the
// assembled sandbox below, and its pieces for tests that drive one simulator, build their own on the
// kit, or check what the seeded companies are made of.
export { BAMBOOHR_RATE_DEFAULTS, createBambooHrSimulator, type BambooHrSimulator, type BambooHrSimulatorOptions } from './bamboohr/simulator.js';
export { createLitmosSimulator, type LitmosSimulator, type LitmosSimulatorOptions } from './litmos/simulator.js';
export { createNamelySimulator, type NamelySimulator, type NamelySimulatorOptions } from './namely/simulator.js';
export { seededUuid } from './namely/directory.js';
export {
  json,
  QUIET_HEADER,
  Router,
  startSimulator,
  type Fault,
  type RateLimit,
  type RouteStats,
  type RunningSimulator,
  type SimHandler,
  type SimRequest,
  type SimResponse,
  type SimulatorSpec,
  type SimulatorStats,
} from './kit.js';
export {
  ALL_QUIRKS,
  FORMAT_QUIRKS,
  NO_QUIRKS,
  withQuirks,
  type BambooHrQuirks,
  type CommonQuirks,
  type LitmosQuirks,
  type NamelyQuirks,
  type QuirksPatch,
  type SandboxQuirks,
} from './quirks.js';
export { generateCompany } from './generate.js';
export type { GenerateOptions, SeedCompany, SeedPerson, SeedStatusRow } from './company.js';
export type { LocalDate } from './days.js';
export { EMPLOYMENT_STATUSES, TERMINATED } from './employment.js';
export { CEO_TITLE, DEPARTMENTS, DIVISIONS, LOCATIONS, type DepartmentSpec, type DivisionSpec, type LocationSpec } from './org.js';
export { emailLocalPart, foldToAscii } from './names.js';
export { BadUserInputError } from './errors.js';

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
  /**
   * The documented vendor quirks to show (see quirks.ts). A preset, or a patch over `FORMAT_QUIRKS`.
   * @default FORMAT_QUIRKS — every format quirk, no injected faults
   */
  quirks?: SandboxQuirks | QuirksPatch;
  /**
   * The companies' names, from which their email domains come: another sandbox's BambooHR under a
   * name of its own can feed the same Litmos as a second tenant without sharing an address.
   * @default { bamboohr: 'Acme Rockets', namely: 'Nimbus Labs' }
   */
  companies?: { bamboohr?: string; namely?: string };
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
  /** The live quirk switches of all three simulators; change them with `setQuirks`. */
  quirks: SandboxQuirks;
  /** Changes quirk switches while running (e.g. faults off for a test that counts requests). */
  setQuirks(patch: QuirksPatch): void;
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
  // One live object per vendor: each simulator reads its switches per request, so setQuirks takes effect at once.
  const quirks = withQuirks(FORMAT_QUIRKS, options.quirks);
  const commonFor = () => ({ ...quirks.common });
  const common = { bamboohr: commonFor(), namely: commonFor(), litmos: commonFor() };

  const names = { bamboohr: 'Acme Rockets', namely: 'Nimbus Labs', ...options.companies };
  const bamboohrCompany = generateCompany({ seed, size, today, name: names.bamboohr });
  const namelyCompany = generateCompany({ seed: seed + 1, size: Math.max(10, Math.floor(size / 5)), today, name: names.namely });

  const bamboo = createBambooHrSimulator({
    company: bamboohrCompany,
    apiKey: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    rate: { limit: 100, windowMs: rateWindowMs, status: quirks.bamboohr.throttleAs429 ? 429 : 503, retryAfter: true },
    latencyMs,
    quirks: { common: common.bamboohr, vendor: quirks.bamboohr },
    seed,
  });
  const namely = createNamelySimulator({
    company: namelyCompany,
    token: SANDBOX_CREDENTIALS.namely.token,
    rate: { limit: 300, windowMs: rateWindowMs, status: 429, retryAfter: true },
    latencyMs,
    quirks: { common: common.namely, vendor: quirks.namely },
    seed,
  });
  const litmos = createLitmosSimulator({
    companies: [bamboohrCompany, namelyCompany],
    apiKey: SANDBOX_CREDENTIALS.litmos.apiKey,
    rate: { limit: 100, windowMs: rateWindowMs, status: 503, retryAfter: false },
    latencyMs,
    seed,
    quirks: { common: common.litmos, vendor: quirks.litmos },
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
    quirks,
    setQuirks: (patch) => {
      const simulators = { bamboohr: b, namely: n, litmos: l };
      for (const [name, simulator] of Object.entries(simulators)) {
        simulator.setQuirks({ ...patch.common, ...patch[name as keyof typeof simulators] });
      }
      // The vendor objects are live (the simulators merged into them); the common ones are per simulator.
      Object.assign(quirks.common, patch.common);
    },
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
