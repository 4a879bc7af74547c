/**
 * How the Litmos switches of ../quirks.ts change an answer. Each is a pure function of a response
 * (or of a page request): the account's state is never touched, so what a quirk bends is only what
 * a client sees on the wire.
 */
import type { Page } from './users.js';
import type { Contract, WireRecord } from './wire.js';

/** What the Litmos UI does to a name before saving it. */
export function htmlEncode(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Members holding a name someone typed into the web UI: people's (users, team members, leaders,
 * results, achievements), teams' and courses' (`Name`, and `Title`, an achievement's course name).
 * Usernames and emails are logins the UI validates rather than free text, so they stay plain.
 */
const NAME_MEMBERS: ReadonlySet<string> = new Set(['FirstName', 'LastName', 'FullName', 'Name', 'Title']);

function encodeRecord(record: WireRecord): WireRecord {
  const out: WireRecord = {};
  for (const [member, value] of Object.entries(record)) {
    out[member] = NAME_MEMBERS.has(member) && typeof value === 'string' ? htmlEncode(value) : value;
  }
  return out;
}

/**
 * `encodedNames`: a JSON answer with its names HTML-encoded, as Litmos sends what the UI stored.
 * JSON only — an XML answer is escaped by its serialisation, and encoding it too would send `&amp;amp;`.
 */
export function encodeNames<T extends WireRecord | WireRecord[]>(value: T): T {
  return (Array.isArray(value) ? value.map(encodeRecord) : encodeRecord(value)) as T;
}

/**
 * `overfullPages`: "sometimes the Litmos API will actually return more items than requested" —
 * here, one more whenever the page is full and something follows it. The extra item is the next
 * one in order, so a client that advances `start` by what it received reads each item once, and
 * one that advances by `limit` reads it twice.
 */
export function overfullPage(page: Page): Page {
  return page.limit > 0 ? { start: page.start, limit: page.limit + 1 } : page;
}

/**
 * The order Litmos's XML User writes must follow (UPSTREAMS.md §3.1, from Trifoia's
 * `generate-user.js`, which writes it to the live service). It differs from the recorded JSON
 * member order (`USER_CONTRACT`) in where `Culture` falls — after `CustomField10` here, after
 * `CustomField3` there — and it omits the members a write cannot set (`OriginalId`, `CreatedDate`,
 * the Salesforce ids, `Points`), which WCF reads as unknown elements and ignores wherever they are.
 */
export const USER_WRITE_ORDER: Contract = [
  ['Id', 'string'],
  ['UserName', 'string'],
  ['FirstName', 'string'],
  ['LastName', 'string'],
  ['FullName', 'string'],
  ['Email', 'string'],
  ['AccessLevel', 'string'],
  ['DisableMessages', 'bool'],
  ['Active', 'bool'],
  ['Skype', 'string'],
  ['PhoneWork', 'string'],
  ['PhoneMobile', 'string'],
  ['LastLogin', 'string'],
  ['LoginKey', 'string'],
  ['IsCustomUsername', 'bool'],
  ['Password', 'string'],
  ['SkipFirstLogin', 'bool'],
  ['TimeZone', 'string'],
  ['Street1', 'string'],
  ['Street2', 'string'],
  ['City', 'string'],
  ['State', 'string'],
  ['PostalCode', 'string'],
  ['Country', 'string'],
  ['CompanyName', 'string'],
  ['JobTitle', 'string'],
  ['CustomField1', 'string'],
  ['CustomField2', 'string'],
  ['CustomField3', 'string'],
  ['CustomField4', 'string'],
  ['CustomField5', 'string'],
  ['CustomField6', 'string'],
  ['CustomField7', 'string'],
  ['CustomField8', 'string'],
  ['CustomField9', 'string'],
  ['CustomField10', 'string'],
  ['Culture', 'string'],
  ['Brand', 'string'],
  ['ManagerId', 'string'],
  ['ManagerName', 'string'],
  ['EnableTextNotification', 'bool'],
  ['Website', 'string'],
  ['Twitter', 'string'],
  ['ExpirationDate', 'string'],
];
