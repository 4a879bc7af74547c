/**
 * Which Litmos learner each employee is. A stored link decides outright; otherwise an unclaimed
 * learner is matched by username, then by email, so people who were in Litmos before the gateway
 * are linked rather than created twice.
 */
import type { Employee, IdentityLink, Learner, Source } from '../model.js';
import { identityKey } from './fields.js';
import { compareIds } from './plan-types.js';

export type Identity =
  | { kind: 'LINKED'; learner: Learner }
  | { kind: 'MATCHED'; learner: Learner; matchedBy: 'USERNAME' | 'EMAIL' }
  | { kind: 'UNMATCHED' }
  | { kind: 'SKIPPED'; reason: IdentitySkipReason; learnerId: string | null };

export type IdentitySkipReason = 'DUPLICATE_EMAIL' | 'AMBIGUOUS_MATCH' | 'LINKED_LEARNER_MISSING';

export interface IdentityInput {
  source: Source;
  employees: readonly Employee[];
  learners: readonly Learner[];
  links: readonly IdentityLink[];
  /** The username the field map gives the employee's learner. */
  usernameOf: (employee: Employee) => string | null;
  isEligible: (employee: Employee) => boolean;
}

export interface IdentifiedEmployee {
  employee: Employee;
  identity: Identity;
}

/**
 * Every employee with their identity, in claim order: linked first, then eligible, then by id.
 * When two employees compete for one email or one learner, the one HR says should have access
 * wins — so a rehire entered as a new record takes the email over their own terminated old record.
 */
export function resolveIdentities(input: IdentityInput): IdentifiedEmployee[] {
  const learnersById = new Map(input.learners.map((learner) => [learner.id, learner]));
  const linkedLearnerId = new Map(
    input.links.filter((link) => link.source === input.source).map((link) => [link.sourceId, link.learnerId]),
  );
  // Links of every source claim their learner: a Namely employee must not take a BambooHR one's.
  const claimed = new Set(input.links.map((link) => link.learnerId));
  const byUsername = indexBy(input.learners, (learner) => learner.userName);
  const byEmail = indexBy(input.learners, (learner) => learner.email);

  const rank = (employee: Employee) =>
    (linkedLearnerId.has(employee.sourceId) ? 0 : 2) + (input.isEligible(employee) ? 0 : 1);
  const claimOrder = [...input.employees].sort(
    (a, b) => rank(a) - rank(b) || compareIds(a.sourceId, b.sourceId),
  );

  const emailsHeld = new Set<string>();
  return claimOrder.map((employee) => ({ employee, identity: identify(employee) }));

  function identify(employee: Employee): Identity {
    const email = identityKey(employee.workEmail);
    const linkedId = linkedLearnerId.get(employee.sourceId);
    if (linkedId !== undefined) {
      if (email !== null) emailsHeld.add(email);
      const learner = learnersById.get(linkedId);
      return learner === undefined
        ? { kind: 'SKIPPED', reason: 'LINKED_LEARNER_MISSING', learnerId: linkedId }
        : { kind: 'LINKED', learner };
    }
    if (email !== null && emailsHeld.has(email)) return { kind: 'SKIPPED', reason: 'DUPLICATE_EMAIL', learnerId: null };
    if (email !== null) emailsHeld.add(email);
    const identity =
      match(byUsername.get(identityKey(input.usernameOf(employee)) ?? ''), 'USERNAME', claimed) ??
      match(byEmail.get(email ?? ''), 'EMAIL', claimed) ??
      ({ kind: 'UNMATCHED' } as const);
    if (identity.kind === 'MATCHED') claimed.add(identity.learner.id);
    return identity;
  }
}

/** Null when no unclaimed learner qualifies, so the caller falls through to the next rule. */
function match(
  candidates: readonly Learner[] | undefined,
  matchedBy: 'USERNAME' | 'EMAIL',
  claimed: ReadonlySet<string>,
): Identity | null {
  const free = (candidates ?? []).filter((learner) => !claimed.has(learner.id));
  const [only, ...others] = free;
  if (only === undefined) return null;
  if (others.length > 0) return { kind: 'SKIPPED', reason: 'AMBIGUOUS_MATCH', learnerId: null };
  return { kind: 'MATCHED', learner: only, matchedBy };
}

function indexBy(learners: readonly Learner[], value: (learner: Learner) => string | null): Map<string, Learner[]> {
  const index = new Map<string, Learner[]>();
  for (const learner of learners) {
    const key = identityKey(value(learner));
    if (key === null) continue;
    const bucket = index.get(key);
    if (bucket === undefined) index.set(key, [learner]);
    else bucket.push(learner);
  }
  return index;
}
