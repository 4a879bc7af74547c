/**
 * bench:scale — distributed mode (issue 11): a gateway that only answers, `rostergate worker`
 * processes that execute runs, one PostgreSQL store and one Redis, over sandboxes in child processes,
 * with Litmos's limit of 100 requests per rolling window and the window shortened to 1 s (as in
 * bench:sync) so a run takes minutes. Two comparisons, each against a reference measured in the same
 * run, every measurement on a cluster of its own (fresh sandboxes, store schema and Redis prefix):
 *
 *   1. one Litmos account, 1 vs 3 workers: N employees in three BambooHR companies (three tenants, N/3
 *      each) all provisioned into one Litmos account, by one worker (the runs one after another) and
 *      by three (at once). The account's budget is shared by the workers in Redis, so three workers
 *      should take as long as one: time(3) ÷ time(1) ≈ 1.
 *   2. accounts: one account alone (N employees, one tenant) against two accounts in parallel (two
 *      tenants of N employees, each into a Litmos of its own), two workers each time. Different
 *      accounts have budgets of their own, so two take as long as one: time(two) ÷ time(one) ≈ 1.
 *
 * Timings are reported, not asserted; the script exits non-zero only when a run does not SUCCEED, a
 * worker dies, or something else breaks. Prints the tables and rewrites its section of
 * bench/RESULTS.md. Needs PostgreSQL at 127.0.0.1:5432 (database test, user postgres) and Redis at
 * 127.0.0.1:6379.
 *
 *   npm run bench:scale                       # N = 10,000
 *   npm run bench:scale -- --employees 3000
 *   BENCH_QUICK=1 npm run bench:scale          # N = 1,000
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { FINAL_STATUSES, type SyncRunStatus } from '../src/core/run.js';
import { defaultMarginMs } from '../src/datasources/budget.js';
import { checkServices, graphqlAs, openCluster, type ClusterTenant, type ExtraTenant } from './support/cluster.js';
import { consoleTable, fixed, markdownTable, provenance, seconds, writeSection, type Table } from './support/report.js';
import { spawnSandbox, type SandboxProcess } from './support/sandbox-process.js';
import { statsDelta, type StatsDelta } from './support/stats.js';

const RATE_WINDOW_MS = 1000;
/** Litmos's limit per window, the product's default. */
const LITMOS_LIMIT = 100;
const MARGIN_MS = defaultMarginMs(RATE_WINDOW_MS);
/** The most of the budget the gateway lets itself spend: it counts each request for window + margin. */
const CEILING = RATE_WINDOW_MS / (RATE_WINDOW_MS + MARGIN_MS);
const RELAXED = '{ maxDeactivationPercent: 100, maxDeactivations: 1000000000 }';
/** Departments of the same name in different companies are not one team: only the account's own tenant makes teams. */
const NO_TEAMS = 'teams: { fromDepartment: false, divisionAsParent: false, managerAsLeader: false }';
/** The extra BambooHR companies' names, so their email domains differ from the first's. */
const COMPANY_NAMES = ['Orbit Foods', 'Quill Works', 'Borealis Freight'];

function employeesFromArgs(): number {
  const { values } = parseArgs({ options: { employees: { type: 'string' } } });
  if (values.employees !== undefined) {
    const employees = Number(values.employees);
    if (!Number.isInteger(employees) || employees < 30 || employees > 100_000) {
      throw new Error(`--employees takes a whole number from 30 to 100000; received "${values.employees}"`);
    }
    return employees;
  }
  return process.env.BENCH_QUICK === '1' ? 1000 : 10_000;
}

interface SandboxSpec {
  employees: number;
  seed: number;
  /** The BambooHR company's name. @default the sandbox's ("Acme Rockets") */
  company?: string;
}

interface TenantSpec {
  /** Index into the measurement's sandboxes of its BambooHR company. */
  hr: number;
  /** Index of the sandbox whose Litmos it provisions into. */
  litmos: number;
  /** Team policy on (the first tenant of an account) or off (a further tenant of a shared account). */
  teams: boolean;
}

