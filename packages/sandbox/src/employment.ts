/**
 * A person's employment-status history, the effective-dated rows BambooHR keeps in its
 * employmentStatus table and the sync reads to decide who is active. Days are integers (see
 * `days.ts`); rows are formatted only when built.
 */
import type { SeedStatusRow } from './company.js';
import { toLocalDate } from './days.js';
import type { NonEmpty, Random } from './random.js';

/** The statuses BambooHR and Namely ship with; "Terminated" is recorded in rows but not listed here. */
export const EMPLOYMENT_STATUSES = ['Full-Time', 'Part-Time', 'Contractor', 'Intern', 'Temporary', 'Seasonal', 'LOA'] as const;
export const TERMINATED = 'Terminated';

const STARTING_STATUSES: NonEmpty<{ status: string; weight: number }> = [
  { status: 'Full-Time', weight: 82 },
  { status: 'Part-Time', weight: 6 },
  { status: 'Contractor', weight: 5 },
  { status: 'Intern', weight: 3 },
  { status: 'Temporary', weight: 2 },
  { status: 'Seasonal', weight: 2 },
];
/** Statuses people are often moved on from to full time. */
const CONVERTIBLE = new Set(['Intern', 'Temporary', 'Part-Time']);
const CONVERSION_PROBABILITY = 0.5;
const LEAVE_PROBABILITY = 0.08;

/** Where a person stands relative to today; decides the shape of their history. */
export type Lifecycle = 'current' | 'pastTermination' | 'futureTermination' | 'preHire' | 'noStatus' | 'futureStatusChange';

export function startingStatus(random: Random): string {
  return random.weighted(STARTING_STATUSES).status;
}

export function employmentHistory(
  lifecycle: Lifecycle,
  starting: string,
  hire: number,
  today: number,
  random: Random,
): { statusHistory: SeedStatusRow[]; terminationDay: number | null } {
  switch (lifecycle) {
    case 'noStatus':
      return { statusHistory: [], terminationDay: null };
    case 'preHire':
      return { statusHistory: [row(hire, starting)], terminationDay: null };
    case 'pastTermination': {
      const terminationDay = random.int(hire + 1, today - 1);
      const rows = career(starting, hire, terminationDay, random);
      return { statusHistory: [...rows, row(terminationDay, TERMINATED)], terminationDay };
    }
    case 'futureTermination': {
      const terminationDay = today + random.int(1, 60);
      const rows = career(starting, hire, today, random);
      return { statusHistory: [...rows, row(terminationDay, TERMINATED)], terminationDay };
    }
    case 'futureStatusChange': {
      const rows = career(starting, hire, today, random);
      const current = rows[rows.length - 1]?.status ?? starting;
      const next = current === 'Full-Time' ? random.pick(['LOA', 'Part-Time'] as const) : 'Full-Time';
      return { statusHistory: [...rows, row(today + random.int(1, 90), next)], terminationDay: null };
    }
    case 'current':
      return { statusHistory: career(starting, hire, today, random), terminationDay: null };
  }
}

/**
 * Rows from the hire day up to (not including) `until`: a conversion to full time, or a leave of
 * absence and the return from it. A change on or after `until` is cut off, so these rows never
 * reach past today or a termination; a leave cut off that way leaves the person on leave now.
 */
function career(starting: string, hire: number, until: number, random: Random): SeedStatusRow[] {
  const rows = [row(hire, starting)];
  if (CONVERTIBLE.has(starting) && random.chance(CONVERSION_PROBABILITY)) {
    const conversion = hire + random.int(60, 180);
    if (conversion < until) rows.push(row(conversion, 'Full-Time'));
  } else if (starting === 'Full-Time' && random.chance(LEAVE_PROBABILITY)) {
    const leave = hire + random.int(90, 720);
    const back = leave + random.int(14, 120);
    if (leave < until) rows.push(row(leave, 'LOA'));
    if (back < until) rows.push(row(back, 'Full-Time'));
  }
  return rows;
}

function row(day: number, status: string): SeedStatusRow {
  return { date: toLocalDate(day), status };
}
