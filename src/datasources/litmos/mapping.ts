/**
 * Pure conversions between what Litmos sends (its JSON: PascalCase, `\/`-escaped, names as the web
 * UI saved them — HTML-encoded — and DateTimes as `/Date(ms)/`) and the unified model, plus the
 * bodies the client writes back. Payloads are validated here, at the boundary: a shape Litmos should
 * not send becomes an `UpstreamError` (UPSTREAM_BAD_RESPONSE) that says what arrived.
 *
 * Entities are undone exactly once, where a record arrives (`decodeMembers`); everything past that
 * point — the model and every body written back — holds plain text.
 */
import { UpstreamError } from '../../errors.js';
import { LEARNER_FIELDS, type Course, type CourseProgress, type Learner, type LearnerField, type Team } from '../../model.js';

/** The Litmos-side learner fields a sync writes; `null` clears a field. */
export type LearnerFields = Partial<Record<LearnerField, string | null>> & { active?: boolean };

/**
 * The learner fields `GET /users` (and team member lists) carry. Litmos lists summaries only; the
 * other fields of a listed `Learner` are null because they were not sent, not because they are empty.
 */
export const LISTED_LEARNER_FIELDS = [
  'id',
  'userName',
  'firstName',
  'lastName',
  'email',
  'active',
  'accessLevel',
] as const satisfies readonly (keyof Learner)[];

/** The learner fields a list leaves out: a sync remembers what it wrote to them (the shadow, `core/shadow.ts`). */
export const HIDDEN_LEARNER_FIELDS: readonly LearnerField[] = LEARNER_FIELDS.filter((field) => !(LISTED_LEARNER_FIELDS as readonly string[]).includes(field));

/** The User DataContract member each learner field is written to. */
const MEMBER_OF: Record<LearnerField, string> = {
  userName: 'UserName',
  firstName: 'FirstName',
  lastName: 'LastName',
  email: 'Email',
  title: 'JobTitle',
  phoneWork: 'PhoneWork',
  phoneMobile: 'PhoneMobile',
  street1: 'Street1',
  street2: 'Street2',
  city: 'City',
  state: 'State',
  postalCode: 'PostalCode',
  country: 'Country',
};

export type LitmosRecord = Record<string, unknown>;

function badResponse(message: string): UpstreamError {
  return new UpstreamError('litmos', 200, message, { code: 'UPSTREAM_BAD_RESPONSE', retryable: false });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined (and functions), which its lib type omits
const preview = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 120);

/** A response body as JSON; an empty body (Litmos's usual answer to a write) is `undefined`. */
export function parseBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw badResponse(`expected JSON, received ${preview(body)}`);
  }
}

export function asRecord(value: unknown, what: string): LitmosRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badResponse(`expected ${what} as a JSON object, received ${preview(value)}`);
  }
  return value as LitmosRecord;
}