interface MeasurementSpec {
  label: string;
  sandboxes: SandboxSpec[];
  /** The first is the default tenant, on sandbox 0's BambooHR and Litmos. */
  tenants: TenantSpec[];
  workers: number;
  concurrency: number;
}

interface RunResult {
  tenant: string;
  runId: string;
  status: SyncRunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  counts: { created: number; updated: number; deactivated: number; failed: number };
  error: string | null;
}

interface Measurement {
  spec: MeasurementSpec;
  wallMs: number;
  runs: RunResult[];
  /** Per Litmos account used (sandbox index → its requests during the measurement). */
  litmos: { sandbox: number; delta: StatsDelta }[];
  /** The most runs that were applying or reading at the same moment, from their start and finish times. */
  overlap: number;
  workerLog: string[];
  problems: string[];
  /** The machine's 1-minute load average when the runs ended: other work on the machine shows here. */
  load: number;
}

const SYNC_RUN = `query($id: ID!) { syncRun(id: $id) { runId status createdAt startedAt finishedAt error counts { created updated deactivated failed } } }`;

interface SyncRunView {
  runId: string;
  status: SyncRunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  counts: RunResult['counts'];
}

/** Runs not moving on by themselves: final, or stopped for an approval nobody will give. */
const settled = (status: SyncRunStatus) => FINAL_STATUSES.includes(status) || status === 'AWAITING_APPROVAL';

