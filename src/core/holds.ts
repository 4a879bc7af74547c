/**
 * Holds: an admin's word that a person's learner stays exactly as it is — not deactivated, not
 * updated, not moved between teams — until a date, whatever HR says meanwhile (a disputed
 * termination, a leave). Pure: the planner and explain judge a hold by the day they plan for.
 */
import { employeeKey, type LocalDate, type Source } from '../model.js';

export interface Hold {
  /** The employee key (`BAMBOOHR:123`): one hold per employee, a second replaces the first. */
  id: string;
  source: Source;
  sourceId: string;
  /** The last day the hold is in force; from the day after, syncs act on the person again. */
  until: LocalDate;
  /** Why, in the words of whoever placed it (shown in explain and the report). */
  reason: string;
  /** Who placed it: the API token's id. */
  heldBy: string;
  /** When it was placed, ISO 8601. */
  heldAt: string;
}

/** A hold keeps the learner through its `until` day, and lapses by itself the day after. */
export function holdInForce(hold: Pick<Hold, 'until'>, day: LocalDate): boolean {
  return day <= hold.until;
}

/** The holds of `source` in force on `day`, by the employee's sourceId. */
export function holdsInForce(holds: readonly Hold[], source: Source, day: LocalDate): Map<string, Hold> {
  return new Map(holds.filter((hold) => hold.source === source && holdInForce(hold, day)).map((hold) => [hold.sourceId, hold]));
}

export const holdId = (employee: { source: Source; sourceId: string }): string => employeeKey(employee);