export function asRecords(value: unknown, what: string): LitmosRecord[] {
  if (!Array.isArray(value)) throw badResponse(`expected a JSON array of ${what}, received ${preview(value)}`);
  return value.map((item) => asRecord(item, what));
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** One pass, so `&amp;lt;` becomes `&lt;` and not `<`: only what Litmos encoded is undone. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/**
 * A record as plain text: every string member decoded once, every other member as it came. Litmos
 * encodes on output only, so this is what it stores — and what a write must send, or the value gains
 * an `&amp;` with every round trip.
 */
export function decodeMembers(record: LitmosRecord): LitmosRecord {
  // Copied only when a member holds an entity: most records have none, and a 50,000-user list was
  // copied member by member for nothing.
  let plain: LitmosRecord | undefined;
  for (const member in record) {
    const value = record[member];
    if (typeof value === 'string' && value.includes('&')) (plain ??= { ...record })[member] = decodeEntities(value);
  }
  return plain ?? record;
}

/** Trimmed, from a record already decoded; blank and absent are both null, since Litmos sends either for "none". */
function text(record: LitmosRecord, member: string, what: string): string | null {
  const value = record[member];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badResponse(`${what}.${member}: expected a string, received ${preview(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A response value as a record of plain text, refused unless it is a JSON object. */
const decodedRecord = (value: unknown, what: string): LitmosRecord => decodeMembers(asRecord(value, what));

function requiredText(record: LitmosRecord, member: string, what: string): string {
  const value = text(record, member, what);
  if (value === null) throw badResponse(`${what}.${member}: expected a non-empty string, received ${preview(record[member])}`);
  return value;
}

function flag(record: LitmosRecord, member: string, what: string): boolean {
  const value = record[member];
  if (typeof value !== 'boolean') throw badResponse(`${what}.${member}: expected a boolean, received ${preview(value)}`);
  return value;
}

function percentage(record: LitmosRecord, member: string, what: string): number {
  const value = record[member];
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) throw badResponse(`${what}.${member}: expected a number, received ${preview(value)}`);
  return value;
}

/**
 * A Litmos date as an ISO 8601 UTC instant. JSON DateTimes are WCF's `/Date(ms)/` (an offset suffix,
 * when present, only says how the server's clock was set — the ms are already UTC); string members
 * are ISO, with or without a zone — zoneless ones are UTC, as Litmos stores them.
 */
export function parseLitmosDate(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') throw badResponse(`expected a date, received ${preview(value)}`);
  const wcf = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (wcf) return new Date(Number(wcf[1])).toISOString();
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw badResponse(`expected a /Date(ms)/ or ISO 8601 date, received ${preview(value)}`);
  return new Date(ms).toISOString();
}

/** From a full profile (`GET /users/{id}`) or a summary (lists), which lacks the contact fields. */
export function toLearner(value: unknown): Learner {
  return learnerOf(decodedRecord(value, 'user'));
}

/**
 * From User members that are already plain text — a decoded response, or a body this client wrote
 * (`updatedUserBody`) — so nothing is decoded twice: a name that really reads `&amp;` keeps it.
 */
export function learnerOf(r: LitmosRecord): Learner {
  return {
    id: requiredText(r, 'Id', 'user'),
    userName: requiredText(r, 'UserName', 'user'),
    email: text(r, 'Email', 'user'),
    firstName: text(r, 'FirstName', 'user') ?? '',
    lastName: text(r, 'LastName', 'user') ?? '',
    title: text(r, 'JobTitle', 'user'),
    active: flag(r, 'Active', 'user'),
    accessLevel: text(r, 'AccessLevel', 'user') ?? 'Learner',
    phoneWork: text(r, 'PhoneWork', 'user'),
    phoneMobile: text(r, 'PhoneMobile', 'user'),
    street1: text(r, 'Street1', 'user'),
    street2: text(r, 'Street2', 'user'),
    city: text(r, 'City', 'user'),
    state: text(r, 'State', 'user'),
    postalCode: text(r, 'PostalCode', 'user'),
    country: text(r, 'Country', 'user'),
  };
}

/** `parentId` comes from the list's `ParentTeamId`; a created sub-team's comes from the request. */
export function toTeam(value: unknown, parentId?: string | null): Team {
  const r = decodedRecord(value, 'team');
  return {
    id: requiredText(r, 'Id', 'team'),
    name: requiredText(r, 'Name', 'team'),
    parentId: parentId === undefined ? text(r, 'ParentTeamId', 'team') : parentId,
  };
}

export function toCourse(value: unknown): Course {
  const r = decodedRecord(value, 'course');
  return {
    id: requiredText(r, 'Id', 'course'),
    code: text(r, 'Code', 'course'),
    name: requiredText(r, 'Name', 'course'),
    active: flag(r, 'Active', 'course'),
  };
}

/** A row of `GET /courses/{id}/users`: Litmos gives no dates there, so they are null. */
export function toCourseResult(courseId: string, value: unknown): CourseProgress {
  const r = decodedRecord(value, 'course result');
  return {
    courseId,
    learnerId: requiredText(r, 'Id', 'course result'),
    completed: flag(r, 'Completed', 'course result'),
    percentageComplete: percentage(r, 'PercentageComplete', 'course result'),
    assignedAt: null,
    completedAt: null,
  };
}

/** A row of `GET /users/{id}/courses` (note `Complete`, not `Completed`, and dates). */
export function toLearnerCourse(learnerId: string, value: unknown): CourseProgress {
  const r = decodedRecord(value, 'learner course');
  return {
    courseId: requiredText(r, 'Id', 'learner course'),
    learnerId,
    completed: flag(r, 'Complete', 'learner course'),
    percentageComplete: percentage(r, 'PercentageComplete', 'learner course'),
    assignedAt: parseLitmosDate(r.AssignedDate),
    completedAt: parseLitmosDate(r.DateCompleted),
  };
}

/** The members `fields` sets; a cleared field is written as `""`, as Litmos's own clients do. */
function members(fields: LearnerFields): LitmosRecord {
  const out: LitmosRecord = {};
  for (const field of LEARNER_FIELDS) {
    if (field in fields) out[MEMBER_OF[field]] = fields[field] ?? '';
  }
  if (fields.active !== undefined) out.Active = fields.active;
  return out;
}

/**
 * The body of `POST /users`: the whole User object, since Litmos reads absent members as .NET
 * defaults. Non-email usernames need `IsCustomUsername`, or Litmos insists on an email address.
 */
export function newUserBody(fields: LearnerFields): LitmosRecord {
  const userName = fields.userName ?? '';
  return {
    Id: '',
    UserName: userName,
    FirstName: '',
    LastName: '',
    FullName: '',
    Email: '',
    AccessLevel: 'Learner',
    DisableMessages: false,
    Active: true,
    Skype: '',
    PhoneWork: '',
    PhoneMobile: '',
    LastLogin: '',
    LoginKey: '',
    IsCustomUsername: !userName.includes('@'),
    Password: '',
    SkipFirstLogin: false,
    TimeZone: 'UTC',
    Street1: '',
    Street2: '',
    City: '',
    State: '',
    PostalCode: '',
    Country: '',
    CompanyName: '',
    JobTitle: '',
    Culture: '',
    ...members(fields),
  };
}

/**
 * The body of `PUT /users/{id}`: the profile as Litmos last sent it, decoded, with `fields` laid
 * over it. PUT replaces the whole object, so everything a sync does not manage (access level,
 * custom fields, time zone) must go back as it is stored — and Litmos stores the decoded text: its
 * JSON HTML-encodes on the way out, and an encoded name sent back would be saved as `A&amp;B`.
 * Non-string members (flags, ids, nulls) go back exactly as read.
 */
export function updatedUserBody(profile: LitmosRecord, fields: LearnerFields): LitmosRecord {
  const body: LitmosRecord = { ...decodeMembers(profile), ...members(fields) };
  if (typeof body.UserName === 'string' && 'userName' in fields) {
    body.IsCustomUsername = !body.UserName.includes('@');
  }
  return body;
}
