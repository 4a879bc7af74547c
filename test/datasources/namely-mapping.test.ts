import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError } from '../../src/errors.js';
import { accessFlagFields, accessFlagKey, checkAccessFlagField, groupRoles, toEmployee, type MappingContext } from '../../src/datasources/namely/mapping.js';
import { parseGroups, parseProfile, parseProfilesPage, parseSingleProfile } from '../../src/datasources/namely/payload.js';

const DEPARTMENT = 'g-dept-eng';
const OFFICE = 'g-office-nyc';
const DIVISION = 'g-div-rnd';
const context: MappingContext = {
  accessFlagKey: 'litmos_activated',
  groupRoles: new Map([
    [DEPARTMENT, 'department'],
    [OFFICE, 'location'],
    [DIVISION, 'division'],
  ]),
};

/** A profile as the current API gives it; each test overrides what it is about. */
function rawProfile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '20332458-c1fe-412f-bcb8-01622f04a35d',
    email: 'Leighton.Meester@Example.com ',
    first_name: 'Leighton',
    last_name: 'Meester',
    full_name: 'Leighton Meester',
    user_status: 'active',
    updated_at: 1415905802,
    created_at: 1400611216,
    links: {
      job_title: { id: 'jt-1', title: 'VP, Client Services' },
      groups: [
        { id: DEPARTMENT, name: 'Engineering' },
        { id: OFFICE, name: 'New York' },
        { id: DIVISION, name: 'Research & Development' },
        { id: 'g-custom', name: 'Book Club' },
      ],
      teams: [{ id: 't-1', name: 'DottedLineTeam1' }],
    },
    middle_name: '',
    preferred_name: '',
    job_title: { id: 'jt-1', title: 'VP, Client Services' },
    reports_to: [{ id: 'manager-uuid', first_name: 'Blair', last_name: 'Waldorf', email: 'blair@example.com' }],
    employee_type: { title: 'Full Time' },
    start_date: '2011-01-15',
    departure_date: '',
    employee_id: '1011',
    office_main_number: '408.555.1234',
    office_direct_dial: '408.555.2345',
    office_phone: '408.555.2346',
    mobile_phone: '3102234223',
    office: { address1: 'Office line 1', address2: '', city: 'New York', state_id: 'NY', zip: '10001', country_id: 'US' },
    litmos_activated: 'Yes',
    ...overrides,
  };
}

const map = (overrides: Record<string, unknown> = {}, ctx: MappingContext = context) => toEmployee(parseProfile(rawProfile(overrides)), ctx);

