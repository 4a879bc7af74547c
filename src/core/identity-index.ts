/**
 * Who is who across HR and Litmos, for the read graph: the planner's own identity rules
 * (`core/identity.ts`), so `Employee.learner` shows the learner a sync would act on.
 */
import { employeeKey, type Employee, type IdentityLink, type Learner, type MatchedBy, type Source } from '../model.js';
import { resolveIdentities } from './identity.js';

export interface IdentityMatch {
  employee: Employee;
  learner: Learner;
  matchedBy: MatchedBy;
}

export interface IdentityIndex {
  byEmployee: Map<string, IdentityMatch>;
  byLearner: Map<string, IdentityMatch>;
}

export function matchIdentities(source: Source, employees: readonly Employee[], learners: readonly Learner[], links: readonly IdentityLink[]): IdentityIndex {
  const index: IdentityIndex = { byEmployee: new Map(), byLearner: new Map() };
  // The default field map's username is the work email; eligibility only breaks ties between two
  // records with one email, which the graph resolves as the planner would for everyone eligible.
  const identified = resolveIdentities({ source, employees, learners, links, usernameOf: (e) => e.workEmail, isEligible: () => true });
  for (const { employee, identity } of identified) {
    if (identity.kind !== 'LINKED' && identity.kind !== 'MATCHED') continue;
    const match = { employee, learner: identity.learner, matchedBy: identity.kind === 'LINKED' ? 'LINK' : identity.matchedBy } as const;
    index.byEmployee.set(employeeKey(employee), match);
    index.byLearner.set(identity.learner.id, match);
  }
  return index;
}
