import { describe, expect, it } from 'vitest';
import { errorTransition, nextHealth, UNTESTED, type ConnectionHealth, type HealthOutcome } from '../../src/core/connection-health.js';

const at = (n: number) => `2026-03-0${n}T03:00:00.000Z`;
const fail = (n: number, error = `failure ${n}`): HealthOutcome => ({ at: at(n), ok: false, error });
const succeed = (n: number, degraded = false): HealthOutcome => ({ at: at(n), ok: true, degraded });
const replay = (outcomes: HealthOutcome[]) => outcomes.reduce<ConnectionHealth | null>((health, outcome) => nextHealth(health, outcome), null);

describe('connection health', () => {
  it('is ERROR after three consecutive failures, DEGRADED before, and CONNECTED again at the next success', () => {
    expect(replay([fail(1)])).toMatchObject({ status: 'DEGRADED', consecutiveFailures: 1, lastError: 'failure 1', lastFailureAt: at(1) });
    expect(replay([fail(1), fail(2)])).toMatchObject({ status: 'DEGRADED', consecutiveFailures: 2 });
    expect(replay([fail(1), fail(2), fail(3)])).toEqual({
      status: 'ERROR',
      consecutiveFailures: 3,
      lastSuccessAt: null,
      lastFailureAt: at(3),
      lastError: 'failure 3',
    });
    expect(replay([fail(1), fail(2), fail(3), fail(4)])).toMatchObject({ status: 'ERROR', consecutiveFailures: 4 });
    expect(replay([fail(1), fail(2), fail(3), succeed(4)])).toEqual({
      status: 'CONNECTED',
      consecutiveFailures: 0,
      lastSuccessAt: at(4),
      lastFailureAt: at(3),
      lastError: 'failure 3',
    });
  });

  it('counts only failures in a row', () => {
    expect(replay([fail(1), fail(2), succeed(3), fail(4), fail(5)])).toMatchObject({ status: 'DEGRADED', consecutiveFailures: 2 });
  });

  it('is DEGRADED after a success that needed retries or throttles', () => {
    expect(replay([succeed(1, true)])).toMatchObject({ status: 'DEGRADED', consecutiveFailures: 0, lastSuccessAt: at(1) });
    expect(replay([succeed(1, true), succeed(2)])).toMatchObject({ status: 'CONNECTED' });
    expect(nextHealth(null, succeed(1))).toEqual({ ...UNTESTED, status: 'CONNECTED', lastSuccessAt: at(1) });
  });

  it('tells only the changes into and out of ERROR', () => {
    expect(errorTransition('DEGRADED', 'ERROR')).toBe('ENTERED');
    expect(errorTransition('UNTESTED', 'ERROR')).toBe('ENTERED');
    expect(errorTransition('ERROR', 'CONNECTED')).toBe('LEFT');
    expect(errorTransition('ERROR', 'DEGRADED')).toBe('LEFT');
    expect(errorTransition('ERROR', 'ERROR')).toBeNull();
    expect(errorTransition('CONNECTED', 'DEGRADED')).toBeNull();
  });
});
