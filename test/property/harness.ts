/**
 * The property test's hands and eyes: reads of the HR truth (BambooHR's own API) and of Litmos (its
 * own API), HR edits through BambooHR's write API, fault switches through the sandbox's control
 * routes, and sync runs through the gateway's GraphQL API. Nothing here decides what is right —
 * that is oracle.ts — and nothing reads the gateway's store or planner.
 */
import { ALL_QUIRKS, SANDBOX_CREDENTIALS, startSandbox, type RunningSandbox, type SimulatorStats } from '@rostergate/sandbox';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { DepartmentChoice, EmailChoice, FaultPlan, HrOp } from './arbitraries.js';
import { currentDepartment, key, type HrEmployee, type LitmosSnapshot, type LitmosTeamRow, type LitmosUserRow } from './oracle.js';

/** A simulator row's value as text: strings and numbers as they are, anything else (absent, null) as ''. */
const asText = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests per window the simulators allow and the gateway paces to: high, so pacing never dominates a case. */
const LIMIT = 100_000;
const WINDOW_MS = 1000;

/**
 * A fetch that survives what the sandbox injects (transient 5xx, throttles, cut connections), for the
 * test's own reads. Writes are not retried (a lost answer may hide a done write): callers check.
 */
async function fetchRetrying(url: string, init: RequestInit, retry: boolean): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch(url, init);
      if (!retry || response.status < 429 || (response.status > 429 && response.status < 500) || attempt >= 30) {
        // Read the body now: a dropped connection shows here.
        const body = await response.arrayBuffer();
        return new Response(body.byteLength > 0 ? body : null, { status: response.status, headers: response.headers });
      }
    } catch (error) {
      if (!retry || attempt >= 30) throw error;
    }
    await sleep(5 + attempt * 5);
  }
}

// ---------------------------------------------------------------- BambooHR (the HR truth)

export interface Bamboo {
  /** Every employee; `tables: false` skips the two table reads (rows left empty) when only the report's fields matter. */
  read(options?: { tables?: boolean }): Promise<HrEmployee[]>;
  /** Returns the status; 409 (a duplicate email) is the only refusal callers accept. */
  post(path: string, body: Record<string, unknown>): Promise<{ status: number; location: string | null; message: string | null }>;
}