describe('toEmployee', () => {
  it('maps every field of a current profile', () => {
    expect(map()).toEqual({
      source: 'NAMELY',
      sourceId: '20332458-c1fe-412f-bcb8-01622f04a35d',
      employeeNumber: '1011',
      firstName: 'Leighton',
      lastName: 'Meester',
      preferredName: null,
      displayName: 'Leighton Meester',
      workEmail: 'leighton.meester@example.com',
      jobTitle: 'VP, Client Services',
      department: 'Engineering',
      division: 'Research & Development',
      location: 'New York',
      workPhone: '408.555.2345',
      mobilePhone: '3102234223',
      workAddress: { street1: 'Office line 1', street2: null, city: 'New York', state: 'NY', postalCode: '10001', country: 'US' },
      employmentStatusHistory: [{ effectiveDate: '2011-01-15', status: 'Full Time' }],
      status: 'ACTIVE',
      hireDate: '2011-01-15',
      terminationDate: null,
      accessEnabled: true,
      managerId: 'manager-uuid',
    });
  });

  it('keeps names exactly, accents and apostrophes included, and shows the preferred name', () => {
    const employee = map({ first_name: 'José-María', last_name: "O'Brien Ñúñez", preferred_name: 'Chema' });
    expect(employee.firstName).toBe('José-María');
    expect(employee.lastName).toBe("O'Brien Ñúñez");
    expect(employee.preferredName).toBe('Chema');
    expect(employee.displayName).toBe("Chema O'Brien Ñúñez");
  });

  it('reads "" and null emails and dates as absent', () => {
    const employee = map({ email: '', start_date: '', departure_date: null, employee_type: null });
    expect(employee.workEmail).toBeNull();
    expect(employee.hireDate).toBeNull();
    expect(employee.terminationDate).toBeNull();
    expect(employee.employmentStatusHistory).toEqual([]);
  });

  it('maps user_status and rejects a value Namely does not document', () => {
    expect(map({ user_status: 'inactive' }).status).toBe('INACTIVE');
    expect(map({ user_status: 'pending' }).status).toBe('PENDING');
    expect(() => map({ user_status: 'archived' })).toThrow(/user_status is "archived", expected active, inactive or pending/);
    expect(() => map({ user_status: 'archived' })).toThrow(expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', system: 'namely' }));
  });

  it('closes a leaver’s history with a Terminated row at the departure date', () => {
    const employee = map({ user_status: 'inactive', departure_date: '2024-03-31', employee_type: { title: 'Part Time' } });
    expect(employee.terminationDate).toBe('2024-03-31');
    expect(employee.employmentStatusHistory).toEqual([
      { effectiveDate: '2011-01-15', status: 'Part Time' },
      { effectiveDate: '2024-03-31', status: 'Terminated' },
    ]);
  });

  it('gives someone still active on a future departure date no Terminated row yet', () => {
    const employee = map({ departure_date: '2099-01-01' });
    expect(employee.terminationDate).toBe('2099-01-01');
    expect(employee.employmentStatusHistory.map((row) => row.status)).toEqual(['Full Time']);
  });

  it('reads the older MM/DD/YYYY dates and rejects what is no date', () => {
    expect(map({ start_date: '1/5/2011' }).hireDate).toBe('2011-01-05');
    expect(() => map({ start_date: '2011-02-30' })).toThrow(/start_date is "2011-02-30"/);
    expect(() => map({ start_date: 'soon' })).toThrow(UpstreamError);
  });

  it('reads no manager from an empty or null reports_to, the no_guid placeholder, or an entry without an id', () => {
    expect(map({ reports_to: [] }).managerId).toBeNull();
    expect(map({ reports_to: null }).managerId).toBeNull();
    expect(map({ reports_to: [{ id: 'no_guid', first_name: 'Nobody', last_name: 'Nobody', email: 'None' }] }).managerId).toBeNull();
    expect(map({ reports_to: [{ id: null, first_name: null, last_name: null, email: null }] }).managerId).toBeNull();
    expect(map({ reports_to: [{ id: 'no_guid' }, { id: 'manager-2' }] }).managerId).toBe('manager-2');
  });

  it('turns access on only for "Yes" in the resolved field', () => {
    expect(map({ litmos_activated: 'No' }).accessEnabled).toBe(false);
    expect(map({ litmos_activated: null }).accessEnabled).toBe(false);
    expect(map({ litmos_activated: 'Yes', lms_access: 'No' }, { ...context, accessFlagKey: 'lms_access' }).accessEnabled).toBe(false);
    expect(map({ lms_access: 'Yes' }, { ...context, accessFlagKey: 'lms_access' }).accessEnabled).toBe(true);
  });

  it('reads a checkboxes access flag by its ticked choices', () => {
    expect(map({ litmos_activated: ['Yes'] }).accessEnabled).toBe(true);
    expect(map({ litmos_activated: [] }).accessEnabled).toBe(false);
    expect(() => map({ litmos_activated: 1 })).toThrow(/litmos_activated is 1, expected "Yes", "No", null or a list/);
  });

  it('refuses a profile without the access flag key rather than read it as "No" (the token may not see the field)', () => {
    const { litmos_activated: _, ...withoutFlag } = rawProfile();
    expect(() => toEmployee(parseProfile(withoutFlag), context)).toThrow(ConfigError);
    expect(() => toEmployee(parseProfile(withoutFlag), context)).toThrow(/has no "litmos_activated"/);
  });

  it('leaves department, division and location null when no group plays the role', () => {
    const employee = map({}, { ...context, groupRoles: new Map() });
    expect([employee.department, employee.division, employee.location]).toEqual([null, null, null]);
  });

  it('maps the recorded 2014 show response (MM/DD/YYYY dates, no employee_type, no reports_to)', () => {
    const recorded = readFileSync(new URL('../fixtures/recorded/namely/profiles_show.body.json', import.meta.url), 'utf8');
    // That company had no Litmos flag; its recorded select custom field stands in for one.
    const employee = toEmployee(parseSingleProfile(recorded), { accessFlagKey: 'test_select_custom_field', groupRoles: new Map() });
    expect(employee).toMatchObject({
      sourceId: '20332458-c1fe-412f-bcb8-01622f04a35d',
      workEmail: 'leighton@example.com',
      hireDate: '2011-01-15',
      status: 'ACTIVE',
      managerId: null,
      employmentStatusHistory: [],
      workAddress: { street1: 'Office line 1', street2: 'Office line 2', city: 'Office City', state: 'NY', postalCode: '10001', country: 'US' },
    });
  });
});

describe('payload checks', () => {
  it('names the key and value a profile lacks', () => {
    expect(() => parseProfile(rawProfile({ first_name: 42 }))).toThrow(/first_name is 42, expected a string/);
    expect(() => parseProfile(rawProfile({ links: { groups: 'Engineering' } }))).toThrow(/links.groups is "Engineering", expected an array/);
  });

  it('reads total_count when a page gives it, and a legacy page without it as unknown', () => {
    expect(parseProfilesPage(JSON.stringify({ profiles: [], meta: { count: 0, status: 200 } })).totalCount).toBeNull();
    expect(parseProfilesPage(JSON.stringify({ profiles: [] })).totalCount).toBeNull();
    expect(parseProfilesPage(JSON.stringify({ profiles: [rawProfile()], meta: { count: 1, total_count: 9 } })).totalCount).toBe(9);
    expect(() => parseProfilesPage(JSON.stringify({ profiles: [], meta: { total_count: '9' } }))).toThrow(/total_count is "9", expected a count/);
    expect(() => parseProfilesPage('<html>')).toThrow(/expected JSON/);
  });

  it('reads a profile without links, and links without groups', () => {
    expect(parseProfile(rawProfile({ links: undefined })).groups).toEqual([]);
    expect(parseProfile(rawProfile({ links: null })).groups).toEqual([]);
    expect(parseProfile(rawProfile({ links: {} })).groups).toEqual([]);
    expect(parseProfile(rawProfile({ links: { groups: null } })).groups).toEqual([]);
  });
});

describe('recorded Namely responses', () => {
  const recorded = (name: string) => readFileSync(new URL(`../fixtures/recorded/namely/${name}.body.json`, import.meta.url), 'utf8');

  it('maps a recorded 2015 page: no total_count, epoch-second timestamps, custom fields as top-level keys, "" departure dates', () => {
    const page = parseProfilesPage(recorded('profiles_index_0'));
    expect(page.totalCount).toBeNull();
    expect(page.profiles).toHaveLength(30);
    const employees = page.profiles.map((profile) => toEmployee(profile, { accessFlagKey: 'test_select_custom_field', groupRoles: new Map() }));
    const leaver = employees.find((e) => e.status === 'INACTIVE');
    expect(leaver).toMatchObject({ terminationDate: '2014-09-07', employmentStatusHistory: [{ effectiveDate: '2014-09-07', status: 'Terminated' }] });
    expect(employees.filter((e) => e.status === 'ACTIVE').every((e) => e.terminationDate === null)).toBe(true);
    expect(employees.every((e) => e.managerId === null && !e.accessEnabled)).toBe(true);
  });

  it('reads the recorded empty page that ends a list', () => {
    expect(parseProfilesPage(recorded('profiles_index_13'))).toEqual({ profiles: [], totalCount: null });
  });

  it('reads the recorded short profile of /profiles/me (links: {}, no dates, no custom fields)', () => {
    const profile = parseSingleProfile(recorded('current_user'));
    expect(profile).toMatchObject({ first_name: 'Admin', user_status: 'active', groups: [], reports_to: [], start_date: null, departure_date: null });
  });
});

describe('accessFlagKey', () => {
  const fields = [
    { name: 'first_name', label: 'First name', type: 'text' },
    { name: 'litmos_activated', label: 'Litmos Activated', type: 'select' },
  ];

  it('finds the field by its label, ignoring case and spaces around it', () => {
    expect(accessFlagKey(fields, 'Litmos Activated')).toBe('litmos_activated');
    expect(accessFlagKey(fields, ' litmos activated ')).toBe('litmos_activated');
  });

  it('refuses to guess when no field has the label', () => {
    expect(() => accessFlagKey(fields, 'LMS Access')).toThrow(ConfigError);
    expect(() => accessFlagKey(fields, 'LMS Access')).toThrow(/no profile field labelled "LMS Access"/);
  });
});

describe('accessFlagFields and checkAccessFlagField', () => {
  const fields = [
    { name: 'first_name', label: 'First name', type: 'text' },
    { name: 'employee_type', label: 'Employee type', type: 'referenceselect' },
    { name: 'litmos_activated', label: 'Litmos Activated', type: 'select' },
    { name: 'lms', label: 'LMS', type: 'select' },
  ];

  it('offers the Yes/No selects only, and accepts one of them by its label give or take case and blanks', () => {
    expect(accessFlagFields(fields).map((field) => field.label)).toEqual(['Litmos Activated', 'LMS']);
    expect(() => checkAccessFlagField(fields, ' lms ')).not.toThrow();
  });

  it('refuses any other name, or a field of another type, with the selects as candidates', () => {
    const details = { field: 'accessFlag.fieldName', candidates: ['Litmos Activated', 'LMS'] };
    expect(() => checkAccessFlagField(fields, 'Employee type')).toThrow(expect.objectContaining({ details: { ...details, received: 'Employee type' } }));
    expect(() => checkAccessFlagField(fields, 'Employee type')).toThrow(/"Employee type" is a referenceselect field, not a Yes\/No select/);
    expect(() => checkAccessFlagField(fields, 'LMS Access')).toThrow(/no profile field labelled "LMS Access".*its select fields are "Litmos Activated", "LMS"/);
    expect(() => checkAccessFlagField(fields.slice(0, 2), 'LMS')).toThrow(/it has no select fields; create a Yes\/No one/);
  });
});

describe('groupRoles', () => {
  const GROUPS = [
    { id: 'g1', title: 'Engineering', type: 'Departments', links: { group_type: 't-dept' } },
    { id: 'g2', title: 'New York', type: 'Office Locations', links: { group_type: 't-office' } },
    { id: 'g3', title: 'R&D', type: 'Divisions', links: { group_type: 't-div' } },
    { id: 'g4', title: 'Book Club', type: 'Clubs', links: { group_type: 't-club' } },
  ];
  const EXPECTED = new Map([
    ['g1', 'department'],
    ['g2', 'location'],
    ['g3', 'division'],
  ]);
  const roles = (body: unknown) => {
    const { groups, groupTypes } = parseGroups(JSON.stringify(body));
    return groupRoles(groups, groupTypes, 'divisions');
  };

  it('tells departments, office locations and the division group type apart, ignoring other types', () => {
    const groupTypes = [
      { id: 't-dept', title: 'Teams by function', type: 'department' },
      { id: 't-office', title: 'Offices', type: 'office location' },
      { id: 't-div', title: 'Divisions', type: 'custom' },
      { id: 't-club', title: 'Clubs', type: 'custom' },
    ];
    // Kinds, not titles, decide when the group types are linked: a renamed Departments type is still one.
    const renamed = GROUPS.map((group, i) => ({ ...group, type: groupTypes[i]?.title }));
    expect(roles({ groups: renamed, linked: { group_types: groupTypes } })).toEqual(EXPECTED);
  });

  it('goes by the type name each group carries when linked.group_types is left out', () => {
    expect(roles({ groups: GROUPS, meta: { count: 4, status: 200 } })).toEqual(EXPECTED);
    expect(roles({ groups: GROUPS, linked: {} })).toEqual(EXPECTED);
    expect(roles({ groups: GROUPS, linked: null, links: null })).toEqual(EXPECTED);
    const withoutLinks = GROUPS.map(({ links: _, ...group }) => group);
    expect(roles({ groups: withoutLinks })).toEqual(EXPECTED);
    expect(
      roles({
        groups: [
          { id: 'g5', title: 'Remote', type: 'office_location' },
          { id: 'g6', title: 'Ops', type: 'Department' },
        ],
      }),
    ).toEqual(
      new Map([
        ['g5', 'location'],
        ['g6', 'department'],
      ]),
    );
  });

  it('goes by name for a group whose type the linked list does not hold', () => {
    expect(roles({ groups: GROUPS, linked: { group_types: [{ id: 't-club', title: 'Clubs', type: 'custom' }] } })).toEqual(EXPECTED);
  });

  it('still requires what every group has: an id and a title', () => {
    expect(() => roles({ groups: [{ title: 'Engineering', type: 'Departments' }] })).toThrow(/groups\[0\].id is undefined, expected a string/);
    expect(() => roles({ groups: [{ id: 'g1', title: 'Engineering' }], linked: { group_types: {} } })).toThrow(/linked.group_types is \{\}, expected an array/);
  });
});
