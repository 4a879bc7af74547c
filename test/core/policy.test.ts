import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '../../src/errors.js';
import type { EmploymentStatusRow } from '../../src/model.js';
import type { IneligibilityReason } from '../../src/core/eligibility.js';
import { eligibility, employmentStatusOn, isEvidenceReason } from '../../src/core/eligibility.js';
import type { Policy } from '../../src/core/policy.js';
import { defaultPolicy, validatePolicy } from '../../src/core/policy.js';
import { SOURCE, TODAY, employee } from './builders.js';

function withPolicy(change: (policy: Policy) => void): Policy {
  const policy = defaultPolicy(SOURCE);
  change(policy);
  return policy;
}

describe('defaultPolicy', () => {
  it("reads the access flag from the field the source's vendor names", () => {
    expect(defaultPolicy({ accessFlagFieldName: 'Learning Access' }).accessFlag).toEqual({ mode: 'FIELD', fieldName: 'Learning Access' });
  });

  it('has the documented defaults', () => {
    const policy = defaultPolicy(SOURCE);
    expect(policy.blocklist).toEqual([]);
    expect(policy.blockMissingStatus).toBe(true);
    expect(policy.prehireLeadDays).toBe(0);
    expect(policy.protectedFields).toEqual([]);
    expect(policy.teams).toEqual({ fromDepartment: true, divisionAsParent: false, managerAsLeader: false });
    expect(policy.safeguard).toEqual({ maxDeactivationPercent: 20, maxDeactivations: 50 });
  });

  it("maps the Namely guide's fields, with the work email as username", () => {
    const mapped = Object.fromEntries(defaultPolicy(SOURCE).fieldMap.map((m) => [m.learner, m.employee]));
    expect(mapped).toEqual({
      firstName: 'firstName',
      lastName: 'lastName',
      userName: 'workEmail',
      title: 'jobTitle',
      email: 'workEmail',
      street1: 'workAddress.street1',
      street2: 'workAddress.street2',
      city: 'workAddress.city',
      state: 'workAddress.state',
      postalCode: 'workAddress.postalCode',
      country: 'workAddress.country',
      phoneWork: 'workPhone',
      phoneMobile: 'mobilePhone',
    });
  });

  it('returns a fresh policy each time', () => {
    const first = defaultPolicy(SOURCE);
    first.blocklist.push('Intern');
    first.fieldMap.splice(0);
    expect(defaultPolicy(SOURCE).blocklist).toEqual([]);
    expect(defaultPolicy(SOURCE).fieldMap).toHaveLength(13);
  });
});

