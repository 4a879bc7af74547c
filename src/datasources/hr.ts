import type { Employee, Source } from '../model.js';

/**
 * What the gateway needs from an HR system, whichever vendor it is. Reads are complete or they
 * throw: a client never returns a partial roster, because the sync engine deactivates people on the
 * strength of what a full read says.
 */
export interface HrClient {
  readonly source: Source;
  /** Every employee, current, former and future (pre-hires), with every field the model holds. */
  listEmployees(): Promise<Employee[]>;
  /** The employees with these vendor ids; unknown ids are left out of the result. */
  getEmployees(sourceIds: readonly string[]): Promise<Employee[]>;
  /** How an incremental run reads only what changed; absent for a source that cannot say. */
  readonly changes?: HrChangeFeed;
}

/**
 * A source's change feed. Checkpoints are the feed's own (opaque to the engine) and on the vendor's
 * clock wherever the vendor gives one, so a gateway whose clock is off loses nothing.
 */
export interface HrChangeFeed {
  /**
   * A checkpoint taken before a full read starts: every change after it is in the next `read`. The
   * vendor's clock (its `Date` header) less `CHECKPOINT_SKEW_MS`, or the gateway's when it sends none.
   */
  mark(): Promise<string>;
  /** The employees changed since `since`, read in full (the same fields a roster read gives). */
  read(since: string): Promise<HrChanges>;
}

export interface HrChanges {
  /** Every employee the feed named whom HR still returns, as a roster read would give them. */
  employees: Employee[];
  /** Ids the feed named whom HR no longer returns (deleted, or gone since): they deactivate nobody. */
  notFound: string[];
  /** Where the next read starts, once a run that used this one succeeded. */
  next: string;
}

/**
 * How far a checkpoint taken from a clock is set back: changes committed just before the clock was
 * read (a vendor's web servers and database may disagree by some seconds; a transaction's timestamp
 * precedes its commit) are read again rather than missed. Reading a change twice costs one lookup.
 */
export const CHECKPOINT_SKEW_MS = 5 * 60_000;

/** A checkpoint instant from a response's `Date` header (the vendor's clock), less the skew; the gateway's clock when there is none. */
export function markFrom(dateHeader: string | undefined, gatewayNow: Date): Date {
  const vendor = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
  return new Date((Number.isNaN(vendor) ? gatewayNow.getTime() : vendor) - CHECKPOINT_SKEW_MS);
}
