/**
 * BambooHR as an `HrClient`, in the fewest calls: a full roster read is one `meta/fields` (only
 * the first time: it finds the access flag's alias), one custom report over everyone and one
 * `employees/all/tables/employmentStatus` for the effective-dated history. Reads are complete or
 * they throw — the sync engine deactivates people on the strength of a full read.
 */
import { UpstreamError } from '../../errors.js';
import type { Employee, LocalDate } from '../../model.js';
import type { HrClient } from '../hr.js';
import type { UpstreamClient, UpstreamRequest } from '../http.js';
import { accessFlagKey, REPORT_FIELDS, toEmployee } from './mapping.js';
import { parseChanges, parseFields, parseJobRows, parseReport, parseStatusRows, type BambooHrChanges, type BambooHrReport } from './payload.js';

export interface BambooHrClientOptions {
  /** The account's API (`https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1`), its key set by `authorize` (see `bambooHrAuthorize`); the caller closes it. */
  http: UpstreamClient;
  /** The account's subdomain; names the account in errors. */
  companyDomain: string;
  /** Name of the checkbox field that grants Litmos access. @default 'Litmos Access' */
  accessFlagField?: string;
  /** The day statuses are judged on. @default the current UTC day */
  today?: () => LocalDate;
}

export interface BambooHrClient extends HrClient {
  /** Ids changed (any field, or a jobInfo/employmentStatus row) at or after `since`; feed `latest` back next time. */
  changedSince(since: string): Promise<BambooHrChanges>;
}

/** HTTP Basic with the API key as the user name; BambooHR ignores the password, conventionally "x". */
export const bambooHrAuthorize =
  (apiKey: string) =>
  ({ headers }: { headers: Record<string, string> }): void => {
    headers.authorization = `Basic ${Buffer.from(`${apiKey}:x`).toString('base64')}`;
  };

/** Without it most endpoints answer XML. */
const ACCEPT_JSON = { Accept: 'application/json' };

export function createBambooHrClient(options: BambooHrClientOptions): BambooHrClient {
  const { http, companyDomain } = options;
  const flagName = options.accessFlagField ?? 'Litmos Access';
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));

  // Cached for the client's life: the alias of a field does not change when it is renamed, and a
  // report that no longer knows the alias drops the cache (see `report`).
  let flagKey: Promise<string> | undefined;
  const accessFlag = (): Promise<string> => {
    if (!flagKey) {
      const lookup = http
        .request({ method: 'GET', path: '/meta/fields', headers: ACCEPT_JSON })
        .then((response) => accessFlagKey(parseFields(response.body), flagName));
      flagKey = lookup;
      // A failed lookup is not remembered; the next read tries again.
      lookup.catch(() => {
        if (flagKey === lookup) flagKey = undefined;
      });
    }
    return flagKey;
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
    const parsed = parseReport((await http.request(request)).body);
    if (!parsed.fieldIds.has(key)) {
      // BambooHR silently leaves out fields it does not know: the flag would read as unchecked
      // for everyone. Forget the alias so the next read looks it up again.
      flagKey = undefined;
      throw new UpstreamError('bamboohr', 200, `${companyDomain}: the custom report left out the access flag ${JSON.stringify(key)} ("${flagName}"); read again to look the field up afresh`, {
        code: 'UPSTREAM_BAD_RESPONSE',
        retryable: true,
      });
    }
    return parsed;
  };

  /**
   * One employee's rows of an effective-dated table, or everyone's. For one employee a 404 means
   * there is no such employee (the report leaves them out too); for everyone it is a failure, as a
   * roster read must be whole.
   */
  const tableByEmployee = async <Row extends { employeeId: string }>(
    table: 'employmentStatus' | 'jobInfo',
    employeeId: number | 'all',
    parse: (body: string) => Row[],
  ): Promise<Map<string, Row[]>> => {
    const response = await http.request({
      method: 'GET',
      path: `/employees/${employeeId}/tables/${table}`,
      headers: ACCEPT_JSON,
      accept: employeeId === 'all' ? undefined : [404],
    });
    const byEmployee = new Map<string, Row[]>();
    if (response.status === 404) return byEmployee;
    for (const row of parse(response.body)) {
      const rows = byEmployee.get(row.employeeId);
      if (rows) rows.push(row);
      else byEmployee.set(row.employeeId, [row]);
    }
    return byEmployee;
  };

  /** The report, with the status history and the job rows that make "current" mean today. */
  const read = async (employeeIds?: number[]): Promise<Employee[]> => {
    const key = await accessFlag();
    const scope = employeeIds?.length === 1 ? (employeeIds[0] as number) : 'all';
    const [roster, history, jobs] = await Promise.all([
      report(key, employeeIds),
      tableByEmployee('employmentStatus', scope, parseStatusRows),
      tableByEmployee('jobInfo', scope, parseJobRows),
    ]);
    const context = { accessFlagKey: key, today: today() };
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

    async changedSince(since: string): Promise<BambooHrChanges> {
      const response = await http.request({ method: 'GET', path: '/employees/changed', query: { since }, headers: ACCEPT_JSON });
      return parseChanges(response.body);
    },
  };
}
