/**
 * The Namely company as the simulator holds it: profile records plus the groups, group types,
 * teams, job titles and profile fields they refer to. Built from a vendor-neutral SeedCompany;
 * every id is a UUID derived from the seed, so the same seed always yields the same ids.
 */
import { createHash } from 'node:crypto';
import type { SeedCompany, SeedPerson } from '../company.js';

export type UserStatus = 'active' | 'inactive' | 'pending';
export const USER_STATUSES: readonly UserStatus[] = ['active', 'inactive', 'pending'];

export interface OfficeAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  state_id: string | null;
  zip: string | null;
  country_id: string | null;
}

/** One profile, in Namely's own field names; links and `reports_to` are rendered from the ids. */
export interface ProfileRecord {
  id: string;
  /** Creation order: the default sort, the tie-break of every other sort, and the `after` cursor. */
  seq: number;
  email: string | null;
  first_name: string;
  last_name: string;
  middle_name: string | null;
  preferred_name: string | null;
  user_status: UserStatus;
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds. */
  updated_at: number;
  job_title_id: string | null;
  /** `YYYY-MM-DD`, or "" when unset. */
  start_date: string;
  /** `YYYY-MM-DD`, or "" when unset. */
  departure_date: string;
  employee_id: string;
  personal_email: string | null;
  office_main_number: string;
  office_direct_dial: string;
  office_phone: string;
  mobile_phone: string;
  office: OfficeAddress;
  /** The manager's profile id. */
  reports_to: string | null;
  /** Employment status title ("Full Time"); null when HR recorded none. */
  employee_type: string | null;
  group_ids: string[];
  team_ids: string[];
  /** The custom select field "Litmos Activated". */
  litmos_activated: 'Yes' | 'No' | null;
}

export type GroupKind = 'department' | 'office_location' | 'custom';

export interface GroupType {
  id: string;
  title: string;
  field_name: string;
  type: GroupKind;
  deletable: boolean;
  x_groups_as_teams: boolean;
}

export interface Group {
  id: string;
  title: string;
  typeId: string;
  address: OfficeAddress | null;
}

export interface Team {
  id: string;
  name: string;
  email: string;
  created_at: number;
  updated_at: number;
  categoryIds: string[];
}

export interface TeamCategory {
  id: string;
  title: string;
}

export interface JobTitle {
  id: string;
  title: string;
}

export interface ProfileField {
  id: string;
  name: string;
  label: string;
  type: string;
  default: boolean;
  valid_format_info: string;
}

export interface Directory {
  profiles: ProfileRecord[];
  groupTypes: GroupType[];
  groups: Group[];
  teams: Team[];
  teamCategories: TeamCategory[];
  jobTitles: JobTitle[];
  fields: ProfileField[];
  sectionId: string;
  /** The titles `employee_type` accepts: the company's employment statuses. */
  employeeTypes: string[];
  /** The profile that owns the sandbox token (`GET /profiles/me`). */
  meId: string | null;
}

