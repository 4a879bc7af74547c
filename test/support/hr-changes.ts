/**
 * One of each HR change a sync turns into a different Litmos write, made through BambooHR's write API:
 * a new hire, a department move, a new title, a termination dated yesterday and the access flag turned
 * off — four eligible people picked from `from`, the first of them the mover.
 */
import type { SeedPerson } from '@rostergate/sandbox';
import { addDays } from '../../src/core/eligibility.js';
import type { TestGateway } from './gateway.js';
import { bamboohr } from './upstreams.js';

export interface HrChanges {
  mover: SeedPerson;
  retitled: SeedPerson;
  leaver: SeedPerson;
  flagOff: SeedPerson;
  /** The new hire's BambooHR id. */
  hire: number;
  hireEmail: string;
  newDepartment: string;
  newTitle: string;
}

/** `retitled` also gets the fields of `alsoUpdate` (e.g. a new last name). */
export async function makeHrChanges(t: TestGateway, from: readonly SeedPerson[], alsoUpdate: Record<string, string> = {}): Promise<HrChanges> {
  const [mover, retitled, leaver, flagOff] = from as [SeedPerson, SeedPerson, SeedPerson, SeedPerson];
  const company = t.sandbox.companies.bamboohr;
  const newDepartment = company.departments.find((d) => d !== mover.department)!;
  const newTitle = 'Principal Rocket Scientist';
  const hireEmail = 'zoe.oneill@acmerockets.example';
  const hr = bamboohr(t.sandbox);
  const hire = await hr.hire({
    firstName: 'Zoë',
    lastName: "O'Neill",
    workEmail: hireEmail,
    hireDate: '2020-01-06',
    department: company.departments[0],
    jobTitle: 'Analyst',
    customLitmosAccess: 'yes',
    employmentHistoryStatus: 'Full-Time',
  });
  await hr.addRow(mover.id, 'jobInfo', { date: t.today, department: newDepartment });
  await hr.update(retitled.id, { jobTitle: newTitle, ...alsoUpdate });
  await hr.addRow(leaver.id, 'employmentStatus', {
    date: addDays(t.today, -1),
    employmentStatus: 'Terminated',
    terminationTypeId: '1',
    terminationReasonId: '1',
    terminationRehireId: '1',
  });
  await hr.update(flagOff.id, { customLitmosAccess: 'no' });
  return { mover, retitled, leaver, flagOff, hire, hireEmail, newDepartment, newTitle };
}