export function bamboo(sandbox: RunningSandbox): Bamboo {
  const base = `${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1`;
  const authorization = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.bamboohr.apiKey}:x`).toString('base64')}`;
  const getJson = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetchRetrying(
      `${base}${path}`,
      { ...init, headers: { authorization, accept: 'application/json', ...Object.fromEntries(new Headers(init.headers)) } },
      true,
    );
    if (response.status !== 200) throw new Error(`BambooHR ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const date = (value: unknown): string | null => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value !== '0000-00-00' ? value : null);
  const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
  const checked = (value: unknown): boolean =>
    value === true || (typeof value === 'string' && ['yes', 'true', '1', 'on', 'checkbox'].includes(value.trim().toLowerCase()));

  return {
    async read({ tables = true } = {}) {
      const fields = ['firstName', 'lastName', 'workEmail', 'hireDate', 'terminationDate', 'status', 'customLitmosAccess'];
      // onlyCurrent defaults to true: values as of today.
      const report = await getJson<{ employees: Record<string, unknown>[] }>('/reports/custom?format=json', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'oracle', fields }),
      });
      const [statusRows, jobRows] = tables
        ? await Promise.all([
            getJson<Record<string, unknown>[]>('/employees/all/tables/employmentStatus'),
            getJson<Record<string, unknown>[]>('/employees/all/tables/jobInfo'),
          ])
        : [[], []];
      return report.employees
        .map((row): HrEmployee => {
          const id = String(row.id);
          return {
            id,
            firstName: asText(row.firstName),
            lastName: asText(row.lastName),
            workEmail: text(row.workEmail),
            hireDate: date(row.hireDate),
            status: text(row.status),
            terminationDate: date(row.terminationDate),
            accessEnabled: checked(row.customLitmosAccess),
            statusRows: statusRows
              .filter((r) => String(r.employeeId) === id)
              .map((r) => ({ rowId: Number(r.id), date: String(r.date), status: asText(r.employmentStatus) })),
            jobRows: jobRows
              .filter((r) => String(r.employeeId) === id)
              .map((r) => ({ rowId: Number(r.id), date: String(r.date), department: text(r.department) })),
          };
        })
        .sort((a, b) => Number(a.id) - Number(b.id));
    },
    async post(path, body) {
      const response = await fetchRetrying(
        `${base}${path}`,
        { method: 'POST', headers: { authorization, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) },
        false,
      );
      const result = { status: response.status, location: response.headers.get('location'), message: response.headers.get('x-bamboohr-error-message') };
      if (response.status >= 300 && response.status !== 409)
        throw new Error(`BambooHR POST ${path} ${JSON.stringify(body)}: ${response.status} ${result.message}`);
      return result;
    },
  };
}

// ---------------------------------------------------------------- Litmos

export function litmosReader(sandbox: RunningSandbox) {
  const get = async <T>(path: string, query: Record<string, string> = {}): Promise<T> => {
    const params = new URLSearchParams({ source: 'property-test', format: 'json', ...query });
    const response = await fetchRetrying(
      `${sandbox.litmos.baseUrl}${path}?${params.toString()}`,
      { headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey } },
      true,
    );
    if (response.status !== 200) throw new Error(`Litmos ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    /** Users, teams with their active members, and full details of `detailIds`. */
    async snapshot(detailIds: Iterable<string>): Promise<LitmosSnapshot> {
      // The oracle judges what the account stores, byte for byte: with `encodedNames` on, Litmos's
      // JSON would show names HTML-encoded, so the switch is off while the test reads (the gateway
      // is idle then; it always reads with every quirk on).
      const encodedNames = sandbox.quirks.litmos.encodedNames;
      sandbox.setQuirks({ litmos: { encodedNames: false } });
      try {
        return await read([...detailIds]);
      } finally {
        sandbox.setQuirks({ litmos: { encodedNames } });
      }
    },
  };

  async function read(detailIds: string[]): Promise<LitmosSnapshot> {
    const users: LitmosUserRow[] = [];
    for (let start = 0; ;) {
      const page = await get<LitmosUserRow[]>('/users', { limit: '1000', start: String(start) });
      if (page.length === 0) break;
      users.push(
        ...page.map((u) => ({ Id: u.Id, UserName: u.UserName, FirstName: u.FirstName, LastName: u.LastName, Active: u.Active, Email: u.Email ?? null })),
      );
      start += page.length;
    }
    const teamList = await get<{ Id: string; Name: string }[]>('/teams', { limit: '1000' });
    const teams: LitmosTeamRow[] = await Promise.all(
      teamList.map(async (team) => {
        const members = await get<{ Id: string }[]>(`/teams/${encodeURIComponent(team.Id)}/users`, { limit: '1000' });
        return { Id: team.Id, Name: team.Name, activeMemberIds: members.map((m) => m.Id) };
      }),
    );
    const present = detailIds.filter((id) => users.some((u) => u.Id === id));
    const details: LitmosSnapshot['details'] = new Map(
      await Promise.all(
        present.map(async (id) => {
          const [profile, userTeams] = await Promise.all([
            get<Record<string, unknown>>(`/users/${encodeURIComponent(id)}`),
            get<{ Id: string }[]>(`/users/${encodeURIComponent(id)}/teams`, { limit: '1000' }),
          ]);
          return [id, { profile, teamIds: userTeams.map((t) => t.Id) }] as const;
        }),
      ),
    );
    return { users, teams, details };
  }
}

// ---------------------------------------------------------------- sandbox, gateway, faults

export interface World {
  sandbox: RunningSandbox;
  gateway: TestGateway;
  today: string;
  close(): Promise<void>;
}

