/**
 * PUT and POST `/profiles` bodies → validated changes. Namely answers a bad value with 422 and a
 * list of messages; nothing is written unless every field in the body is valid.
 *
 * Department and office moves: the published spec lists no group field for PUT, so the simulator
 * takes them the way profiles show them, as `links.groups` (`[{ "id": "<group id>" }]`). Each group
 * given replaces the profile's group of the same group type (its department, office location or
 * division); groups of other types are kept.
 */
import { USER_STATUSES, type OfficeAddress, type ProfileRecord, type UserStatus } from './directory.js';
import type { Roster } from './roster.js';

type Changes = Partial<Omit<ProfileRecord, 'id' | 'seq' | 'created_at'>>;
export type EditOutcome = { record: ProfileRecord } | { errors: string[] };

const TEXT_FIELDS = ['employee_id', 'office_main_number', 'office_direct_dial', 'office_phone', 'mobile_phone'] as const;
const NULLABLE_TEXT_FIELDS = ['middle_name', 'preferred_name', 'personal_email'] as const;
const ADDRESS_KEYS: readonly (keyof OfficeAddress)[] = ['address1', 'address2', 'city', 'state_id', 'zip', 'country_id'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"profiles":[{…}]}` → the one profile payload, or the reason it is not one. */
export function profilePayload(body: Buffer): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    return 'body is not JSON';
  }
  if (!isObject(parsed) || !Array.isArray(parsed.profiles) || parsed.profiles.length !== 1) {
    return 'body must be {"profiles":[{…one profile…}]}';
  }
  const [payload] = parsed.profiles as unknown[];
  return isObject(payload) ? payload : 'profiles[0] must be an object';
}

/** `1986-08-05`, `1986/8/05` and `1986-8-5` are all accepted, as the field metadata says. */
export function normalizeDate(value: string): string | undefined {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]?.padStart(2, '0')}-${match[3]?.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

const idOf = (value: unknown): string | null | undefined => {
  if (value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return undefined;
};

/** Validates every key of `payload` against `current` (the profile being edited, if any). */
function changesFrom(roster: Roster, payload: Record<string, unknown>, current: ProfileRecord | undefined): Changes | string[] {
  const errors: string[] = [];
  const changes: Changes = {};
  for (const [key, value] of Object.entries(payload)) {
    switch (key) {
      case 'access_token':
        break; // legacy clients authenticate in the body; the kit already checked it
      case 'first_name':
      case 'last_name':
        if (typeof value === 'string' && value.trim() !== '') changes[key] = value;
        else errors.push(`${key} is a required field`);
        break;
      case 'email':
        if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value)) errors.push(`email is not a valid email: ${JSON.stringify(value)}`);
        else if (roster.emailTaken(value, current?.id)) errors.push('email has already been taken');
        else changes.email = value;
        break;
      case 'user_status':
        if (USER_STATUSES.includes(value as UserStatus)) changes.user_status = value as UserStatus;
        else errors.push(`user_status must be one of ${USER_STATUSES.join(', ')}; got ${JSON.stringify(value)}`);
        break;
      case 'start_date':
      case 'departure_date': {
        const date = value === null || value === '' ? '' : typeof value === 'string' ? normalizeDate(value) : undefined;
        if (date === undefined) errors.push(`${key} must be a date like 1986-08-05; got ${JSON.stringify(value)}`);
        else changes[key] = date;
        break;
      }
      case 'job_title': {
        const wanted = isObject(value) ? (value.id ?? value.title) : value;
        const found = typeof wanted === 'string' ? (roster.jobTitle(wanted) ?? roster.jobTitleByTitle(wanted)) : undefined;
        if (found) changes.job_title_id = found.id;
        else errors.push(`job_title ${JSON.stringify(value)} is not a job title of this company`);
        break;
      }
      case 'reports_to': {
        const id = idOf(value);
        if (id === null) changes.reports_to = null;
        else if (id === undefined || !roster.profile(id)) errors.push(`reports_to ${JSON.stringify(value)} is not a profile id`);
        else if (id === current?.id) errors.push('reports_to cannot be the profile itself');
        else changes.reports_to = id;
        break;
      }
      case 'employee_type': {
        const title = isObject(value) ? value.title : value;
        if (title === null) changes.employee_type = null;
        else if (typeof title === 'string' && roster.employeeTypes.includes(title)) changes.employee_type = title;
        else errors.push(`employee_type must be one of ${roster.employeeTypes.join(', ')}; got ${JSON.stringify(value)}`);
        break;
      }
      case 'litmos_activated':
        if (value === 'Yes' || value === 'No' || value === null) changes.litmos_activated = value;
        else errors.push(`litmos_activated must be one of 'Yes', 'No'; got ${JSON.stringify(value)}`);
        break;
      case 'office':
        if (
          isObject(value) &&
          Object.entries(value).every(([k, v]) => ADDRESS_KEYS.includes(k as keyof OfficeAddress) && (v === null || typeof v === 'string'))
        ) {
          changes.office = { ...(current?.office ?? emptyAddress()), ...(value as Partial<OfficeAddress>) };
        } else errors.push(`office must be an object of ${ADDRESS_KEYS.join(', ')}`);
        break;
      case 'links': {
        const groupIds = groupMoves(roster, value, current?.group_ids ?? []);
        if (typeof groupIds === 'string') errors.push(groupIds);
        else changes.group_ids = groupIds;
        break;
      }
      default:
        if ((TEXT_FIELDS as readonly string[]).includes(key)) {
          if (value === null || typeof value === 'string') changes[key as (typeof TEXT_FIELDS)[number]] = value ?? '';
          else errors.push(`${key} must be text`);
        } else if ((NULLABLE_TEXT_FIELDS as readonly string[]).includes(key)) {
          if (value === null || typeof value === 'string') changes[key as (typeof NULLABLE_TEXT_FIELDS)[number]] = value;
          else errors.push(`${key} must be text`);
        } else errors.push(`${key} is not a profile field`);
    }
  }
  return errors.length ? errors : changes;
}

function groupMoves(roster: Roster, links: unknown, current: readonly string[]): string[] | string {
  const given = isObject(links) ? links.groups : undefined;
  if (!Array.isArray(given)) return 'links must be {"groups":[{"id":"<group id>"}]}';
  let groupIds = [...current];
  for (const entry of given) {
    const group = roster.group(idOf(entry) ?? '');
    if (!group) return `links.groups: ${JSON.stringify(entry)} is not a group id`;
    groupIds = groupIds.filter((id) => roster.group(id)?.typeId !== group.typeId);
    groupIds.push(group.id);
  }
  return groupIds;
}

const emptyAddress = (): OfficeAddress => ({ address1: null, address2: null, city: null, state_id: null, zip: null, country_id: null });

export function updateProfile(roster: Roster, current: ProfileRecord, payload: Record<string, unknown>, now: number): EditOutcome {
  const changes = changesFrom(roster, payload, current);
  if (Array.isArray(changes)) return { errors: changes };
  Object.assign(current, changes, { updated_at: now });
  roster.touch();
  return { record: current };
}

/** Only the names and the email are required: the recorded create sent nothing else. */
const REQUIRED_ON_CREATE = ['first_name', 'last_name', 'email'] as const;

export function createProfile(roster: Roster, id: string, payload: Record<string, unknown>, now: number): EditOutcome {
  const missing = REQUIRED_ON_CREATE.filter((key) => payload[key] === undefined).map((key) => `${key} is a required field`);
  const changes = changesFrom(roster, payload, undefined);
  if (missing.length || Array.isArray(changes)) return { errors: [...missing, ...(Array.isArray(changes) ? changes : [])] };
  return {
    record: roster.add({
      id,
      email: null,
      first_name: '',
      last_name: '',
      middle_name: '',
      preferred_name: '',
      // A profile created without a status came back inactive in the recording.
      user_status: 'inactive',
      created_at: now,
      updated_at: now,
      job_title_id: null,
      start_date: '',
      departure_date: '',
      employee_id: '',
      personal_email: '',
      office_main_number: '',
      office_direct_dial: '',
      office_phone: '',
      mobile_phone: '',
      office: emptyAddress(),
      reports_to: null,
      employee_type: null,
      group_ids: [],
      team_ids: [],
      litmos_activated: null,
      ...changes,
    }),
  };
}
