/** The sandbox's seeded people as the unified model has them: what BambooHR's client reads of a seed company. */
import type { SeedPerson } from '@rostergate/sandbox';
import type { Employee, LocalDate } from '../../src/model.js';

/** `person` as BambooHR reports them on `today`: INACTIVE once terminated, PENDING before the hire day. */
export function seedEmployee(person: SeedPerson, today: LocalDate): Employee {
  const terminated = person.terminationDate !== null && person.terminationDate <= today;
  return {
    source: 'BAMBOOHR',
    sourceId: String(person.id),
    employeeNumber: person.employeeNumber,
    firstName: person.firstName,
    lastName: person.lastName,
    preferredName: person.preferredName,
    displayName: `${person.preferredName ?? person.firstName} ${person.lastName}`,
    workEmail: person.workEmail,
    jobTitle: person.jobTitle,
    department: person.department,
    division: person.division,
    location: person.location,
    workPhone: person.workPhone,
    mobilePhone: person.mobilePhone,
    workAddress: { street1: person.street1, street2: null, city: person.city, state: person.state, postalCode: person.postalCode, country: person.country },
    employmentStatusHistory: person.statusHistory.map((row) => ({ effectiveDate: row.date, status: row.status })),
    status: terminated ? 'INACTIVE' : person.hireDate > today ? 'PENDING' : 'ACTIVE',
    hireDate: person.hireDate,
    terminationDate: person.terminationDate,
    accessEnabled: person.accessEnabled,
    managerId: person.managerId === null ? null : String(person.managerId),
  };
}
