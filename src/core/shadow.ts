/**
 * Litmos's user list shows names, username, email and status, but not title, phones or address; a
 * full profile costs a call per learner, which a budget of 100 calls a minute cannot pay for every
 * run. So the engine remembers what it last wrote to those hidden fields (the shadow) and plans
 * against that: HR changes are still caught, and a run with no HR change writes nothing. The price,
 * stated plainly: a manual edit in Litmos to a hidden field is only overwritten when HR next changes it.
 *
 * Which fields a list leaves out is the Litmos client's knowledge (`HIDDEN_LEARNER_FIELDS`), so the
 * rules here take them as an argument instead of importing the vendor.
 */
import type { Learner } from '../model.js';
import type { ActionResult } from './plan-types.js';
import type { LearnerField, LearnerFields } from './policy.js';

export type Shadow = Record<string, LearnerFields>;

/** Listed learners with their hidden fields filled from the shadow where it knows them. */
export function withShadow(learners: readonly Learner[], shadow: Shadow, hiddenFields: readonly LearnerField[]): Learner[] {
  return learners.map((learner) => {
    const known = shadow[learner.id];
    if (!known) return learner;
    const filled = { ...learner };
    // The same copy, seen as its learner fields: set in place rather than spread once more per learner.
    const fields: LearnerFields = filled;
    for (const field of hiddenFields) if (field in known) fields[field] = known[field] ?? null;
    return filled;
  });
}

/**
 * What the creates and updates that succeeded wrote to the hidden fields, by learner: empty when they
 * wrote none, so a caller can leave the stored shadow, megabytes for 50,000 learners, unread.
 */
export function shadowWrites(results: readonly ActionResult[], hiddenFields: readonly LearnerField[]): Shadow {
  const writes: Shadow = {};
  const remember = (learnerId: string, fields: LearnerFields) => {
    const hidden = Object.fromEntries(Object.entries(fields).filter(([field]) => hiddenFields.includes(field as LearnerField)));
    if (Object.keys(hidden).length > 0) writes[learnerId] = { ...writes[learnerId], ...hidden };
  };
  for (const result of results) {
    if (!result.ok || !result.learnerId) continue;
    const { action } = result;
    if (action.kind === 'CREATE_LEARNER') remember(result.learnerId, action.fields);
    if (action.kind === 'UPDATE_LEARNER') remember(result.learnerId, Object.fromEntries(action.changes.map((c) => [c.field, c.after])));
  }
  return writes;
}

/** The shadow after a run: what it held, with the run's writes (`shadowWrites`) laid over it. */
export function updateShadow(shadow: Shadow, writes: Shadow): Shadow {
  const next: Shadow = { ...shadow };
  for (const [learnerId, fields] of Object.entries(writes)) next[learnerId] = { ...next[learnerId], ...fields };
  return next;
}
