/**
 * The field map applied: what an employee's learner should hold, and which mapped fields of an
 * existing learner differ from it.
 */
import type { Address, Employee, Learner } from '../model.js';
import type { EmployeeField, FieldMapping, LearnerField, LearnerFields } from './policy.js';
import { LEARNER_FIELDS, REQUIRED_LEARNER_FIELDS } from './policy.js';

export interface FieldChange {
  field: LearnerField;
  before: string | null;
  after: string | null;
}

const address = (part: keyof Address) => (employee: Employee) => employee.workAddress?.[part] ?? null;

const EMPLOYEE_FIELD_VALUE: Record<EmployeeField, (employee: Employee) => string | null> = {
  firstName: (employee) => employee.firstName,
  lastName: (employee) => employee.lastName,
  preferredName: (employee) => employee.preferredName,
  displayName: (employee) => employee.displayName,
  employeeNumber: (employee) => employee.employeeNumber,
  workEmail: (employee) => employee.workEmail,
  jobTitle: (employee) => employee.jobTitle,
  department: (employee) => employee.department,
  division: (employee) => employee.division,
  location: (employee) => employee.location,
  workPhone: (employee) => employee.workPhone,
  mobilePhone: (employee) => employee.mobilePhone,
  'workAddress.street1': address('street1'),
  'workAddress.street2': address('street2'),
  'workAddress.city': address('city'),
  'workAddress.state': address('state'),
  'workAddress.postalCode': address('postalCode'),
  'workAddress.country': address('country'),
};

/** Trimmed, with blank as null: HR systems and Litmos disagree on "" versus absent. */
function clean(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Litmos logs people in by username and email without regard to case, so neither is a change. */
const CASE_INSENSITIVE: ReadonlySet<LearnerField> = new Set<LearnerField>(['userName', 'email']);

function comparable(field: LearnerField, value: string | null): string | null {
  const cleaned = clean(value);
  return cleaned !== null && CASE_INSENSITIVE.has(field) ? cleaned.toLowerCase() : cleaned;
}

/** What the employee's learner should hold in every mapped field. */
export function learnerFieldsFor(employee: Employee, fieldMap: readonly FieldMapping[]): LearnerFields {
  const fields: LearnerFields = {};
  for (const mapping of fieldMap) fields[mapping.learner] = clean(EMPLOYEE_FIELD_VALUE[mapping.employee](employee));
  return fields;
}

/** The required fields a learner could not be created without. */
export function missingRequiredFields(fields: LearnerFields): LearnerField[] {
  return REQUIRED_LEARNER_FIELDS.filter((field) => (fields[field] ?? null) === null);
}

/**
 * Mapped fields where HR and Litmos differ, in a fixed field order. Protected fields keep their
 * Litmos value; a required field is never blanked, because Litmos would refuse the whole update.
 */
export function learnerChanges(learner: Learner, wanted: LearnerFields, protectedFields: readonly LearnerField[]): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of LEARNER_FIELDS) {
    if (!(field in wanted) || protectedFields.includes(field)) continue;
    const after = wanted[field] ?? null;
    if (after === null && REQUIRED_LEARNER_FIELDS.includes(field)) continue;
    const before = learner[field];
    if (comparable(field, before) !== comparable(field, after)) changes.push({ field, before, after });
  }
  return changes;
}

/** The lower-cased, trimmed form a username or email is matched by; null when blank. */
export function identityKey(value: string | null): string | null {
  return comparable('email', value);
}