describe('validatePolicy', () => {
  it('accepts the defaults and returns a copy', () => {
    const policy = defaultPolicy(SOURCE);
    const validated = validatePolicy(policy);
    expect(validated).toEqual(policy);
    expect(validated).not.toBe(policy);
    expect(validated.blocklist).not.toBe(policy.blocklist);
  });

  it('keeps the access flag field name as HR spells it, without surrounding blanks', () => {
    const policy = withPolicy((p) => (p.accessFlag.fieldName = '  LMS Access '));
    expect(validatePolicy(policy).accessFlag).toEqual({ mode: 'FIELD', fieldName: 'LMS Access' });
  });

  it('accepts every documented option', () => {
    const policy = withPolicy((p) => {
      p.accessFlag.mode = 'EVERYONE';
      p.blocklist = ['Contractor', 'Paid LOA'];
      p.blockMissingStatus = false;
      p.prehireLeadDays = 7;
      p.protectedFields = ['title', 'phoneMobile'];
      p.teams = { fromDepartment: true, divisionAsParent: true, managerAsLeader: true };
      p.safeguard = { maxDeactivationPercent: 12.5, maxDeactivations: 0 };
    });
    expect(validatePolicy(policy)).toEqual(policy);
  });

  const bad: [string, string, (policy: Record<string, unknown> & Policy) => void][] = [
    ['a misspelt key', 'blockList', (p) => (p.blockList = [])],
    ['a missing section', 'safeguard', (p) => delete (p as Partial<Policy>).safeguard],
    ['an unknown nested key', 'teams.byLocation', (p) => ((p.teams as unknown as Record<string, unknown>).byLocation = true)],
    ['an unknown access flag mode', 'accessFlag.mode', (p) => ((p.accessFlag as { mode: string }).mode = 'SOME')],
    ['a blank access flag field', 'accessFlag.fieldName', (p) => (p.accessFlag.fieldName = '  ')],
    ['a blocklist that is a string', 'blocklist', (p) => ((p as { blocklist: unknown }).blocklist = 'LOA')],
    ['a blocklist entry that is not a string', 'blocklist[1]', (p) => ((p as { blocklist: unknown }).blocklist = ['LOA', 3])],
    ['a blank blocklist entry', 'blocklist[0]', (p) => (p.blocklist = [''])],
    ['a non-boolean blockMissingStatus', 'blockMissingStatus', (p) => ((p as { blockMissingStatus: unknown }).blockMissingStatus = 'yes')],
    ['negative lead days', 'prehireLeadDays', (p) => (p.prehireLeadDays = -1)],
    ['fractional lead days', 'prehireLeadDays', (p) => (p.prehireLeadDays = 1.5)],
    ['lead days over a year', 'prehireLeadDays', (p) => (p.prehireLeadDays = 366)],
    ['an unknown HR field', 'fieldMap[3].employee', (p) => ((p.fieldMap[3] as { employee: string }).employee = 'salary')],
    ['an unknown Litmos field', 'fieldMap[3].learner', (p) => ((p.fieldMap[3] as { learner: string }).learner = 'password')],
    ['a Litmos field mapped twice', 'fieldMap[13].learner', (p) => p.fieldMap.push({ employee: 'displayName', learner: 'firstName' })],
    ['no username mapping', 'fieldMap', (p) => (p.fieldMap = p.fieldMap.filter((m) => m.learner !== 'userName'))],
    ['an unknown protected field', 'protectedFields[0]', (p) => ((p as { protectedFields: unknown }).protectedFields = ['password'])],
    [
      'division parents without department teams',
      'teams.divisionAsParent',
      (p) => (p.teams = { fromDepartment: false, divisionAsParent: true, managerAsLeader: false }),
    ],
    [
      'manager leaders without department teams',
      'teams.managerAsLeader',
      (p) => (p.teams = { fromDepartment: false, divisionAsParent: false, managerAsLeader: true }),
    ],
    ['a percent over 100', 'safeguard.maxDeactivationPercent', (p) => (p.safeguard.maxDeactivationPercent = 101)],
    ['a negative percent', 'safeguard.maxDeactivationPercent', (p) => (p.safeguard.maxDeactivationPercent = -1)],
    ['a percent finer than 0.01', 'safeguard.maxDeactivationPercent', (p) => (p.safeguard.maxDeactivationPercent = 12.345)],
    ['a fractional cap', 'safeguard.maxDeactivations', (p) => (p.safeguard.maxDeactivations = 2.5)],
    ['a negative cap', 'safeguard.maxDeactivations', (p) => (p.safeguard.maxDeactivations = -1)],
  ];
  it.each(bad)('rejects %s, naming %s', (_, field, change) => {
    const input = defaultPolicy(SOURCE) as Record<string, unknown> & Policy;
    change(input);
    let error: unknown;
    try {
      validatePolicy(input);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(BadUserInputError);
    expect((error as BadUserInputError).details).toEqual({ field });
    expect((error as BadUserInputError).message).toContain(`policy.${field}: expected`);
  });

  it.each([null, 'policy', [], 42])('rejects %j as a whole', (input) => {
    expect(() => validatePolicy(input)).toThrow(/^policy\.policy: expected an object/);
  });
});

describe('employmentStatusOn', () => {
  const history: EmploymentStatusRow[] = [
    { effectiveDate: '2020-01-06', status: 'Full-Time' },
    { effectiveDate: '2024-03-01', status: 'LOA' },
    { effectiveDate: '2024-03-01', status: 'Paid LOA' },
    { effectiveDate: '2025-07-01', status: 'Part-Time' },
  ];
  it.each([
    ['2019-12-31', null],
    ['2020-01-06', 'Full-Time'],
    ['2024-02-29', 'Full-Time'],
    ['2024-03-01', 'Paid LOA'],
    [TODAY, 'Paid LOA'],
    ['2025-06-30', 'Paid LOA'],
    ['2025-07-01', 'Part-Time'],
  ])('on %s is %s (future rows wait for their date; a same-day correction wins)', (day, expected) => {
    expect(employmentStatusOn({ employmentStatusHistory: history }, day)).toBe(expected);
  });

  it('does not depend on the order of the rows', () => {
    const shuffled = [history[3], history[0], history[1], history[2]].filter((row) => row !== undefined);
    expect(employmentStatusOn({ employmentStatusHistory: shuffled }, TODAY)).toBe('Paid LOA');
  });

  it('is null with no rows, and for a blank current row', () => {
    expect(employmentStatusOn({ employmentStatusHistory: [] }, TODAY)).toBeNull();
    const blank = [...history.slice(0, 1), { effectiveDate: '2025-01-01', status: '  ' }];
    expect(employmentStatusOn({ employmentStatusHistory: blank }, TODAY)).toBeNull();
  });
});

describe('eligibility', () => {
  const rows = (...pairs: [string, string][]) => pairs.map(([effectiveDate, status]) => ({ effectiveDate, status }));
  const cases: [string, Parameters<typeof employee>[1], (policy: Policy) => void, IneligibilityReason | null][] = [
    ['an active, flagged, full-time employee', {}, () => {}, null],
    ['the access flag off', { accessEnabled: false }, () => {}, 'ACCESS_FLAG_OFF'],
    ['the access flag off with mode EVERYONE', { accessEnabled: false }, (p) => (p.accessFlag.mode = 'EVERYONE'), null],
    ['a blocklisted status', {}, (p) => (p.blocklist = ['Full-Time']), 'BLOCKLISTED_STATUS'],
    [
      'a blocklisted status spelt differently',
      { employmentStatusHistory: rows(['2024-01-01', ' paid  loa ']) },
      (p) => (p.blocklist = ['Paid LOA']),
      'BLOCKLISTED_STATUS',
    ],
    ['a status not on the blocklist', {}, (p) => (p.blocklist = ['Intern', 'Contractor']), null],
    ['no status at all', { employmentStatusHistory: [] }, () => {}, 'NO_STATUS'],
    ['no status, not blocked', { employmentStatusHistory: [] }, (p) => (p.blockMissingStatus = false), null],
    ['only a future-dated status', { employmentStatusHistory: rows(['2025-07-01', 'Full-Time']) }, () => {}, 'NO_STATUS'],
    [
      'a blocklisted status dated tomorrow',
      { employmentStatusHistory: rows(['2020-01-06', 'Full-Time'], ['2025-06-16', 'Contractor']) },
      (p) => (p.blocklist = ['Contractor']),
      null,
    ],
    [
      'a blocklisted status dated today',
      { employmentStatusHistory: rows(['2020-01-06', 'Full-Time'], [TODAY, 'Contractor']) },
      (p) => (p.blocklist = ['Contractor']),
      'BLOCKLISTED_STATUS',
    ],
    ['a termination date in the past', { terminationDate: '2025-06-14' }, () => {}, 'TERMINATED'],
    ['a termination date today', { terminationDate: TODAY }, () => {}, 'TERMINATED'],
    ['a termination date in the future', { terminationDate: '2025-06-30' }, () => {}, null],
    ['a Terminated status in force', { employmentStatusHistory: rows(['2020-01-06', 'Full-Time'], ['2025-05-31', 'Terminated']) }, () => {}, 'TERMINATED'],
    ['a Terminated status dated later', { employmentStatusHistory: rows(['2020-01-06', 'Full-Time'], ['2025-06-30', 'Terminated']) }, () => {}, null],
    ['the vendor status INACTIVE', { status: 'INACTIVE' }, () => {}, 'TERMINATED'],
    [
      'a rehire whose new status is dated after the old termination',
      { terminationDate: '2024-01-31', employmentStatusHistory: rows(['2020-01-06', 'Full-Time'], ['2024-01-31', 'Terminated'], ['2025-03-01', 'Full-Time']) },
      () => {},
      null,
    ],
    ['a pre-hire before the hire day', { hireDate: '2025-06-18', employmentStatusHistory: rows(['2025-06-18', 'Full-Time']) }, () => {}, 'PREHIRE'],
    [
      'a pre-hire inside the lead days',
      { hireDate: '2025-06-18', employmentStatusHistory: rows(['2025-06-18', 'Full-Time']) },
      (p) => (p.prehireLeadDays = 3),
      null,
    ],
    [
      'a pre-hire one day outside the lead days',
      { hireDate: '2025-06-18', employmentStatusHistory: rows(['2025-06-18', 'Full-Time']) },
      (p) => (p.prehireLeadDays = 2),
      'PREHIRE',
    ],
    ['a pre-hire on the hire day', { hireDate: TODAY, employmentStatusHistory: rows([TODAY, 'Full-Time']) }, () => {}, null],
    [
      'a pre-hire starting on a blocklisted status',
      { hireDate: '2025-06-18', employmentStatusHistory: rows(['2025-06-18', 'Intern']) },
      (p) => (p.blocklist = ['Intern']),
      'BLOCKLISTED_STATUS',
    ],
    ['no work email', { workEmail: null }, () => {}, 'NO_EMAIL'],
    ['no work email and terminated', { workEmail: null, terminationDate: '2025-01-01' }, () => {}, 'TERMINATED'],
    ['no work email and the flag off', { workEmail: null, accessEnabled: false }, () => {}, 'ACCESS_FLAG_OFF'],
  ];
  it.each(cases)('%s', (_, overrides, change, reason) => {
    const verdict = eligibility(employee('7', overrides), withPolicy(change), TODAY);
    expect(verdict).toEqual(reason === null ? { eligible: true } : { eligible: false, reason });
  });

  it.each([
    ['TERMINATED', true],
    ['BLOCKLISTED_STATUS', true],
    ['NO_STATUS', true],
    ['ACCESS_FLAG_OFF', true],
    ['PREHIRE', false],
    ['NO_EMAIL', false],
  ] as const)('%s is evidence for deactivation: %s', (reason, evidence) => {
    expect(isEvidenceReason(reason)).toBe(evidence);
  });
});
