/**
 * Which Litmos learner each employee is. A stored link decides outright; otherwise an unclaimed
 * learner is matched by username, then by email, so people who were in Litmos before the gateway
 * are linked rather than created twice.
 */
import type { Employee, IdentityLink, Learner, Source } from '../model.js';
import { groupBy, memoized } from './collections.js';
import { identityKey } from './fields.js';
import { compareIds, inIdOrder } from './plan-types.js';

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
export function resolveIdentities(given: IdentityInput): IdentifiedEmployee[] {
  // Eligibility and usernames are asked of each employee several times over (ranking, handovers,
  // matching); once each is enough, and at 50,000 employees the sort alone would ask a million times.
  const input = { ...given, isEligible: memoized(given.isEligible), usernameOf: memoized(given.usernameOf) };
  const learnersById = new Map(input.learners.map((learner) => [learner.id, learner]));
  const handedOver = handovers(input, learnersById);
  const links = input.links.filter((link) => !handedOver.has(link));
  const linkedLearnerId = new Map(links.filter((link) => link.source === input.source).map((link) => [link.sourceId, link.learnerId]));
  // Links of every source claim their learner: a Namely employee must not take a BambooHR one's.
  const claimed = new Set(links.map((link) => link.learnerId));
  // A match only ever takes an unclaimed learner, and claims only grow: the learners links already
  // claim (after the first run, nearly all of them) need no place in the indexes.
  const unclaimed = input.learners.filter((learner) => !claimed.has(learner.id));
  const byUsername = indexBy(unclaimed, (learner) => learner.userName);
  const byEmail = indexBy(unclaimed, (learner) => learner.email);

  const rankOf = (employee: Employee) => (linkedLearnerId.has(employee.sourceId) ? 0 : 2) + (input.isEligible(employee) ? 0 : 1);
  const claimOrder = inRankOrder(inIdOrder(input.employees), rankOf);

  const emailsHeld = new Set<string>();
  return claimOrder.map((employee) => ({ employee, identity: identify(employee) }));

  function identify(employee: Employee): Identity {
    const email = identityKey(employee.workEmail);
    const linkedId = linkedLearnerId.get(employee.sourceId);
    if (linkedId !== undefined) {
      if (email !== null) emailsHeld.add(email);
      const learner = learnersById.get(linkedId);
      return learner === undefined ? { kind: 'SKIPPED', reason: 'LINKED_LEARNER_MISSING', learnerId: linkedId } : { kind: 'LINKED', learner };
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

/**
 * Links whose learner has passed to another record: a rehire entered in HR as a new record, say. The
 * stored link would otherwise win forever, leaving the person who should have access skipped
 * (USERNAME_TAKEN) while their own learner sits deactivated. A link is handed over only when all of
 * it points one way: its employee is not eligible, no longer has the learner's username, and an
 * eligible employee of the same source with no learner of its own now does — who then matches the
 * learner by username (and is linked to it), while the old record has no learner left to deactivate.
 * Once linked, the successor holds the learner by its own, later link, and the old one stays
 * released whatever becomes of either record: a rehired old record gets a learner of its own.
 */
function handovers(input: IdentityInput, learnersById: ReadonlyMap<string, Learner>): Set<IdentityLink> {
  const ownLinks = input.links.filter((link) => link.source === input.source);
  const employees = new Map<string, Employee>();
  for (const employee of input.employees) employees.set(employee.sourceId, employee);
  const released = new Set<IdentityLink>();
  // Once handed over, a learner is named by two links, the old record's and the successor's. Only
  // one may hold it, or both employees would act on it — the old record, once rehired, renaming it
  // from under the employee who has it, or deactivating it for them. The link made last holds it:
  // that is the successor's, since a linked learner is matched to another record only once the old
  // link was released. (Same instant, a stopped clock: the eligible record's, then the later id.)
  const eligibleLink = (link: IdentityLink) => {
    const employee = employees.get(link.sourceId);
    return employee !== undefined && input.isEligible(employee);
  };
  const holdsFirst = (a: IdentityLink, b: IdentityLink) =>
    compareText(b.linkedAt, a.linkedAt) || Number(eligibleLink(b)) - Number(eligibleLink(a)) || compareIds(b.sourceId, a.sourceId);
  for (const group of sharedLearners(ownLinks)) {
    const [holder] = [...group].sort(holdsFirst);
    for (const link of group) if (link !== holder) released.add(link);
  }
  // Only a link whose employee is not eligible may pass on; their learners' usernames are all the
  // successors looked for (a few hundred links, where indexing every employee's username cost a map of 50,000).
  const candidates = input.links.flatMap((link) => {
    const holder = link.source === input.source ? employees.get(link.sourceId) : undefined;
    const username = identityKey(learnersById.get(link.learnerId)?.userName ?? null);
    return holder === undefined || username === null || input.isEligible(holder) ? [] : [{ link, holder, username }];
  });
  if (candidates.length === 0) return released;
  const wanted = new Set(candidates.map((candidate) => candidate.username));
  const eligibleByUsername = new Map<string, Employee>();
  for (const employee of input.employees) {
    if (!input.isEligible(employee)) continue;
    const username = identityKey(input.usernameOf(employee));
    if (username !== null && wanted.has(username)) eligibleByUsername.set(username, employee);
  }
  // A successor linked to another learner is in an email swap, not a rehire: that is not ours to untangle.
  const linkedTo = new Map(ownLinks.map((link) => [link.sourceId, link.learnerId]));
  for (const { link, holder, username } of candidates) {
    const successor = eligibleByUsername.get(username);
    const successorsLearner = successor === undefined ? undefined : linkedTo.get(successor.sourceId);
    if (successor === undefined || successor.sourceId === holder.sourceId || (successorsLearner !== undefined && successorsLearner !== link.learnerId))
      continue;
    if (identityKey(input.usernameOf(holder)) !== username) released.add(link);
  }
  return released;
}

/** The links that name one learner, for each learner more than one link names. */
function sharedLearners(links: readonly IdentityLink[]): IdentityLink[][] {
  const first = new Map<string, IdentityLink>();
  const shared = new Map<string, IdentityLink[]>();
  for (const link of links) {
    const earlier = first.get(link.learnerId);
    if (earlier === undefined) first.set(link.learnerId, link);
    else shared.set(link.learnerId, [...(shared.get(link.learnerId) ?? [earlier]), link]);
  }
  return [...shared.values()];
}

/** A stable partition by rank (0–3): rank order, and within a rank the order given. Linear, unlike a sort. */
function inRankOrder(employees: readonly Employee[], rankOf: (employee: Employee) => number): Employee[] {
  const ranks: Employee[][] = [[], [], [], []];
  for (const employee of employees) ranks[rankOf(employee)]?.push(employee);
  return ranks.flat();
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Null when no unclaimed learner qualifies, so the caller falls through to the next rule. */
function match(candidates: readonly Learner[] | undefined, matchedBy: 'USERNAME' | 'EMAIL', claimed: ReadonlySet<string>): Identity | null {
  const free = (candidates ?? []).filter((learner) => !claimed.has(learner.id));
  const [only, ...others] = free;
  if (only === undefined) return null;
  if (others.length > 0) return { kind: 'SKIPPED', reason: 'AMBIGUOUS_MATCH', learnerId: null };
  return { kind: 'MATCHED', learner: only, matchedBy };
}

function indexBy(learners: readonly Learner[], value: (learner: Learner) => string | null): Map<string, Learner[]> {
  return groupBy(
    learners.flatMap((learner): [string, Learner][] => {
      const key = identityKey(value(learner));
      return key === null ? [] : [[key, learner]];
    }),
  );
}
