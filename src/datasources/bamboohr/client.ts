/**
 * BambooHR as an `HrClient`, in the fewest calls: a full roster read is one custom report over
 * everyone and one `employees/all/tables/{employmentStatus,jobInfo}` each for the effective-dated
 * history, plus one `meta/fields` whenever the access flag's field must be found by its name (the
 * first read, a policy naming another field, a field renamed or deleted since). Reads are complete
 * or they throw — the sync engine deactivates people on the strength of a full read.
 */
import { groupBy } from '../../core/collections.js';
import type { Clock } from '../../clock.js';
import type { SourceDefaults } from '../../core/policy.js';
import { UpstreamError } from '../../errors.js';
import type { Employee } from '../../model.js';
import { today } from '../../time.js';
import { markFrom, type HrChangeFeed, type HrChanges, type HrClient } from '../hr.js';
import type { UpstreamClient, UpstreamRequest } from '../http.js';
import { accessFlagFields, accessFlagKey, REPORT_FIELDS, toEmployee } from './mapping.js';
import {
  parseChangedTable,
  parseChanges,
  parseFields,
  parseJobRows,
  parseReport,
  parseStatusRows,
  type BambooHrChanges,
  type BambooHrField,
  type BambooHrJobRow,
  type BambooHrReport,
  type BambooHrStatusRow,
} from './payload.js';

export interface BambooHrClientOptions {
  /** The account's API (`https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1`), its key set by `authorize` (see `bambooHrAuthorize`); the caller closes it. */
  http: UpstreamClient;
  /** The account's subdomain; names the account in errors. */
  companyDomain: string;
  /**
   * Name of the checkbox field that grants Litmos access, asked for at every read: it is the
   * tenant's policy, which an admin may change between two runs. @default BAMBOOHR_DEFAULTS' field
   */
  accessFlagFieldName?: () => string | Promise<string>;
  /** Statuses are judged on its day. */
  clock: Clock;
}

export interface BambooHrClient extends HrClient {
  /** Ids changed (any field, or a jobInfo/employmentStatus row) at or after `since`; feed `latest` back next time. */
  changedSince(since: string): Promise<BambooHrChanges>;
  readonly changes: HrChangeFeed;
}

/** BambooHR's timestamps: ISO 8601 to the second, with an offset. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * The incremental checkpoint as this client writes it: the feed's `latest` (fed back as `since`, as
 * documented) and the ids already read that changed at exactly that second. The feed is inclusive of
 * `since`, so without them every run would read the previous run's last second again; they are kept
 * only when BambooHR answered in a later second than `latest`, since a change made in the same second
 * after the answer would carry the same timestamp and must not be skipped. A bare timestamp (a full
 * run's mark) has none.
 */
interface FeedCheckpoint {
  since: string;
  seen: string[];
}

function feedCheckpoint(value: string): FeedCheckpoint {
  if (!value.startsWith('{')) return { since: value, seen: [] };
  const parsed = JSON.parse(value) as Partial<FeedCheckpoint>;
  if (typeof parsed.since !== 'string' || !Array.isArray(parsed.seen)) throw new Error(`not a BambooHR checkpoint: ${value}`);
  return { since: parsed.since, seen: parsed.seen.filter((id): id is string => typeof id === 'string') };
}

const sameInstant = (a: string | undefined, b: string) => a !== undefined && Date.parse(a) === Date.parse(b);

function nextCheckpoint(from: FeedCheckpoint, feed: BambooHrChanges & { answeredAt: number }): string {
  // An empty feed leaves the checkpoint where it was.
  if (feed.employeeIds.length === 0) return from.seen.length === 0 ? from.since : JSON.stringify(from);
  const latest = feed.latest;
  const settled = Math.floor(feed.answeredAt / 1000) > Math.floor(Date.parse(latest) / 1000);
  const atLatest = feed.employeeIds.filter((id) => sameInstant(feed.lastChanged[id], latest));
  const seen = settled ? [...new Set([...(sameInstant(from.since, latest) ? from.seen : []), ...atLatest])] : [];
  return seen.length === 0 ? latest : JSON.stringify({ since: latest, seen });
}

/** Litmos's BambooHR connector grants access by a checkbox of this name. */
export const BAMBOOHR_DEFAULTS: SourceDefaults = { accessFlagFieldName: 'Litmos Access' };

/** HTTP Basic with the API key as the user name; BambooHR ignores the password, conventionally "x". */
export const bambooHrAuthorize =
  (apiKey: string) =>
  ({ headers }: { headers: Record<string, string> }): void => {
    headers.authorization = `Basic ${Buffer.from(`${apiKey}:x`).toString('base64')}`;
  };

/** The access flag as last looked up: the field's name (as the policy gave it) and its report key. */
interface Flag {
  name: string;
  key: string;
}

