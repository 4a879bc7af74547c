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
    const hidden = Object.fromEntries(hiddenFields.filter((field) => field in known).map((field) => [field, known[field] ?? null]));
    return { ...learner, ...hidden };
  });
}

/**
 * The shadow after a run: what creates and updates that succeeded wrote to the hidden fields. The very
 * same object when the run wrote none, so a caller can tell there is nothing to store.
 */
export function updateShadow(shadow: Shadow, results: readonly ActionResult[], hiddenFields: readonly LearnerField[]): Shadow {
  const writes = (result: ActionResult) =>
    result.ok && result.learnerId && (result.action.kind === 'CREATE_LEARNER' || result.action.kind === 'UPDATE_LEARNER');
  if (!results.some(writes)) return shadow;
  const next: Shadow = { ...shadow };
  const remember = (learnerId: string, fields: LearnerFields) => {
    const hidden = Object.fromEntries(Object.entries(fields).filter(([field]) => hiddenFields.includes(field as LearnerField)));
    next[learnerId] = { ...next[learnerId], ...hidden };
  };
  for (const result of results) {
    if (!result.ok || !result.learnerId) continue;
    const { action } = result;
    if (action.kind === 'CREATE_LEARNER') remember(result.learnerId, action.fields);
    if (action.kind === 'UPDATE_LEARNER') remember(result.learnerId, Object.fromEntries(action.changes.map((c) => [c.field, c.after])));
  }
  return next;
}
