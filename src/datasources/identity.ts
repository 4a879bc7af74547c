/**
 * Who is who across HR and Litmos. A stored link wins; otherwise an employee matches the learner whose
 * username is the employee's work email, then the learner whose email is — each learner to at most one
 * employee. Pure: the same inputs always pair the same people.
 */
import { employeeKey, type Employee, type IdentityLink, type Learner, type MatchedBy } from '../model.js';

export interface IdentityMatch {
  employee: Employee;
  learner: Learner;
  matchedBy: MatchedBy;
}

export interface IdentityIndex {
  byEmployee: Map<string, IdentityMatch>;
  byLearner: Map<string, IdentityMatch>;
}

const norm = (value: string | null | undefined) => value?.trim().toLowerCase() || undefined;

export function matchIdentities(employees: readonly Employee[], learners: readonly Learner[], links: readonly IdentityLink[]): IdentityIndex {
  const learnerById = new Map(learners.map((learner) => [learner.id, learner]));
  const byUserName = new Map<string, Learner>();
  const byEmail = new Map<string, Learner>();
  for (const learner of learners) {
    const userName = norm(learner.userName);
    const email = norm(learner.email);
    if (userName && !byUserName.has(userName)) byUserName.set(userName, learner);
    if (email && !byEmail.has(email)) byEmail.set(email, learner);
  }
  const linkByEmployee = new Map(links.map((link) => [`${link.source}:${link.sourceId}`, link]));
  const linkedLearners = new Set(links.map((link) => link.learnerId));

  const index: IdentityIndex = { byEmployee: new Map(), byLearner: new Map() };
  const pair = (employee: Employee, learner: Learner, matchedBy: MatchedBy) => {
    const match = { employee, learner, matchedBy };
    index.byEmployee.set(employeeKey(employee), match);
    index.byLearner.set(learner.id, match);
  };

  const unlinked: Employee[] = [];
  for (const employee of employees) {
    const link = linkByEmployee.get(employeeKey(employee));
    const learner = link && learnerById.get(link.learnerId);
    if (learner) pair(employee, learner, 'LINK');
    else unlinked.push(employee);
  }
  // Username before email, across everyone, so an email match never takes a learner whose username
  // belongs to someone else.
  for (const [matchedBy, table] of [['USERNAME', byUserName], ['EMAIL', byEmail]] as const) {
    for (const employee of unlinked) {
      const email = norm(employee.workEmail);
      const learner = email ? table.get(email) : undefined;
      if (!learner || index.byEmployee.has(employeeKey(employee))) continue;
      if (linkedLearners.has(learner.id) || index.byLearner.has(learner.id)) continue;
      pair(employee, learner, matchedBy);
    }
  }
  return index;
}