/** A name-based UUID (version 5 layout over SHA-1), so ids are stable across runs and resets. */
export function seededUuid(seed: number, name: string): string {
  const hex = createHash('sha1').update(`namely:${seed}:${name}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const epochSeconds = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / 1000);

const DATE_FORMAT = 'YEAR-MM-DD e.g. 1986-08-05 OR 1986/8/05 OR 1986-8-5';

/** The recorded standard fields the gateway may touch, plus the company's custom access flag. */
const FIELD_SPECS: readonly Omit<ProfileField, 'id'>[] = [
  { name: 'image', label: 'Image', type: 'image', default: true, valid_format_info: 'file id (UUID v4)' },
  { name: 'first_name', label: 'First name', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'middle_name', label: 'Middle name', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'last_name', label: 'Last name', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'preferred_name', label: 'Preferred name', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'user_status', label: 'User status', type: 'referenceselect', default: true, valid_format_info: "'active' OR 'inactive' ONLY" },
  { name: 'job_title', label: 'Job title', type: 'referencehistory', default: true, valid_format_info: 'a valid job title GUID' },
  { name: 'reports_to', label: 'Reports to', type: 'referencehistory', default: true, valid_format_info: 'a valid profile GUID' },
  {
    name: 'employee_type',
    label: 'Employee type',
    type: 'referenceselect',
    default: true,
    valid_format_info: "One of 'Full Time', 'Part Time', 'Intern', 'Contractor', 'Freelance'",
  },
  { name: 'start_date', label: 'Start date', type: 'date', default: true, valid_format_info: DATE_FORMAT },
  { name: 'departure_date', label: 'Departure date', type: 'date', default: true, valid_format_info: DATE_FORMAT },
  { name: 'employee_id', label: 'Employee number', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'email', label: 'Email', type: 'email', default: true, valid_format_info: 'email@example.com' },
  { name: 'personal_email', label: 'Personal email', type: 'email', default: true, valid_format_info: 'email@example.com' },
  { name: 'office_main_number', label: 'Office main number', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'office_direct_dial', label: 'Office direct dial', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'office_phone', label: 'Office phone', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'mobile_phone', label: 'Mobile phone', type: 'text', default: true, valid_format_info: 'generic text' },
  { name: 'office', label: 'Office', type: 'address', default: true, valid_format_info: '{address1, address2, city, state_id, zip, country_id}' },
  { name: 'shirt_size', label: 'Shirt Size', type: 'text', default: false, valid_format_info: 'generic text' },
  { name: 'litmos_activated', label: 'Litmos Activated', type: 'select', default: false, valid_format_info: "One of 'Yes', 'No'" },
];

/** Namely has no employment-status history: `employee_type` holds the status in force today. */
function employeeTypeOf(person: SeedPerson, today: string): string | null {
  const rows = person.statusHistory.filter((row) => row.status !== 'Terminated');
  const current = rows.filter((row) => row.date <= today).at(-1);
  return (current ?? rows[0])?.status ?? null;
}

function userStatusOf(person: SeedPerson, today: string): UserStatus {
  if (person.terminationDate !== null && person.terminationDate <= today) return 'inactive';
  return person.hireDate > today ? 'pending' : 'active';
}

export function buildDirectory(company: SeedCompany, today: string): Directory {
  const uuid = (name: string) => seededUuid(company.seed, name);
  const groupTypes: GroupType[] = [
    { id: uuid('group_type:departments'), title: 'Departments', field_name: 'departments', type: 'department', deletable: false, x_groups_as_teams: true },
    {
      id: uuid('group_type:office_locations'),
      title: 'Office Locations',
      field_name: 'office_locations',
      type: 'office_location',
      deletable: false,
      x_groups_as_teams: false,
    },
    { id: uuid('group_type:divisions'), title: 'Divisions', field_name: 'divisions', type: 'custom', deletable: true, x_groups_as_teams: false },
  ];
  const [departmentType, locationType, divisionType] = groupTypes as [GroupType, GroupType, GroupType];

  const groups: Group[] = [];
  const groupIdByKey = new Map<string, string>();
  const addGroup = (type: GroupType, title: string, address: OfficeAddress | null): string => {
    const id = uuid(`group:${type.field_name}:${title}`);
    groups.push({ id, title, typeId: type.id, address });
    groupIdByKey.set(`${type.id}:${title}`, id);
    return id;
  };
  for (const title of company.departments) addGroup(departmentType, title, null);
  for (const title of company.divisions) addGroup(divisionType, title, null);
  for (const title of company.locations) {
    const resident = company.people.find((person) => person.location === title);
    addGroup(locationType, title, resident ? officeOf(resident) : null);
  }
  // A person's department may be missing from the company's list; Namely would still show the group.
  const groupId = (type: GroupType, title: string): string => groupIdByKey.get(`${type.id}:${title}`) ?? addGroup(type, title, null);

  const managers = new Set(company.people.map((person) => person.managerId).filter((id) => id !== null));
  const created = epochSeconds(today);
  const managersCategory: TeamCategory = { id: uuid('team_category:leadership'), title: 'Leadership' };
  const teams: Team[] = [
    {
      id: uuid('team:people-managers'),
      name: 'People Managers',
      email: `people-managers@${company.emailDomain}`,
      created_at: created,
      updated_at: created,
      categoryIds: [managersCategory.id],
    },
  ];
  const [managersTeam] = teams as [Team];

  const jobTitles = new Map<string, JobTitle>();
  const jobTitleId = (title: string): string => {
    let found = jobTitles.get(title);
    if (!found) jobTitles.set(title, (found = { id: uuid(`job_title:${title}`), title }));
    return found.id;
  };

  const mainNumber = `555-${String(company.seed % 10_000).padStart(4, '0')}`;
  const profiles = company.people.map((person, seq): ProfileRecord => {
    // Set up three weeks before the hire date, but never after the sandbox's today: no timestamp is in the future.
    const createdAt = Math.min(epochSeconds(person.hireDate) - 21 * 86_400, created);
    return {
      id: uuid(`profile:${person.id}`),
      seq,
      email: person.workEmail,
      first_name: person.firstName,
      last_name: person.lastName,
      middle_name: null,
      preferred_name: person.preferredName,
      user_status: userStatusOf(person, today),
      created_at: createdAt,
      updated_at: createdAt,
      job_title_id: jobTitleId(person.jobTitle),
      start_date: person.hireDate,
      departure_date: person.terminationDate ?? '',
      employee_id: person.employeeNumber,
      personal_email: null,
      office_main_number: mainNumber,
      office_direct_dial: person.workPhone ?? '',
      office_phone: person.workPhone ?? '',
      mobile_phone: person.mobilePhone ?? '',
      office: officeOf(person),
      reports_to: person.managerId === null ? null : uuid(`profile:${person.managerId}`),
      employee_type: employeeTypeOf(person, today),
      group_ids: [groupId(departmentType, person.department), groupId(locationType, person.location), groupId(divisionType, person.division)],
      team_ids: managers.has(person.id) ? [managersTeam.id] : [],
      litmos_activated: person.accessEnabled ? 'Yes' : 'No',
    };
  });

  const top = company.people.find((person) => person.managerId === null);
  return {
    profiles,
    groupTypes,
    groups,
    teams,
    teamCategories: [managersCategory],
    jobTitles: [...jobTitles.values()],
    fields: FIELD_SPECS.map((spec) => ({ id: uuid(`field:${spec.name}`), ...spec })),
    sectionId: uuid('section:general'),
    employeeTypes: company.employmentStatuses.filter((status) => status !== 'Terminated'),
    meId: top ? uuid(`profile:${top.id}`) : null,
  };
}

function officeOf(person: SeedPerson): OfficeAddress {
  return {
    address1: person.street1,
    address2: null,
    city: person.city,
    state_id: person.state,
    zip: person.postalCode,
    country_id: person.country,
  };
}