function maxOverlap(runs: RunResult[]): number {
  const edges = runs.flatMap((run) =>
    run.startedAt === null
      ? []
      : [
          { at: run.startedAt, step: 1 },
          { at: run.finishedAt ?? Infinity, step: -1 },
        ],
  );
  // An end before a start at the same instant: one run handed over to the next does not overlap it.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}

async function measure(spec: MeasurementSpec): Promise<Measurement> {
  const total = spec.sandboxes.reduce((sum, sandbox) => sum + sandbox.employees, 0);
  console.log(`bench:scale — ${spec.label}: ${total} employees, ${spec.tenants.length} tenant(s), ${spec.workers} worker(s) × concurrency ${spec.concurrency}`);
  const sandboxes: SandboxProcess[] = [];
  try {
    for (const sandbox of spec.sandboxes) {
      sandboxes.push(
        await spawnSandbox({
          employees: sandbox.employees,
          seed: sandbox.seed,
          rateWindowMs: RATE_WINDOW_MS,
          ...(sandbox.company && { companies: { bamboohr: sandbox.company, namely: `${sandbox.company} Two` } }),
        }),
      );
    }
    const extraTenants: ExtraTenant[] = spec.tenants.slice(1).map((tenant, i) => ({
      id: `tenant-${i + 2}`,
      hr: sandboxes[tenant.hr]!,
      litmos: sandboxes[tenant.litmos]!,
    }));
    const cluster = await openCluster({ sandbox: sandboxes[0]!, rateWindowMs: RATE_WINDOW_MS, extraTenants });
    try {
      const { url } = cluster.gateway;
      for (const [i, tenant] of cluster.tenants.entries()) {
        const teams = spec.tenants[i]!.teams ? '' : `, ${NO_TEAMS}`;
        await graphqlAs(tenant.token)(url, `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: ${RELAXED}${teams} }) { source } }`);
      }
      await cluster.startWorkers(spec.workers, spec.concurrency);
      const accounts = [...new Set(spec.tenants.map((tenant) => tenant.litmos))];
      const before = await Promise.all(accounts.map((index) => sandboxes[index]!.stats('litmos')));

      const started = Date.now();
      const runIds = await Promise.all(
        cluster.tenants.map(
          async (tenant) =>
            (await graphqlAs(tenant.token)<{ startSync: { runId: string } }>(url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`)).startSync
              .runId,
        ),
      );
      const view = (tenant: ClusterTenant, id: string) => graphqlAs(tenant.token)<{ syncRun: SyncRunView }>(url, SYNC_RUN, { id });
      const statuses = () => Promise.all(cluster.tenants.map(async (tenant, i) => (await view(tenant, runIds[i]!)).syncRun.status));
      // Generous: the budget allows N Litmos writes in about N ÷ 95 s; a run that hangs fails here rather than forever.
      const deadline = started + 120_000 + total * 50;
      const problems: string[] = [];
      let wallMs = 0;
      for (;;) {
        const crashed = cluster.workers.filter((worker) => worker.crashed());
        if (crashed.length > 0) {
          problems.push(`${crashed.map((worker) => worker.name).join(', ')} exited during the measurement`);
          break;
        }
        const now = await statuses();
        if (now.every(settled)) {
          wallMs = Date.now() - started;
          break;
        }
        if (Date.now() > deadline) {
          problems.push(`runs not finished after ${seconds(Date.now() - started)}: ${now.join(', ')}`);
          break;
        }
        await sleep(50);
      }
      const after = await Promise.all(accounts.map((index) => sandboxes[index]!.stats('litmos')));
      const runs = await Promise.all(
        cluster.tenants.map(async (tenant, i): Promise<RunResult> => {
          const { syncRun } = await view(tenant, runIds[i]!);
          const time = (iso: string | null) => (iso === null ? null : Date.parse(iso));
          return {
            tenant: tenant.id,
            runId: syncRun.runId,
            status: syncRun.status,
            createdAt: Date.parse(syncRun.createdAt),
            startedAt: time(syncRun.startedAt),
            finishedAt: time(syncRun.finishedAt),
            counts: syncRun.counts,
            error: syncRun.error,
          };
        }),
      );
      for (const run of runs) {
        if (run.status !== 'SUCCEEDED') problems.push(`${run.tenant} run ${run.runId} ended ${run.status}${run.error ? `: ${run.error}` : ''}`);
        if (run.counts.failed > 0) problems.push(`${run.tenant} run ${run.runId}: ${run.counts.failed} failed actions`);
      }
      const workerLog = cluster.workers.flatMap((worker) => worker.logLines().map((line) => `${worker.name}: ${line}`));
      const litmos = accounts.map((sandbox, i) => ({ sandbox, delta: statsDelta(before[i]!, after[i]!) }));
      const measurement: Measurement = { spec, wallMs, runs, litmos, overlap: maxOverlap(runs), workerLog, problems, load: loadavg()[0] ?? 0 };
      const requests = litmos.reduce((sum, account) => sum + account.delta.total, 0);
      console.log(
        `  ${seconds(wallMs)}, Litmos ${requests} requests (${litmos.map((account) => account.delta.throttled).join('/')} throttled), runs ${runs.map((run) => run.status).join('/')}, at most ${measurement.overlap} at once`,
      );
      for (const line of workerLog.slice(0, 10)) console.log(`  ${line}`);
      if (workerLog.length > 10) console.log(`  … and ${workerLog.length - 10} more worker log lines`);
      for (const problem of problems) console.log(`  PROBLEM: ${problem}`);
      return measurement;
    } finally {
      await cluster.close();
    }
  } finally {
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  }
}

const requestsOf = (measurement: Measurement) => measurement.litmos.reduce((sum, account) => sum + account.delta.total, 0);
const throttledOf = (measurement: Measurement) => measurement.litmos.reduce((sum, account) => sum + account.delta.throttled, 0);
/** Litmos requests per second of wall time against one account's budget per second. */
const rateShare = (requests: number, wallMs: number) => requests / ((wallMs / 1000) * ((LITMOS_LIMIT * 1000) / RATE_WINDOW_MS));
const createdOf = (measurement: Measurement) => measurement.runs.reduce((sum, run) => sum + run.counts.created, 0);
const statusesOf = (measurement: Measurement) => measurement.runs.map((run) => run.status).join(', ');
/** Each run from its creation (startSync) to its end, s. */
const runTimes = (measurement: Measurement) =>
  measurement.runs.map((run) => (run.finishedAt === null ? 'n/a' : ((run.finishedAt - run.createdAt) / 1000).toFixed(1))).join(' / ');

function workersTable(one: Measurement, three: Measurement): Table {
  return {
    columns: [
      'workers',
      'runs',
      'employees',
      'wall',
      'each run (s)',
      'most runs at once',
      'Litmos requests',
      'throttled',
      'Litmos req/s',
      'rate ÷ budget',
      'learners created',
      'status',
      'load (1 min)',
    ],
    rows: [one, three].map((measurement) => {
      const requests = requestsOf(measurement);
      return [
        `${measurement.spec.workers} × concurrency ${measurement.spec.concurrency}`,
        String(measurement.runs.length),
        String(measurement.spec.sandboxes.reduce((sum, sandbox) => sum + sandbox.employees, 0)),
        seconds(measurement.wallMs),
        runTimes(measurement),
        String(measurement.overlap),
        String(requests),
        String(throttledOf(measurement)),
        fixed(requests / (measurement.wallMs / 1000), 1),
        fixed(rateShare(requests, measurement.wallMs)),
        String(createdOf(measurement)),
        statusesOf(measurement),
        fixed(measurement.load),
      ];
    }),
  };
}

function accountsTable(alone: Measurement, two: Measurement): Table {
  return {
    columns: [
      'setup',
      'workers',
      'wall',
      'each run (s)',
      'Litmos requests per account',
      'throttled',
      'rate ÷ budget per account',
      'learners created',
      'status',
      'load (1 min)',
    ],
    rows: [
      ['one account alone', alone],
      ['two accounts in parallel', two],
    ].map(([label, measurement]) => {
      const m = measurement as Measurement;
      return [
        label as string,
        `${m.spec.workers} × concurrency ${m.spec.concurrency}`,
        seconds(m.wallMs),
        runTimes(m),
        m.litmos.map((account) => String(account.delta.total)).join(' / '),
        m.litmos.map((account) => String(account.delta.throttled)).join(' / '),
        m.litmos.map((account) => fixed(rateShare(account.delta.total, m.wallMs))).join(' / '),
        String(createdOf(m)),
        statusesOf(m),
        fixed(m.load),
      ];
    }),
  };
}

const employees = employeesFromArgs();
// Read before the run: the code measured is what was there when it started, whatever is committed meanwhile.
const provenanceAtStart = provenance();
const startedAt = Date.now();
await checkServices();

const third = Math.floor(employees / 3);
const shared: SandboxSpec[] = [
  { employees: employees - 2 * third, seed: 1 },
  { employees: third, seed: 2, company: COMPANY_NAMES[0]! },
  { employees: third, seed: 3, company: COMPANY_NAMES[1]! },
];
const sharedTenants: TenantSpec[] = [
  { hr: 0, litmos: 0, teams: true },
  { hr: 1, litmos: 0, teams: false },
  { hr: 2, litmos: 0, teams: false },
];
const oneWorker = await measure({ label: 'one Litmos account, 1 worker', sandboxes: shared, tenants: sharedTenants, workers: 1, concurrency: 1 });
const threeWorkers = await measure({ label: 'one Litmos account, 3 workers', sandboxes: shared, tenants: sharedTenants, workers: 3, concurrency: 1 });
const alone = await measure({
  label: 'one account alone',
  sandboxes: [{ employees, seed: 1 }],
  tenants: [{ hr: 0, litmos: 0, teams: true }],
  workers: 2,
  concurrency: 1,
});
const twoAccounts = await measure({
  label: 'two accounts in parallel',
  sandboxes: [
    { employees, seed: 1 },
    { employees, seed: 1, company: COMPANY_NAMES[2]! },
  ],
  tenants: [
    { hr: 0, litmos: 0, teams: true },
    { hr: 1, litmos: 1, teams: true },
  ],
  workers: 2,
  concurrency: 1,
});
const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);

const measurements = [oneWorker, threeWorkers, alone, twoAccounts];
const workersRatio = threeWorkers.wallMs / oneWorker.wallMs;
const accountsRatio = twoAccounts.wallMs / alone.wallMs;
const tables = { workers: workersTable(oneWorker, threeWorkers), accounts: accountsTable(alone, twoAccounts) };
const ratios: Table = {
  columns: ['comparison', 'measured', 'reference', 'ratio', 'expected'],
  rows: [
    [
      'one Litmos account: 3 workers ÷ 1 worker',
      seconds(threeWorkers.wallMs),
      seconds(oneWorker.wallMs),
      fixed(workersRatio),
      '≈ 1.0 (the budget is the limit)',
    ],
    [
      'two accounts in parallel ÷ one alone',
      seconds(twoAccounts.wallMs),
      seconds(alone.wallMs),
      fixed(accountsRatio),
      '≈ 1.0 (accounts do not wait for each other)',
    ],
  ],
};
console.log(`\n${consoleTable(tables.workers)}\n\n${consoleTable(tables.accounts)}\n\n${consoleTable(ratios)}`);
const problems = measurements.flatMap((measurement) => measurement.problems.map((problem) => `- ${measurement.spec.label}: ${problem}`));
const logged = measurements.flatMap((measurement) => measurement.workerLog.map((line) => `${measurement.spec.label} / ${line}`));
console.log(`\nproblems: ${problems.length === 0 ? 'none, every run SUCCEEDED' : `\n${problems.join('\n')}`}`);
console.log(`total ${minutes} min`);

// The reading, from the numbers measured: what the ratios say and what would make them drift.
const throttledTotal = measurements.reduce((sum, measurement) => sum + throttledOf(measurement), 0);
const near = (ratio: number) => Math.abs(ratio - 1) <= 0.1;
const oneShare = rateShare(requestsOf(oneWorker), oneWorker.wallMs);
const threeShare = rateShare(requestsOf(threeWorkers), threeWorkers.wallMs);
const percent = (ratio: number) => Math.max(1, Math.round(Math.abs(ratio - 1) * 100));
const aloneShare = rateShare(requestsOf(alone), alone.wallMs);
const twoShares = twoAccounts.litmos.map((account) => rateShare(account.delta.total, twoAccounts.wallMs));
/** A slower side that stayed under its budget's ceiling and was not throttled was not held back by the budget. */
const notTheBudget = (shares: number[], measurements: Measurement[]) =>
  shares.every((share) => share < CEILING - 0.03) && measurements.every((measurement) => throttledOf(measurement) === 0);
const reading = [
  `**3 workers ÷ 1 worker = ${fixed(workersRatio)}.** The three runs made ${requestsOf(oneWorker)} and ${requestsOf(threeWorkers)} Litmos requests` +
    ` into the one account; one worker ran them one after another (at most ${oneWorker.overlap} at once) in ${seconds(oneWorker.wallMs)},` +
    ` three workers ran them at once (at most ${threeWorkers.overlap} at once) in ${seconds(threeWorkers.wallMs)}, spending` +
    ` ${fixed(oneShare)} and ${fixed(threeShare)} of the account's budget over the wall time (the gateway's ceiling is ${fixed(CEILING, 3)}).` +
    (near(workersRatio)
      ? ` The same time within ${percent(workersRatio)}%: the account's budget, shared by the workers in Redis, is the limit,` +
        ` so adding workers that write into one Litmos account does not make a sync faster` +
        (throttledOf(threeWorkers) === 0 ? ' — and does not overrun the account either.' : ', but here they overran it (see "throttled").')
      : workersRatio < 1
        ? ` Three workers were faster by more than 10%: either the single worker left the budget idle between its runs (reading and planning the next` +
          ` run while nothing is written), or the three workers together went over the budget (see "throttled").`
        : ` Three workers were slower by more than 10%: the workers waited on each other for more than the budget requires, which needs a look.`),
  `**two accounts ÷ one = ${fixed(accountsRatio)}.** One account alone took ${seconds(alone.wallMs)} at ${fixed(aloneShare)} of its budget; two accounts` +
    ` in parallel, each with its own ${employees} employees and its own Litmos, took ${seconds(twoAccounts.wallMs)}, each account at` +
    ` ${twoShares.map((share) => fixed(share)).join(' and ')} of its budget.` +
    (near(accountsRatio)
      ? ` The same time within ${percent(accountsRatio)}%: each (Litmos base URL, API key) has a budget of its own,` +
        ` so different accounts do not wait for each other; the work doubled and the time did not.` +
        (accountsRatio > 1.02 && notTheBudget(twoShares, [twoAccounts])
          ? ` The ${percent(accountsRatio)}% that remains is not the budget (each account stayed below its ceiling, nothing throttled): it comes from what the` +
            ` processes share on this machine (${cpus().length} cores, one gateway, one PostgreSQL, one Redis), not from anything the two Litmos accounts have in common.`
          : '')
      : accountsRatio > 1
        ? ` Two accounts took more than 10% longer than one: something other than the per-account budget (CPU of this machine, the store, Redis) held them back.`
        : ` Two accounts were faster than one by more than 10%, which the per-account budget does not explain and needs a look.`),
  throttledTotal === 0
    ? `Litmos throttled nothing in any measurement: the workers together stayed under each account's limit.`
    : `Litmos throttled ${throttledTotal} requests in all: the workers together went over an account's limit somewhere, which they should not.`,
];

await writeSection(
  'bench:scale',
  `## bench:scale

${provenanceAtStart}
- N = ${employees} employees; total ${minutes} min
- distributed mode: one gateway (\`--no-worker\`, in the benchmark's process), \`rostergate worker\` processes, PostgreSQL store
  and Redis on this machine; every measurement on a cluster of its own (fresh sandboxes, store schema, Redis prefix)
- rate limits: Litmos ${LITMOS_LIMIT} requests per rolling window of ${RATE_WINDOW_MS} ms (the real window is 60 s: multiply times by 60);
  the gateway adds a margin of ${MARGIN_MS} ms, so its ceiling is ${(CEILING * 100).toFixed(1)}% of the budget; sandboxes in child processes,
  no added latency, no injected faults
- wall = from the \`startSync\` mutations to every run SUCCEEDED (status asked every 50 ms); "each run" = from its creation to
  its end; "rate ÷ budget" = Litmos requests ÷ (wall seconds × ${(LITMOS_LIMIT * 1000) / RATE_WINDOW_MS} per second) (a rolling window lets the
  first ${LITMOS_LIMIT} requests go at once, so a run of a few seconds can show more than the ceiling); "load" = the machine's
  1-minute load average as the runs ended, against its ${cpus().length} cores: well above what this benchmark makes by itself
  means something else shared the machine, and the times with it

### One Litmos account: 1 worker against 3

${employees} employees in three BambooHR companies (${shared.map((sandbox) => sandbox.employees).join(' + ')}), three tenants, all
provisioned into the first company's Litmos account (the other tenants without teams: departments of the same name in
three companies are not one team). One worker of concurrency 1 runs the three runs one after another; three take them at once.

${markdownTable(tables.workers)}

### Accounts: one alone against two in parallel

One tenant of ${employees} employees into its Litmos, against two tenants of ${employees} employees each, each into a Litmos of
its own (the second saved with \`saveConnections\`); two workers of concurrency 1 both times. Per-account columns are in
tenant order.

${markdownTable(tables.accounts)}

### Ratios

${markdownTable(ratios)}

### Reading bench:scale

${reading.join('\n\n')}

### Problems

${problems.length === 0 ? '- none: every run SUCCEEDED, no worker died' : problems.join('\n')}
${logged.length === 0 ? '- the workers logged no warning or error' : `- the workers logged ${logged.length} warning or error lines (first: \`${logged[0]!.slice(0, 200)}\`)`}
`,
);
console.log('bench/RESULTS.md updated (section bench:scale)');
if (problems.length > 0) process.exitCode = 1;