/** The report has a remembered flag's column, under a name that still matches (a report gives each field's current name). */
const stillNamed = (report: BambooHrReport, flag: Flag): boolean => {
  const field = report.fields.get(flag.key);
  return field !== undefined && (field.name === null || field.name.trim().toLowerCase() === flag.name.trim().toLowerCase());
};

/** Without it most endpoints answer XML. */
const ACCEPT_JSON = { Accept: 'application/json' };

/**
 * The report key of the checkbox named `fieldName`, from the account's field list. Throws a
 * `ConfigError` listing the account's checkboxes when there is none by that name (see `accessFlagKey`).
 */
export async function bambooHrAccessFlagKey(http: UpstreamClient, fieldName: string): Promise<string> {
  return accessFlagKey(await metaFields(http), fieldName);
}

/** The names of the account's fields able to hold the access flag: the ones `bambooHrAccessFlagKey` offers when it refuses a name. */
export async function bambooHrAccessFlagFields(http: UpstreamClient): Promise<string[]> {
  return accessFlagFields(await metaFields(http)).map((field) => field.name);
}

async function metaFields(http: UpstreamClient): Promise<BambooHrField[]> {
  const response = await http.request({ method: 'GET', path: '/meta/fields', headers: ACCEPT_JSON });
  return parseFields(response.body);
}

