/** Plain-data builders for the planner's tests: one employee, their learner, and a world in step. */
import type { Employee, IdentityLink, Learner, Team } from '../../src/model.js';
import type { PlanInput } from '../../src/core/plan.js';
import { defaultPolicy, type SourceDefaults } from '../../src/core/policy.js';

export const TODAY = '2025-06-15';
/** A source's defaults as a vendor's folder declares them; the rules read only the flag's name. */
export const SOURCE: SourceDefaults = { accessFlagFieldName: 'Litmos Access' };

/** An active, flagged, full-time employee hired in 2020, with every mapped field filled. */
export function employee(sourceId: string, overrides: Partial<Employee> = {}): Employee {
  return {
    source: 'BAMBOOHR',
    sourceId,
    employeeNumber: `E${sourceId}`,
    firstName: `First${sourceId}`,
    lastName: `Last${sourceId}`,
    preferredName: null,
    displayName: `First${sourceId} Last${sourceId}`,
    workEmail: `person${sourceId}@acme.test`,
    jobTitle: 'Engineer',
    department: 'Engineering',
    division: 'Product',
    location: 'Lisbon',
    workPhone: '+351 210 000 000',
    mobilePhone: null,
    workAddress: { street1: '1 Rua Augusta', street2: null, city: 'Lisbon', state: null, postalCode: '1100-048', country: 'PT' },
    employmentStatusHistory: [{ effectiveDate: '2020-01-06', status: 'Full-Time' }],
    status: 'ACTIVE',
    hireDate: '2020-01-06',
    terminationDate: null,
    accessEnabled: true,
    managerId: null,
    ...overrides,
  };
}

/** The learner the default field map makes of `of`, active, with id `L<sourceId>`. */
export function learnerOf(of: Employee, overrides: Partial<Learner> = {}): Learner {
  return {
    id: `L${of.sourceId}`,
    userName: of.workEmail ?? `user${of.sourceId}`,
    email: of.workEmail,
    firstName: of.firstName,
    lastName: of.lastName,
    title: of.jobTitle,
    active: true,
    accessLevel: 'Learner',
    phoneWork: of.workPhone,
    phoneMobile: of.mobilePhone,
    street1: of.workAddress?.street1 ?? null,
    street2: of.workAddress?.street2 ?? null,
    city: of.workAddress?.city ?? null,
    state: of.workAddress?.state ?? null,
    postalCode: of.workAddress?.postalCode ?? null,
    country: of.workAddress?.country ?? null,
    ...overrides,
  };
}

export function linkOf(of: Employee, learnerId = `L${of.sourceId}`): IdentityLink {
  return { source: of.source, sourceId: of.sourceId, learnerId, matchedBy: 'LINK', linkedAt: '2025-01-01T00:00:00Z' };
}

/**
 * Litmos as a previous run left it for these employees: each linked to an active learner that
 * matches HR, and a member of a team named after their department (team id `T-<department>`).
 */
export function inStep(employees: readonly Employee[]): Pick<PlanInput, 'learners' | 'links' | 'teams' | 'teamMembers'> {
  const teams = new Map<string, Team>();
  const teamMembers: Record<string, string[]> = {};
  for (const person of employees) {
    if (person.department === null) continue;
    const team = teams.get(person.department) ?? { id: `T-${person.department}`, name: person.department, parentId: null };
    teams.set(person.department, team);
    (teamMembers[team.id] ??= []).push(`L${person.sourceId}`);
  }
  return {
    learners: employees.map((person) => learnerOf(person)),
    links: employees.map((person) => linkOf(person)),
    teams: [...teams.values()],
    teamMembers,
  };
}

/** A complete BambooHR read with the default policy and nothing in Litmos, overridden as given. */
export function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    source: 'BAMBOOHR',
    employees: [],
    read: { complete: true },
    learners: [],
    teams: [],
    teamMembers: {},
    links: [],
    policy: defaultPolicy(SOURCE),
    today: TODAY,
    ...overrides,
  };
}

/** `planInput` for employees already in step with Litmos, overridden as given. */
export function inStepInput(employees: Employee[], overrides: Partial<PlanInput> = {}): PlanInput {
  return planInput({ employees, ...inStep(employees), ...overrides });
}
