/**
 * The parts of Namely's JSON the gateway reads, checked at the boundary: a body that lacks what
 * the mapping relies on becomes an `UPSTREAM_BAD_RESPONSE` naming the key and the value received,
 * instead of an `undefined` somewhere in a sync plan.
 */
import { payloadChecks, type Json } from '../payload.js';

export interface NamelyLink {
  id: string;
  name: string;
}

export interface NamelyAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  state_id: string | null;
  zip: string | null;
  country_id: string | null;
}

/** A profile; custom fields are further top-level keys named after the field. */
export interface NamelyProfile {
  id: string;
  email: string | null;
  first_name: string;
  last_name: string;
  preferred_name: string | null;
  user_status: string;
  start_date: string | null;
  departure_date: string | null;
  employee_id: string | null;
  job_title: { title: string } | null;
  /** Managers' ids as given; `null` where an entry carries none (placeholders are the mapping's to read). */
  reports_to: { id: string | null }[];
  employee_type: { title: string } | null;
  groups: NamelyLink[];
  office: NamelyAddress | null;
  office_direct_dial: string | null;
  office_phone: string | null;
  mobile_phone: string | null;
  /** When the profile last changed, epoch seconds (Namely's own clock); null when the payload has none. */
  updated_at: number | null;
  /** The raw object, for custom fields such as the access flag. */
  custom: Readonly<Record<string, unknown>>;
}

export interface ProfilesPage {
  profiles: NamelyProfile[];
  /**
   * Profiles in the whole (filtered) list, per `meta.total_count`; null when the page does not say
   * (the legacy envelope's `meta` has only `count` and `status`).
   */
  totalCount: number | null;
}

export interface NamelyField {
  name: string;
  label: string;
  type: string;
}

export interface NamelyGroup {
  id: string;
  title: string;
  /** The name of the group's type (`"Departments"`), which every group carries. */
  typeName: string | null;
  /** The id of the group's type, when the group links it. */
  groupTypeId: string | null;
}

export interface NamelyGroupType {
  id: string;
  title: string;
  type: string;
}

export interface NamelyGroups {
  groups: NamelyGroup[];
  /** From the optional compound document `linked.group_types`; empty when Namely leaves it out. */
  groupTypes: NamelyGroupType[];
}

const { bad, object, array, text, json } = payloadChecks('namely');

/** Namely leaves never-set text fields null and cleared ones ""; absent keys count as null. */
function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  return text(value, what);
}

/** An optional block (`links`, `linked`): absent or null reads as empty, anything else must be an object. */
function optionalObject(value: unknown, what: string): Json {
  return value === undefined || value === null ? {} : object(value, what);
}

function optionalArray(value: unknown, what: string): unknown[] {
  return value === undefined || value === null ? [] : array(value, what);
}

function parseAddress(value: unknown, what: string): NamelyAddress | null {
  if (value === undefined || value === null) return null;
  const raw = object(value, what);
  const part = (key: keyof NamelyAddress) => optionalText(raw[key], `${what}.${key}`);
  return {
    address1: part('address1'),
    address2: part('address2'),
    city: part('city'),
    state_id: part('state_id'),
    zip: part('zip'),
    country_id: part('country_id'),
  };
}

function parseTitled(value: unknown, what: string): { title: string } | null {
  if (value === undefined || value === null) return null;
  return { title: text(object(value, what).title, `${what}.title`) };
}