/** A fresh small company (every format quirk on, no faults yet) and a fresh gateway (in-memory store) over it. */
export async function startWorld(seed: number, employees: number): Promise<World> {
  const sandbox = await startSandbox({ employees, seed, rateWindowMs: WINDOW_MS, quirks: ALL_QUIRKS });
  try {
    sandbox.setQuirks({ common: { transientErrorRate: 0, dropRate: 0 } });
    for (const simulator of [sandbox.bamboohr, sandbox.namely, sandbox.litmos]) simulator.setLimits({ limit: LIMIT });
    const gateway = await startTestGateway({
      sandbox,
      rateWindowMs: WINDOW_MS,
      env: {
        ROSTERGATE_BAMBOOHR_RATE_LIMIT: String(LIMIT),
        ROSTERGATE_NAMELY_RATE_LIMIT: String(LIMIT),
        ROSTERGATE_LITMOS_RATE_LIMIT: String(LIMIT),
      },
    });
    return {
      sandbox,
      gateway,
      today: sandbox.companies.bamboohr.today,
      close: async () => {
        await gateway.close();
        await sandbox.close();
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

async function control(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status}`);
  return response.json();
}

export async function armFaults(world: World, plan: FaultPlan): Promise<void> {
  world.sandbox.setQuirks({ common: { transientErrorRate: plan.transientErrorRate, dropRate: plan.dropRate } });
  for (const system of ['bamboohr', 'litmos'] as const) {
    const faults = plan.oneShot.filter((f) => f.system === system).map((f) => f.fault);
    if (faults.length > 0) await control(`${world.sandbox[system].url}/__sandbox/faults`, 'POST', faults);
  }
}

export async function disarmFaults(world: World): Promise<void> {
  world.sandbox.setQuirks({ common: { transientErrorRate: 0, dropRate: 0 } });
  for (const system of ['bamboohr', 'namely', 'litmos'] as const) await control(`${world.sandbox[system].url}/__sandbox/faults`, 'DELETE');
}

export async function litmosStats(world: World): Promise<SimulatorStats> {
  return (await control(`${world.sandbox.litmos.url}/__sandbox/stats`, 'GET')) as SimulatorStats;
}

// ---------------------------------------------------------------- the gateway's API

export interface RunResult {
  runId: string;
  status: string;
  error: string | null;
  counts: Record<string, number>;
  /** Records that failed, for the report. */
  notable: { employeeSourceId: string; outcome: string; reason: string | null; error: string | null }[];
  /** Skipped employees as `id:REASON`, for the report. */
  skipped: string[];
}

const RUN = `runId status error counts { created linked updated deactivated reactivated unchanged skipped failed }
  records(first: 1000) { nodes { employeeSourceId outcome reason error } }`;

export async function setPolicy(world: World, blocklist: readonly string[]): Promise<void> {
  // The safeguard stops mass deactivations for approval; the property is about what runs do, so let them through.
  await world.gateway.data(
    `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`,
  );
  await setBlocklist(world, blocklist);
}

export async function setBlocklist(world: World, blocklist: readonly string[]): Promise<void> {
  await world.gateway.data(`mutation($s: [String!]!) { setBlocklist(input: { source: BAMBOOHR, statuses: $s }) { blocklist } }`, { s: [...blocklist] });
}

/** `startSync` over GraphQL; waits for the engine to settle and reads the run back over GraphQL. */
export async function runSync(world: World): Promise<RunResult> {
  const { startSync } = await world.gateway.data<{ startSync: { runId: string } }>(`mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
  await world.gateway.gateway.tenant.engine.idle();
  let run = await readRun(world, startSync.runId);
  if (run.status === 'AWAITING_APPROVAL') {
    await world.gateway.data(`mutation($id: ID!) { approveSyncRun(id: $id) { status } }`, { id: run.runId });
    await world.gateway.gateway.tenant.engine.idle();
    run = await readRun(world, run.runId);
  }
  return run;
}

async function readRun(world: World, runId: string): Promise<RunResult> {
  type Raw = Omit<RunResult, 'notable'> & { records: { nodes: RunResult['notable'] } };
  const { syncRun } = await world.gateway.data<{ syncRun: Raw }>(`query($id: ID!) { syncRun(id: $id) { ${RUN} } }`, { id: runId });
  const { records, ...rest } = syncRun;
  return {
    ...rest,
    notable: records.nodes.filter((r) => r.outcome === 'FAILED'),
    skipped: records.nodes.filter((r) => r.outcome === 'SKIPPED').map((r) => `${r.employeeSourceId}:${r.reason}`),
  };
}

// ---------------------------------------------------------------- HR edits

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export interface EditContext {
  world: World;
  hr: Bamboo;
  /** Every work email seen in HR during the case (for `former`). */
  everSeenEmails: Set<string>;
  /** Usernames of Litmos users no HR system knew at the start (account owner excepted), for `outsider`. */
  outsiderUserNames: string[];
  /** Departments of the seeded company. */
  departments: string[];
  log: string[];
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function resolveEmail(choice: EmailChoice, self: HrEmployee | undefined, roster: readonly HrEmployee[], ctx: EditContext): string {
  const domain = ctx.world.sandbox.companies.bamboohr.emailDomain;
  switch (choice.kind) {
    case 'fresh': {
      const email = `${choice.local}@${domain}`;
      return choice.upper ? email.replace(/(^|[.@])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase()) : email;
    }
    case 'taken': {
      const others = roster.filter((e) => e !== self && e.workEmail);
      return pick(others, choice.who)?.workEmail ?? `taken@${domain}`;
    }
    case 'former': {
      const current = new Set(roster.map((e) => key(e.workEmail)));
      const former = [...ctx.everSeenEmails].filter((email) => !current.has(email)).sort();
      return pick(former, choice.which) ?? `former@${domain}`;
    }
    case 'outsider':
      return pick(ctx.outsiderUserNames, choice.which) ?? `outsider@${domain}`;
    case 'recase': {
      const email = self?.workEmail ?? `recase@${domain}`;
      return email === email.toUpperCase() ? email.toLowerCase() : email.toUpperCase();
    }
    case 'none':
      return '';
  }
}

function resolveDepartment(choice: DepartmentChoice, ctx: EditContext): string {
  if (choice.kind === 'new') return choice.name;
  const name = pick(ctx.departments, choice.which) ?? 'Sales';
  return choice.recase ? (name === name.toUpperCase() ? name.toLowerCase() : name.toUpperCase()) : name;
}

/** Applies one generated edit through BambooHR's write API; returns what was done, for the log. */
export async function applyOp(op: HrOp, roster: readonly HrEmployee[], ctx: EditContext): Promise<string> {
  const { hr, world } = ctx;
  const today = world.today;
  const target = (who: number) => roster[who % roster.length];
  const describe = (result: { status: number; message: string | null }) => (result.status === 409 ? ` → refused 409 (${result.message})` : '');
  const update = async (employee: HrEmployee, fields: Record<string, unknown>) =>
    `update ${employee.id} ${JSON.stringify(fields)}${describe(await hr.post(`/employees/${employee.id}`, fields))}`;
  const row = async (employee: HrEmployee, table: 'jobInfo' | 'employmentStatus', fields: Record<string, unknown>) =>
    `row ${employee.id} ${table} ${JSON.stringify(fields)}${describe(await hr.post(`/employees/${employee.id}/tables/${table}`, fields))}`;

  switch (op.kind) {
    case 'hire': {
      const fields = {
        firstName: op.firstName,
        lastName: op.lastName,
        workEmail: resolveEmail(op.email, undefined, roster, ctx),
        hireDate: addDays(today, op.hireOffset),
        department: resolveDepartment(op.department, ctx),
        jobTitle: 'Analyst',
        customLitmosAccess: op.access ? 'yes' : 'no',
        ...(op.status !== null && { employmentHistoryStatus: op.status }),
      };
      const result = await hr.post('/employees', fields);
      return `hire ${result.location?.split('/').pop() ?? '-'} ${JSON.stringify(fields)}${describe(result)}`;
    }
    case 'terminate': {
      const employee = target(op.who);
      return employee
        ? row(employee, 'employmentStatus', {
            date: addDays(today, op.offset),
            employmentStatus: 'Terminated',
            terminationTypeId: '1',
            terminationReasonId: '1',
            terminationRehireId: '1',
          })
        : 'noop';
    }
    case 'rehire':
    case 'statusRow': {
      const employee = target(op.who);
      return employee ? `${op.kind}: ${await row(employee, 'employmentStatus', { date: addDays(today, op.offset), employmentStatus: op.status })}` : 'noop';
    }
    case 'rename': {
      const employee = target(op.who);
      if (!employee || (op.firstName === null && op.lastName === null)) return 'noop';
      return update(employee, { ...(op.firstName !== null && { firstName: op.firstName }), ...(op.lastName !== null && { lastName: op.lastName }) });
    }
    case 'email': {
      const employee = target(op.who);
      return employee ? update(employee, { workEmail: resolveEmail(op.email, employee, roster, ctx) }) : 'noop';
    }
    case 'swapEmails': {
      const a = target(op.a);
      const b = target(op.b);
      if (!a || !b || a === b || !a.workEmail || !b.workEmail) return 'noop';
      const parking = `swap.${a.id}.${b.id}@${world.sandbox.companies.bamboohr.emailDomain}`;
      return [await update(a, { workEmail: parking }), await update(b, { workEmail: a.workEmail }), await update(a, { workEmail: b.workEmail })].join('; ');
    }
    case 'move': {
      const employee = target(op.who);
      if (!employee) return 'noop';
      const department = resolveDepartment(op.department, ctx);
      return op.offset === null ? update(employee, { department }) : row(employee, 'jobInfo', { date: addDays(today, op.offset), department });
    }
    case 'access': {
      const employee = target(op.who);
      return employee ? update(employee, { customLitmosAccess: op.on ? 'yes' : 'no' }) : 'noop';
    }
    case 'statusField': {
      const employee = target(op.who);
      return employee ? update(employee, { status: op.value }) : 'noop';
    }
    case 'hireDate': {
      const employee = target(op.who);
      return employee ? update(employee, { hireDate: addDays(today, op.offset) }) : 'noop';
    }
    case 'rehireAsNew': {
      const old = target(op.who);
      if (!old?.workEmail) return 'noop';
      const steps = [
        await update(old, { workEmail: '' }),
        await row(old, 'employmentStatus', {
          date: today,
          employmentStatus: 'Terminated',
          terminationTypeId: '1',
          terminationReasonId: '1',
          terminationRehireId: '1',
        }),
      ];
      const fields = {
        firstName: old.firstName,
        lastName: old.lastName,
        workEmail: old.workEmail,
        hireDate: today,
        department: currentDepartment(old, today) ?? 'Sales',
        jobTitle: 'Analyst',
        customLitmosAccess: 'yes',
        employmentHistoryStatus: 'Full-Time',
      };
      const result = await hr.post('/employees', fields);
      steps.push(`hire ${result.location?.split('/').pop() ?? '-'} ${JSON.stringify(fields)}${describe(result)}`);
      return `rehireAsNew: ${steps.join('; ')}`;
    }
  }
}