export function createBambooHrClient(options: BambooHrClientOptions): BambooHrClient {
  const { http, companyDomain } = options;
  const flagFieldName = options.accessFlagFieldName ?? (() => BAMBOOHR_DEFAULTS.accessFlagFieldName);

  // The flag's report key, remembered for the name it was found by. Every report confirms it (the
  // report names each field it returns), so a policy naming another field, or a field renamed or
  // deleted in BambooHR, is looked up afresh in the same read instead of read from a stale alias.
  let remembered: Flag | undefined;
  const lookUp = async (name: string): Promise<Flag> => {
    remembered = undefined;
    remembered = { name, key: await bambooHrAccessFlagKey(http, name) };
    return remembered;
  };

  const report = async (key: string, employeeIds?: readonly number[]): Promise<BambooHrReport> => {
    const request: UpstreamRequest = {
      method: 'POST',
      path: '/reports/custom',
      query: { format: 'json', onlyCurrent: false },
      // Exactly this Content-Type: with a charset BambooHR parses the body as XML and answers 400.
      headers: { ...ACCEPT_JSON, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title: 'rostergate',
        fields: [...REPORT_FIELDS, key],
        filters: employeeIds ? { employeeIds } : {},
      }),
      // A report changes nothing upstream, so repeating it after a lost response is safe.
      idempotent: true,
    };
    return parseReport((await http.request(request)).body);
  };

  /**
   * The report, with the flag's key checked against it. BambooHR silently leaves out fields it does
   * not know (or the key's user may not see): trusted blindly, the flag would read as unchecked for
   * everyone and plan the whole company's deactivation.
   */
  const reportWithFlag = async (employeeIds?: readonly number[]): Promise<{ roster: BambooHrReport; key: string }> => {
    const name = await flagFieldName();
    const cached = remembered?.name === name ? remembered : undefined;
    const flag = cached ?? (await lookUp(name));
    const roster = await report(flag.key, employeeIds);
    if (cached ? stillNamed(roster, cached) : roster.fields.has(flag.key)) return { roster, key: flag.key };
    if (cached) {
      // Renamed or deleted since it was looked up: look again, which finds the field's key now or
      // fails with the configuration error that lists the checkboxes there are.
      const fresh = await lookUp(name);
      const again = fresh.key === cached.key ? roster : await report(fresh.key, employeeIds);
      if (again.fields.has(fresh.key)) return { roster: again, key: fresh.key };
    }
    remembered = undefined;
    throw new UpstreamError(
      'bamboohr',
      200,
      `${companyDomain}: the custom report left out the access flag ${JSON.stringify(flag.key)} ("${name}"), which meta/fields lists; check that the API key's user may see it`,
      {
        code: 'UPSTREAM_BAD_RESPONSE',
        retryable: true,
      },
    );
  };

  /**
   * One employee's rows of an effective-dated table, or everyone's (only the `wanted` employees' kept,
   * when given: a webhook's run of a few hundred employees reads the whole table, and need not index
   * 50,000 employees' rows to look up its own). For one employee a 404 means there is no such employee
   * (the report leaves them out too); for everyone it is a failure, as a roster read must be whole.
   */
  const tableByEmployee = async <Row extends { employeeId: string }>(
    table: 'employmentStatus' | 'jobInfo',
    employeeId: number | 'all',
    parse: (body: string) => Row[],
    wanted?: ReadonlySet<string>,
  ): Promise<Map<string, Row[]>> => {
    const response = await http.request({
      method: 'GET',
      path: `/employees/${employeeId}/tables/${table}`,
      headers: ACCEPT_JSON,
      accept: employeeId === 'all' ? undefined : [404],
    });
    if (response.status === 404) return new Map();
    const rows = parse(response.body);
    return groupBy((wanted ? rows.filter((row) => wanted.has(row.employeeId)) : rows).map((row) => [row.employeeId, row] as const));
  };

  /** The feed, and BambooHR's clock when it answered (its `Date` header, to the second). */
  const changedFeed = async (since: string): Promise<BambooHrChanges & { answeredAt: number }> => {
    const response = await http.request({ method: 'GET', path: '/employees/changed', query: { since }, headers: ACCEPT_JSON });
    return { ...parseChanges(response.body), answeredAt: Date.parse(response.headers.date ?? '') };
  };
  const changedSince = async (since: string): Promise<BambooHrChanges> => {
    const { answeredAt: _, ...changes } = await changedFeed(since);
    return changes;
  };

  const changedTable = async <Row>(table: 'employmentStatus' | 'jobInfo', since: string): Promise<Map<string, Row[]>> => {
    const response = await http.request({ method: 'GET', path: `/employees/changed/tables/${table}`, query: { since }, headers: ACCEPT_JSON });
    return parseChangedTable<Row>(response.body, table);
  };

  /**
   * An incremental read in four calls whatever the company's size: the changed ids, the changed
   * employees' status and job rows (BambooHR lists ALL of a changed employee's rows, whichever field
   * changed), then one report filtered to those ids. An employee whose rows a feed left out (a
   * change between the calls) reads their own, as a webhook's targeted read does: without the
   * status history they would read as having no status, which is grounds for deactivation.
   */
  const readChanges = async (checkpoint: string): Promise<HrChanges> => {
    const { since, seen } = feedCheckpoint(checkpoint);
    const [feed, statuses, jobs] = await Promise.all([
      changedFeed(since),
      changedTable<BambooHrStatusRow>('employmentStatus', since),
      changedTable<BambooHrJobRow>('jobInfo', since),
    ]);
    const deleted = new Set(feed.deleted);
    const atSince = (id: string) => sameInstant(feed.lastChanged[id], since);
    const ids = [...new Set([...feed.employeeIds, ...statuses.keys(), ...jobs.keys()])].filter(
      (id) => !deleted.has(id) && /^\d+$/.test(id) && !(seen.includes(id) && atSince(id)),
    );
    const next = nextCheckpoint({ since, seen }, feed);
    if (ids.length === 0) return { employees: [], notFound: [...deleted], next };
    const { roster, key } = await reportWithFlag(ids.map(Number));
    await Promise.all(
      roster.rows.map(async ({ id }) => {
        if (!statuses.has(id)) statuses.set(id, (await tableByEmployee('employmentStatus', Number(id), parseStatusRows)).get(id) ?? []);
        if (!jobs.has(id)) jobs.set(id, (await tableByEmployee('jobInfo', Number(id), parseJobRows)).get(id) ?? []);
      }),
    );
    const context = { accessFlagKey: key, today: today(options.clock()) };
    const found = new Set(roster.rows.map((row) => row.id));
    return {
      employees: roster.rows.map((row) => toEmployee(row, statuses.get(row.id) ?? [], context, jobs.get(row.id) ?? [])),
      notFound: [...deleted, ...ids.filter((id) => !found.has(id))],
      next,
    };
  };

  /** The report, with the status history and the job rows that make "current" mean today. */
  const read = async (employeeIds?: number[]): Promise<Employee[]> => {
    const only = employeeIds?.length === 1 ? employeeIds[0] : undefined;
    const scope = only ?? 'all';
    const wanted = employeeIds && new Set(employeeIds.map(String));
    const [{ roster, key }, history, jobs] = await Promise.all([
      reportWithFlag(employeeIds),
      tableByEmployee('employmentStatus', scope, parseStatusRows, wanted),
      tableByEmployee('jobInfo', scope, parseJobRows, wanted),
    ]);
    const context = { accessFlagKey: key, today: today(options.clock()) };
    return roster.rows.map((row) => toEmployee(row, history.get(row.id) ?? [], context, jobs.get(row.id) ?? []));
  };

  return {
    source: 'BAMBOOHR',

    listEmployees: () => read(),

    /**
     * One filtered report plus the tables. The status history is not optional: without it an
     * employee reads as having no status at all, and the planner would deactivate them for it.
     * A single employee (a webhook's targeted sync) reads only their own rows.
     */
    async getEmployees(sourceIds: readonly string[]): Promise<Employee[]> {
      const ids = [...new Set(sourceIds.filter((id) => /^\d+$/.test(id)).map(Number))];
      return ids.length === 0 ? [] : read(ids);
    },

    changedSince,

    changes: {
      /** The cheapest authenticated call (`GET /employees/0`) for BambooHR's clock, in its own timestamp form. */
      async mark() {
        const response = await http.request({ method: 'GET', path: '/employees/0', headers: ACCEPT_JSON });
        return isoSeconds(markFrom(response.headers.date, options.clock()));
      },
      read: readChanges,
    },
  };
}
