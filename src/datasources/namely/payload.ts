/**
 * The parts of Namely's JSON the gateway reads, checked at the boundary: a body that lacks what
 * the mapping relies on becomes an `UPSTREAM_BAD_RESPONSE` naming the key and the value received,
 * instead of an `undefined` somewhere in a sync plan.
 */
import { payloadChecks } from '../payload.js';

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
  reports_to: { id: string }[];
  employee_type: { title: string } | null;
  groups: NamelyLink[];
  office: NamelyAddress | null;
  office_direct_dial: string | null;
  office_phone: string | null;
  mobile_phone: string | null;
  /** The raw object, for custom fields such as the access flag. */
  custom: Readonly<Record<string, unknown>>;
}

export interface ProfilesPage {
  profiles: NamelyProfile[];
  /** Profiles in the whole (filtered) roster, per `meta.total_count`. */
  totalCount: number;
}

export interface NamelyField {
  name: string;
  label: string;
  type: string;
}

export interface NamelyGroup {
  id: string;
  title: string;
  groupTypeId: string;
}

export interface NamelyGroupType {
  id: string;
  title: string;
  type: string;
}

const { bad, object, array, text, json } = payloadChecks('namely');

/** Namely leaves never-set text fields null and cleared ones ""; absent keys count as null. */
function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  return text(value, what);
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
  const links = raw.links === undefined || raw.links === null ? {} : object(raw.links, at('links'));
  const groups = (links.groups === undefined ? [] : array(links.groups, at('links.groups'))).map((entry, i) => {
    const group = object(entry, at(`links.groups[${i}]`));
    return { id: text(group.id, at(`links.groups[${i}].id`)), name: text(group.name, at(`links.groups[${i}].name`)) };
  });
  const reportsTo = (raw.reports_to === undefined || raw.reports_to === null ? [] : array(raw.reports_to, at('reports_to'))).map(
    (entry, i) => ({ id: text(object(entry, at(`reports_to[${i}]`)).id, at(`reports_to[${i}].id`)) }),
  );
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
    custom: raw,
  };
}

/** A `GET /profiles` page; `total_count` is required because the read's completeness rests on it. */
export function parseProfilesPage(body: string): ProfilesPage {
  const raw = object(json(body, 'profiles page'), 'profiles page');
  const meta = object(raw.meta, 'profiles page meta');
  const totalCount = meta.total_count;
  if (typeof totalCount !== 'number' || !Number.isInteger(totalCount) || totalCount < 0) {
    throw bad('profiles page meta.total_count', totalCount, 'a count');
  }
  return { profiles: array(raw.profiles, 'profiles page profiles').map(parseProfile), totalCount };
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

export function parseGroups(body: string): { groups: NamelyGroup[]; groupTypes: NamelyGroupType[] } {
  const raw = object(json(body, 'groups'), 'groups');
  const groups = array(raw.groups, 'groups groups').map((entry, i) => {
    const group = object(entry, `groups[${i}]`);
    const links = object(group.links, `groups[${i}].links`);
    return {
      id: text(group.id, `groups[${i}].id`),
      title: text(group.title, `groups[${i}].title`),
      groupTypeId: text(links.group_type, `groups[${i}].links.group_type`),
    };
  });
  const linked = object(raw.linked, 'groups linked');
  const groupTypes = array(linked.group_types, 'groups linked.group_types').map((entry, i) => {
    const type = object(entry, `group_types[${i}]`);
    return {
      id: text(type.id, `group_types[${i}].id`),
      title: text(type.title, `group_types[${i}].title`),
      type: text(type.type, `group_types[${i}].type`),
    };
  });
  return { groups, groupTypes };
}