export function parseProfile(value: unknown): NamelyProfile {
  const raw = object(value, 'profile');
  const id = text(raw.id, 'profile.id');
  const at = (key: string) => `profile ${id} ${key}`;
  const links = optionalObject(raw.links, at('links'));
  const groups = optionalArray(links.groups, at('links.groups')).map((entry, i) => {
    const group = object(entry, at(`links.groups[${i}]`));
    return { id: text(group.id, at(`links.groups[${i}].id`)), name: text(group.name, at(`links.groups[${i}].name`)) };
  });
  // Recorded as null (2014-15), documented as an array whose entries may be placeholders.
  const reportsTo = optionalArray(raw.reports_to, at('reports_to')).map((entry, i) => ({
    id: optionalText(object(entry, at(`reports_to[${i}]`)).id, at(`reports_to[${i}].id`)),
  }));
  return {
    id,
    email: optionalText(raw.email, at('email')),
    first_name: text(raw.first_name, at('first_name')),
    last_name: text(raw.last_name, at('last_name')),
    preferred_name: optionalText(raw.preferred_name, at('preferred_name')),
    user_status: text(raw.user_status, at('user_status')),
    start_date: optionalText(raw.start_date, at('start_date')),
    departure_date: optionalText(raw.departure_date, at('departure_date')),
    employee_id: optionalText(raw.employee_id, at('employee_id')),
    job_title: parseTitled(raw.job_title, at('job_title')),
    reports_to: reportsTo,
    employee_type: parseTitled(raw.employee_type, at('employee_type')),
    groups,
    office: parseAddress(raw.office, at('office')),
    office_direct_dial: optionalText(raw.office_direct_dial, at('office_direct_dial')),
    office_phone: optionalText(raw.office_phone, at('office_phone')),
    mobile_phone: optionalText(raw.mobile_phone, at('mobile_phone')),
    updated_at: typeof raw.updated_at === 'number' && Number.isFinite(raw.updated_at) ? raw.updated_at : null,
    custom: raw,
  };
}

/**
 * A `GET /profiles` page. `meta.total_count` is read when present, as a check on the read; only an
 * empty `profiles` array is documented to end the list, so the total is never needed to find the end.
 */
export function parseProfilesPage(body: string): ProfilesPage {
  const raw = object(json(body, 'profiles page'), 'profiles page');
  const totalCount = optionalObject(raw.meta, 'profiles page meta').total_count;
  if (totalCount !== undefined && totalCount !== null && (typeof totalCount !== 'number' || !Number.isInteger(totalCount) || totalCount < 0)) {
    throw bad('profiles page meta.total_count', totalCount, 'a count');
  }
  return { profiles: array(raw.profiles, 'profiles page profiles').map(parseProfile), totalCount: totalCount ?? null };
}

/** `GET /profiles/{id}`: the envelope with exactly one profile. */
export function parseSingleProfile(body: string): NamelyProfile {
  const raw = object(json(body, 'profile'), 'profile envelope');
  const profiles = array(raw.profiles, 'profile envelope profiles');
  if (profiles.length !== 1) throw bad('profile envelope profiles', `${profiles.length} profiles`, 'exactly one');
  return parseProfile(profiles[0]);
}

export function parseFields(body: string): NamelyField[] {
  const raw = object(json(body, 'profile fields'), 'profile fields');
  return array(raw.fields, 'profile fields fields').map((entry, i) => {
    const field = object(entry, `fields[${i}]`);
    return {
      name: text(field.name, `fields[${i}].name`),
      label: text(field.label, `fields[${i}].label`),
      type: text(field.type, `fields[${i}].type`),
    };
  });
}

/**
 * `GET /groups`. `links` and the compound document `linked.group_types` are optional in Namely's
 * JSON-API-ish envelopes, so neither is required here: a group's `type` names its group type anyway.
 */
export function parseGroups(body: string): NamelyGroups {
  const raw = object(json(body, 'groups'), 'groups');
  const groups = array(raw.groups, 'groups groups').map((entry, i): NamelyGroup => {
    const group = object(entry, `groups[${i}]`);
    const links = optionalObject(group.links, `groups[${i}].links`);
    return {
      id: text(group.id, `groups[${i}].id`),
      title: text(group.title, `groups[${i}].title`),
      typeName: optionalText(group.type, `groups[${i}].type`),
      groupTypeId: optionalText(links.group_type, `groups[${i}].links.group_type`),
    };
  });
  const linked = optionalObject(raw.linked, 'groups linked');
  const groupTypes = optionalArray(linked.group_types, 'groups linked.group_types').map((entry, i) => {
    const type = object(entry, `group_types[${i}]`);
    return {
      id: text(type.id, `group_types[${i}].id`),
      title: text(type.title, `group_types[${i}].title`),
      type: text(type.type, `group_types[${i}].type`),
    };
  });
  return { groups, groupTypes };
}
