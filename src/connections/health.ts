/**
 * Connection health as the gateway keeps it: per tenant and upstream, in the store (so every replica
 * and worker sees, and adds to, the same record), changed by compare-and-set from the outcome of each
 * run and each `testConnection` — the rule itself is core/connection-health.ts. Entering ERROR and
 * leaving it are logged and handed to `onHealthChange`, exactly once whichever process saw the
 * outcome: the process whose compare-and-set made the change.
 */
import type { Clock } from '../clock.js';
import { errorTransition, nextHealth, type ConnectionHealth, type ConnectionStatus, type HealthOutcome } from '../core/connection-health.js';
import type { SyncRun } from '../core/run.js';
import type { UpstreamEvent } from '../datasources/http.js';
import { UpstreamError, type UpstreamSystem } from '../errors.js';
import type { SettingsRepository } from '../store/settings.js';
import type { Logger } from '../telemetry/log.js';

/**
 * Told when a connection enters ERROR (`to` is ERROR, `error` says why) or leaves it (`from` is ERROR).
 * The place to send a notification from (CONNECTION_ERROR, CONNECTION_RECOVERED); it must not throw.
 */
export type HealthChangeHook = (tenant: string, system: UpstreamSystem, from: ConnectionStatus, to: ConnectionStatus, error?: string) => void;

export interface HealthLedger {
  get(tenant: string, system: UpstreamSystem): Promise<ConnectionHealth | null>;
  record(tenant: string, system: UpstreamSystem, outcome: HealthOutcome): Promise<ConnectionHealth>;
}

const healthKey = (system: UpstreamSystem) => `connection-health:${system}`;

export function createHealthLedger(options: { settings: SettingsRepository; log: Logger; onHealthChange?: HealthChangeHook }): HealthLedger {
  const { settings, log } = options;
  return {
    get: (tenant, system) => settings.get<ConnectionHealth>(tenant, healthKey(system)),
    async record(tenant, system, outcome) {
      const { before, after } = await settings.change<ConnectionHealth>(tenant, healthKey(system), (current) => nextHealth(current, outcome));
      const health = after ?? nextHealth(before, outcome);
      const from = before?.status ?? 'UNTESTED';
      const change = errorTransition(from, health.status);
      if (change) {
        const line = { tenant, system, from, to: health.status, consecutiveFailures: health.consecutiveFailures };
        if (change === 'ENTERED') log.warn({ ...line, error: health.lastError }, 'connection in error');
        else log.info(line, 'connection recovered');
        try {
          options.onHealthChange?.(tenant, system, from, health.status, change === 'ENTERED' ? (health.lastError ?? undefined) : undefined);
        } catch (error) {
          log.error({ err: error, tenant, system }, 'connection health hook failed');
        }
      }
      return health;
    },
  };
}

/** What a test of one connection found: it answered as its vendor does, or what is wrong. */
export type TestVerdict = { ok: true } | { ok: false; error: string };

/** One tenant's side of health: what its clients saw, turned into outcomes when a run ends or a test is made. */
export interface TenantHealth {
  /** For the upstream clients' `onEvent`: notes retries and throttles per upstream. */
  observe(event: UpstreamEvent): void;
  /**
   * A run ended: FAILED because of an upstream counts a failure of that upstream; SUCCEEDED or PARTIAL
   * a success of its source's and of Litmos (both answered its reads); CANCELLED, or a failure of
   * anything else (a policy naming a field HR lacks), says nothing about a connection. Never rejects.
   */
  runEnded(run: SyncRun, failure?: unknown): Promise<void>;
  tested(system: UpstreamSystem, verdict: TestVerdict): Promise<ConnectionHealth>;
}

/** The first `UpstreamError` down an error's causes. */
function upstreamErrorIn(error: unknown): UpstreamError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    if (current instanceof UpstreamError) return current;
    current = current.cause;
  }
  return undefined;
}

export function trackHealth(options: {
  tenant: string;
  ledger: HealthLedger;
  clock: Clock;
  /** Blanks every credential of the tenant in a text: an error message is stored as `lastError`. */
  scrub: (text: string) => string;
  log: Logger;
}): TenantHealth {
  const { tenant, ledger, clock } = options;
  // Retries and throttles seen per upstream, and how many of them the last outcome recorded had seen.
  const troubles: Record<UpstreamSystem, number> = { bamboohr: 0, namely: 0, litmos: 0 };
  const recorded: Record<UpstreamSystem, number> = { bamboohr: 0, namely: 0, litmos: 0 };
  const record = (system: UpstreamSystem, verdict: TestVerdict) => {
    const at = clock().toISOString();
    const degraded = troubles[system] > recorded[system];
    recorded[system] = troubles[system];
    const outcome: HealthOutcome = verdict.ok ? { at, ok: true, degraded } : { at, ok: false, error: options.scrub(verdict.error) };
    return ledger.record(tenant, system, outcome);
  };
  return {
    observe(event) {
      if (event.type === 'retry' || event.type === 'throttle') troubles[event.system] += 1;
    },
    async runEnded(run, failure) {
      const used: UpstreamSystem[] = [run.source === 'BAMBOOHR' ? 'bamboohr' : 'namely', 'litmos'];
      const blamed = run.status === 'FAILED' ? upstreamErrorIn(failure) : undefined;
      const outcomes: [UpstreamSystem, TestVerdict][] =
        run.status === 'SUCCEEDED' || run.status === 'PARTIAL'
          ? used.map((system) => [system, { ok: true }])
          : blamed
            ? [[blamed.system, { ok: false, error: blamed.message }]]
            : [];
      await Promise.all(outcomes.map(([system, verdict]) => record(system, verdict))).catch((error: unknown) =>
        options.log.error({ err: error, tenant, runId: run.id }, 'connection health not recorded'),
      );
    },
    tested: record,
  };
}
