/**
 * Turns measured sync scenarios into the tables of bench:sync (requests against their floor, time and
 * rate against the budget, memory, CPU, what the plans held) and the per-run notes under them.
 */
import { mib } from './memory.js';
import { readFloor } from './plan-cost.js';
import { fixed, seconds, shortRoute, type Table } from './report.js';
import type { ScenarioResult } from './sync-scenarios.js';
import type { StatsDelta } from './stats.js';

export interface SizedResult extends ScenarioResult {
  size: number;
  /** Litmos users when the scenario began (for the page floor). */
  litmosUsers: number;
  /** The gateway had not yet looked up BambooHR's field metadata. */
  firstRead: boolean;
  /** Runs that list no Litmos users: webhook runs, incremental runs (with the change feeds). */
  targeted?: 'webhooks' | 'incremental';
}

export interface Budget {
  /** Litmos requests per window. */
  limit: number;
  windowMs: number;
  /** The gateway's safety margin on top of the window, ms. */
  marginMs: number;
}

/** The update's GET /users/{id} is half of a write (Litmos's PUT needs the whole user), not a list read. */
const isLitmosListRead = (route: string) => route.startsWith('GET ') && route !== 'GET /v1.svc/users/:id';
const sum = (delta: StatsDelta, test: (route: string) => boolean) =>
  Object.entries(delta.routes).reduce((total, [route, n]) => total + (test(route) ? n : 0), 0);

function costs(result: SizedResult) {
  const reads = sum(result.litmos, isLitmosListRead);
  const writes = result.litmos.total - reads;
  const floor = readFloor({
    litmosUsers: result.litmosUsers,
    firstRead: result.firstRead,
    ...(result.targeted && { targeted: { employees: result.planned.employees, incremental: result.targeted === 'incremental' } }),
  });
  const { cost } = result.planned;
  return { reads, writes, floor, cost, litmosFloor: floor.litmos + cost.total };
}

export function requestsTable(results: readonly SizedResult[]): Table {
  return {
    columns: [
      'size',
      'scenario',
      'runs',
      'Litmos reads',
      'Litmos writes',
      'Litmos floor (reads+writes)',
      '× floor',
      'BambooHR',
      'BambooHR floor',
      'throttled (simulators / gateway)',
    ],
    rows: results.map((result) => {
      const { reads, writes, floor, cost, litmosFloor } = costs(result);
      return [
        String(result.size),
        result.scenario,
        String(result.runs.length),
        String(reads),
        String(writes),
        `${litmosFloor} (${floor.litmos}+${cost.total})`,
        fixed(result.litmos.total / Math.max(1, litmosFloor)),
        String(result.bamboohr.total),
        String(floor.bamboohr),
        `${result.litmos.throttled + result.bamboohr.throttled} / ${result.gatewayThrottled}`,
      ];
    }),
  };
}

export function timeTable(results: readonly SizedResult[], budget: Budget): Table {
  const perSecond = (budget.limit * 1000) / budget.windowMs;
  return {
    columns: [
      'size',
      'scenario',
      'wall',
      'reading + planning',
      'applying',
      'Litmos req ÷ budget',
      'wall ÷ that',
      'apply rate (req/s)',
      'rate ÷ budget',
      'peak RSS (heap)',
    ],
    rows: results.map((result) => {
      const budgetMs = (result.litmos.total / perSecond) * 1000;
      // A rolling window admits `limit` requests at once: a rate over fewer is a burst, not a pace.
      const paced = result.apply.requests > budget.limit && result.apply.ms > 0;
      const rate = paced ? (result.apply.requests * 1000) / result.apply.ms : Number.NaN;
      return [
        String(result.size),
        result.scenario,
        seconds(result.wallMs),
        seconds(result.phases.reading),
        seconds(result.phases.applying),
        seconds(budgetMs),
        fixed(result.wallMs / budgetMs),
        paced ? fixed(rate, 1) : `burst of ${result.apply.requests}`,
        paced ? fixed(rate / perSecond) : 'n/a',
        `${mib(result.peakRss)} (${mib(result.peakHeap)})`,
      ];
    }),
  };
}

/** Issue 14's goal for a sync's peak RSS, MB (10^6 bytes). */
export const MEMORY_GOAL_MB = 300;

export function memoryTable(results: readonly SizedResult[]): Table {
  return {
    columns: ['size', 'scenario', 'RSS at start', 'peak RSS', 'peak heap', `peak ÷ ${MEMORY_GOAL_MB} MB`],
    rows: results.map((result) => [
      String(result.size),
      result.scenario,
      mib(result.startRss),
      mib(result.peakRss),
      mib(result.peakHeap),
      fixed(result.peakRss / (MEMORY_GOAL_MB * 1e6)),
    ]),
  };
}

/** Issue 14's goal for a no-change re-sync's wall time, ms. */
export const NO_CHANGE_GOAL_MS = 2000;

/**
 * Where the time went: the gateway's CPU and the simulators' (one process answering all three APIs
 * on one thread). A run cannot end before the simulators have answered it, so their CPU time is the
 * least wall time this machine allows for a scenario that is not held back by the budget.
 */
export function cpuTable(results: readonly SizedResult[]): Table {
  return {
    columns: ['size', 'scenario', 'wall', 'gateway CPU', 'simulators CPU', 'gateway CPU ÷ wall', 'simulators CPU ÷ wall'],
    rows: results.map((result) => {
      const { gateway, simulators } = result.cpu;
      return [
        String(result.size),
        result.scenario,
        seconds(result.wallMs),
        seconds(gateway),
        simulators === null ? 'n/a' : seconds(simulators),
        fixed(gateway / result.wallMs),
        simulators === null ? 'n/a' : fixed(simulators / result.wallMs),
      ];
    }),
  };
}

export function planTable(results: readonly SizedResult[]): Table {
  return {
    columns: [
      'size',
      'scenario',
      'creates',
      'links',
      'updates',
      'deactivations',
      'reactivations',
      'team adds (POSTs)',
      'team removes',
      'teams created',
      'write floor',
      'failed',
    ],
    rows: results.map((result) => {
      const { counts, cost } = result.planned;
      const n = (value: number | undefined) => String(value ?? 0);
      return [
        String(result.size),
        result.scenario,
        n(counts.CREATE_LEARNER),
        n(counts.LINK),
        n(counts.UPDATE_LEARNER),
        n(counts.DEACTIVATE_LEARNER),
        n(counts.REACTIVATE_LEARNER),
        `${n(counts.ADD_TO_TEAM)} (${n(cost.byKind.ADD_TO_TEAM)})`,
        n(counts.REMOVE_FROM_TEAM),
        n(counts.CREATE_TEAM),
        String(cost.total),
        String(result.runs.reduce((sum, run) => sum + run.counts.failed, 0)),
      ];
    }),
  };
}

/** Where each scenario's requests went, route by route, so the gap to the floor can be read off. */
export function routeNotes(results: readonly SizedResult[]): string[] {
  return results.map((result) => {
    const routes = (delta: StatsDelta) =>
      Object.entries(delta.routes)
        .sort(([, a], [, b]) => b - a)
        .map(([route, n]) => `${shortRoute(route)} ${n}`)
        .join(', ') || 'none';
    return `- ${result.size} / ${result.scenario}: Litmos ${routes(result.litmos)}; BambooHR ${routes(result.bamboohr)}${
      result.hrEdits ? ` (plus ${result.hrEdits} HR edits by the benchmark, not counted)` : ''
    }; ${result.litmosUsers} Litmos users at the start.`;
  });
}
