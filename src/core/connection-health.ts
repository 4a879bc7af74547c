/**
 * How a tenant's connection to one upstream is doing, judged from the runs and tests that used it
 * (the Betterworks rule): CONNECTED after a clean success; DEGRADED after a success that needed
 * retries or waited out throttles, or after one or two failures in a row; ERROR after three
 * consecutive failures; the next success clears it. A connection no run or test has used yet is
 * UNTESTED. Pure: the caller dates outcomes and stores the result.
 */

export const CONNECTION_STATUSES = ['UNTESTED', 'CONNECTED', 'DEGRADED', 'ERROR'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Consecutive failed runs or tests that put a connection in ERROR. */
export const FAILURES_FOR_ERROR = 3;

export interface ConnectionHealth {
  status: ConnectionStatus;
  /** Failed runs or tests since the last success. */
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** Why the last failure failed (kept after a success, beside `lastFailureAt`); never a credential. */
  lastError: string | null;
}

export const UNTESTED: ConnectionHealth = { status: 'UNTESTED', consecutiveFailures: 0, lastSuccessAt: null, lastFailureAt: null, lastError: null };

/** What one run or test made of a connection: `degraded` when it got through only after retries or throttles. */
export type HealthOutcome = { at: string; ok: true; degraded: boolean } | { at: string; ok: false; error: string };

export function nextHealth(current: ConnectionHealth | null, outcome: HealthOutcome): ConnectionHealth {
  const health = current ?? UNTESTED;
  if (outcome.ok) return { ...health, status: outcome.degraded ? 'DEGRADED' : 'CONNECTED', consecutiveFailures: 0, lastSuccessAt: outcome.at };
  const consecutiveFailures = health.consecutiveFailures + 1;
  return {
    ...health,
    status: consecutiveFailures >= FAILURES_FOR_ERROR ? 'ERROR' : 'DEGRADED',
    consecutiveFailures,
    lastFailureAt: outcome.at,
    lastError: outcome.error,
  };
}

/** Whether a change of status enters or leaves ERROR: what is worth telling someone about. */
export function errorTransition(from: ConnectionStatus, to: ConnectionStatus): 'ENTERED' | 'LEFT' | null {
  if (from === to) return null;
  if (to === 'ERROR') return 'ENTERED';
  return from === 'ERROR' ? 'LEFT' : null;
}
