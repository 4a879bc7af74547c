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
}
