/**
 * The unified model as plain data. Vendor `mapping.ts` files produce these records, the sync plan
 * consumes them and the GraphQL schema exposes them; nothing here performs I/O.
 */

export const SOURCES = ['BAMBOOHR', 'NAMELY'] as const;
export type Source = (typeof SOURCES)[number];

export type EmployeeStatus = 'ACTIVE' | 'INACTIVE' | 'PENDING';

/** A calendar date as `YYYY-MM-DD`, with no time zone: HR systems record days, not instants. */
export type LocalDate = string;

/** One effective-dated employment-status row (BambooHR's employmentStatus table). */
export interface EmploymentStatusRow {
  effectiveDate: LocalDate;
  status: string;
}

export interface Address {
  street1: string | null;
  street2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface Employee {
  source: Source;
  /** The vendor's own id (BambooHR numeric string, Namely UUID). */
  sourceId: string;
  employeeNumber: string | null;
  firstName: string;
  lastName: string;
  preferredName: string | null;
  displayName: string;
  /** Lower-cased and trimmed; null when HR has none. */
  workEmail: string | null;
  jobTitle: string | null;
  department: string | null;
  division: string | null;
  location: string | null;
  workPhone: string | null;
  mobilePhone: string | null;
  workAddress: Address | null;
  /** Every known status row, oldest first, including rows dated in the future. */
  employmentStatusHistory: EmploymentStatusRow[];
  status: EmployeeStatus;
  hireDate: LocalDate | null;
  terminationDate: LocalDate | null;
  /** The access flag: BambooHR "Litmos Access", Namely "Litmos Activated". */
  accessEnabled: boolean;
  /** The manager's sourceId, in the same source. */
  managerId: string | null;
}

export interface Learner {
  id: string;
  userName: string;
  email: string | null;
  firstName: string;
  lastName: string;
  title: string | null;
  active: boolean;
  accessLevel: string;
  phoneWork: string | null;
  phoneMobile: string | null;
  street1: string | null;
  street2: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
}

/** The Litmos-side learner fields a sync writes (the rest of `Learner` is Litmos's own). */
export const LEARNER_FIELDS = [
  'userName',
  'firstName',
  'lastName',
  'email',
  'title',
  'phoneWork',
  'phoneMobile',
  'street1',
  'street2',
  'city',
  'state',
  'postalCode',
  'country',
] as const satisfies readonly (keyof Learner)[];
export type LearnerField = (typeof LEARNER_FIELDS)[number];

export interface Team {
  id: string;
  name: string;
  parentId: string | null;
}

export interface Course {
  id: string;
  code: string | null;
  name: string;
  active: boolean;
}

export interface CourseProgress {
  courseId: string;
  learnerId: string;
  completed: boolean;
  percentageComplete: number;
  /** ISO 8601 instants, UTC. */
  assignedAt: string | null;
  completedAt: string | null;
}

export type MatchedBy = 'LINK' | 'USERNAME' | 'EMAIL';

/** A stored identity link between one HR employee and one Litmos learner. */
export interface IdentityLink {
  source: Source;
  sourceId: string;
  learnerId: string;
  matchedBy: MatchedBy;
  linkedAt: string;
}

/** `BAMBOOHR:123`: the key by which an employee is known across the store. */
export function employeeKey(employee: Pick<Employee, 'source' | 'sourceId'>): string {
  return `${employee.source}:${employee.sourceId}`;
}
