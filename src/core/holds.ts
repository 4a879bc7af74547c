/**
 * Holds: an admin's word that a person's learner stays exactly as it is — not deactivated, not
 * updated, not moved between teams — until a date, whatever HR says meanwhile (a disputed
 * termination, a leave). Pure: the planner and explain judge a hold by the day they plan for.
 */
import { BadUserInputError } from '../errors.js';
import { employeeKey, type LocalDate, type Source } from '../model.js';
import { addDays } from './eligibility.js';

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

/** A hold longer than this is no longer a hold but a policy; two years covers the longest leaves. */
export const MAX_HOLD_DAYS = 730;
/** Reasons are notes for the next admin, not documents. */
export const MAX_REASON_LENGTH = 500;

/**
 * A hold on `employee` as asked, checked: `until` today or later and at most MAX_HOLD_DAYS ahead, a
 * reason given. Throws `BadUserInputError` naming the field.
 */
export function placeHold(request: {
  employee: { source: Source; sourceId: string };
  until: LocalDate;
  reason: string;
  heldBy: string;
  today: LocalDate;
  /** ISO 8601. */
  heldAt: string;
}): Hold {
  const { until, today } = request;
  if (until < today) throw new BadUserInputError(`until: expected today (${today}) or later, received ${until}`, { field: 'until' });
  if (until > addDays(today, MAX_HOLD_DAYS)) {
    throw new BadUserInputError(`until: expected at most ${MAX_HOLD_DAYS} days ahead (${addDays(today, MAX_HOLD_DAYS)}), received ${until}`, {
      field: 'until',
    });
  }
  const reason = request.reason.trim();
  if (reason === '' || reason.length > MAX_REASON_LENGTH) {
    throw new BadUserInputError(`reason: expected 1 to ${MAX_REASON_LENGTH} characters, received ${reason.length}`, { field: 'reason' });
  }
  const { source, sourceId } = request.employee;
  return { id: holdId({ source, sourceId }), source, sourceId, until, reason, heldBy: request.heldBy, heldAt: request.heldAt };
}
