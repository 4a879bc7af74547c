/**
 * The Litmos side of a targeted run (an import, a webhook's employees, an incremental run's changes):
 * the learners its employees have or may take, looked up one by one (`GET /users/{id or username}`)
 * instead of listing every Litmos user, which at 100 requests a minute is what a large account cannot
 * afford for a handful of changes.
 *
 * Whom each employee is looked up by follows the planner's identity rules (core/identity.ts): the
 * stored link's learner, else the username the field map gives them, else (for an unlinked employee
 * no username finds) a user with their email, through Litmos's search. An eligible linked learner
 * whose username is to change has its new username looked up too: whoever holds it must be known to
 * the planner's username book, which never hands out a taken username. Everything the planner could
 * act on or give away is therefore in what it is given; a learner only a full listing would show is
 * one no in-scope employee can reach.
 */
import type { LitmosClient } from '../datasources/litmos/client.js';
import type { Employee, IdentityLink, Learner } from '../model.js';
import { identityKey, learnerFieldsFor } from '../core/fields.js';
import type { Policy } from '../core/policy.js';

/** Litmos's `search` takes at most this many characters. */
const MAX_SEARCH = 50;

export async function targetedLearners(options: {
  employees: readonly Employee[];
  links: readonly IdentityLink[];
  policy: Policy;
  litmos: Pick<LitmosClient, 'getLearner' | 'searchLearners'>;
}): Promise<Learner[]> {
  const { employees, policy, litmos } = options;
  const found = new Map<string, Learner>();
  const keep = (learner: Learner | null) => {
    if (learner) found.set(learner.id, learner);
    return learner;
  };
  const linked = new Map(options.links.map((link) => [`${link.source}:${link.sourceId}`, link.learnerId]));
  const usernameOf = (employee: Employee) => learnerFieldsFor(employee, policy.fieldMap).userName ?? null;

  await Promise.all(
    employees.map(async (employee) => {
      const wanted = usernameOf(employee);
      const linkedId = linked.get(`${employee.source}:${employee.sourceId}`);
      const own = linkedId !== undefined ? keep(await litmos.getLearner(linkedId)) : null;
      // A rename's target (or, unlinked, the learner the username matches): whoever holds it.
      const byName = wanted && identityKey(wanted) !== identityKey(own?.userName ?? null) ? keep(await litmos.getLearner(wanted)) : null;
      const email = identityKey(employee.workEmail);
      if (linkedId === undefined && byName === null && email !== null && email.length <= MAX_SEARCH) {
        for (const learner of await litmos.searchLearners(email)) if (identityKey(learner.email) === email) keep(learner);
      }
    }),
  );
  return [...found.values()];
}
