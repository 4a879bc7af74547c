/**
 * What-if: the difference between two plans of one roster — the current policy today, and a draft
 * policy on some later day — employee by employee, in the words an admin decides by: who would be
 * created, deactivated, moved between teams, updated, and whose state changes at all. Pure.
 */
import type { LocalDate } from '../model.js';
import { explainPlan, type Provisioning, type ProvisioningState } from './explain.js';
import type { FieldChange } from './fields.js';
import type { IdentifiedEmployee } from './identity.js';
import type { PlanInput, PlannedAction, SyncPlan } from './plan-types.js';

export interface PlannedInput {
  input: PlanInput;
  plan: SyncPlan;
  /** Who the planner took each employee to be (`planWithIdentities`); worked out again when left out. */
  identified?: readonly IdentifiedEmployee[];
}

export interface PreviewEntry {
  sourceId: string;
  /** The state under the current policy today. */
  before: ProvisioningState;
  /** The state under the draft, on its day. */
  after: ProvisioningState;
  /** Why, under the draft. */
  reasons: Provisioning['reasons'];
  /** The draft plan's field changes for them. */
  changes: FieldChange[];
  teamsJoined: string[];
  teamsLeft: string[];
}

export interface PlanDiff {
  /** The draft gives them a learner (created or reactivated); the current plan does not. */
  created: PreviewEntry[];
  deactivated: PreviewEntry[];
  /** The draft changes an existing learner's teams otherwise than the current plan does. */
  moved: PreviewEntry[];
  /** The draft updates their learner's fields otherwise than the current plan does. */
  updated: PreviewEntry[];
  /** Everyone whose state differs between the two, whichever way. */
  changed: PreviewEntry[];
  /** The draft's day. */
  asOf: LocalDate;
}

/** One employee's part of a plan, as the diff compares it. */
interface Part {
  gains: boolean;
  loses: boolean;
  teams: string;
  fields: string;
  changes: FieldChange[];
  joined: string[];
  left: string[];
}

export function diffPlans(current: PlannedInput, draft: PlannedInput): PlanDiff {
  const before = explainPlan(current.input, current.plan, current.identified);
  const after = explainPlan(draft.input, draft.plan, draft.identified);
  const parts = { current: partsOf(current.plan), draft: partsOf(draft.plan) };
  const diff: PlanDiff = { created: [], deactivated: [], moved: [], updated: [], changed: [], asOf: draft.input.today };
  for (const [sourceId, then] of after) {
    const now = before.get(sourceId);
    const was = parts.current.get(sourceId) ?? EMPTY;
    const will = parts.draft.get(sourceId) ?? EMPTY;
    const entry: PreviewEntry = {
      sourceId,
      before: now?.state ?? 'NOT_PROVISIONED',
      after: then.state,
      reasons: then.reasons,
      changes: will.changes,
      teamsJoined: will.joined,
      teamsLeft: will.left,
    };
    if (will.gains && !was.gains) diff.created.push(entry);
    if (will.loses && !was.loses) diff.deactivated.push(entry);
    // A learner being created joins its team as part of that: moving is for learners that exist.
    if (will.teams !== '' && will.teams !== was.teams && !will.gains) diff.moved.push(entry);
    if (will.fields !== '' && will.fields !== was.fields) diff.updated.push(entry);
    if (entry.before !== entry.after) diff.changed.push(entry);
  }
  return diff;
}

const EMPTY: Part = { gains: false, loses: false, teams: '', fields: '', changes: [], joined: [], left: [] };

function partsOf(plan: SyncPlan): Map<string, Part> {
  const parts = new Map<string, Part>();
  for (const action of plan.actions) {
    if (!('sourceId' in action)) continue;
    const part = parts.get(action.sourceId) ?? { ...EMPTY, changes: [], joined: [], left: [] };
    parts.set(action.sourceId, addTo(part, action));
  }
  for (const part of parts.values()) {
    part.teams = [...part.joined.map((name) => `+${name}`), ...part.left.map((name) => `-${name}`)].sort().join('\n');
    part.fields = part.changes.map((change) => `${change.field}=${change.after ?? ''}`).join('\n');
  }
  return parts;
}

function addTo(part: Part, action: PlannedAction): Part {
  switch (action.kind) {
    case 'CREATE_LEARNER':
    case 'REACTIVATE_LEARNER':
      return { ...part, gains: true };
    case 'DEACTIVATE_LEARNER':
      return { ...part, loses: true };
    case 'UPDATE_LEARNER':
      return { ...part, changes: [...part.changes, ...action.changes] };
    case 'ADD_TO_TEAM':
      return { ...part, joined: [...part.joined, action.teamName] };
    case 'REMOVE_FROM_TEAM':
      return { ...part, left: [...part.left, action.teamName] };
    default:
      return part;
  }
}
