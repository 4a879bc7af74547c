/**
 * bench:sync — the reconciliation engine at 1,000, 10,000 and 50,000 employees against the sandbox,
 * with Litmos's limit of 100 requests per rolling window and the window shortened to 1 s so a run
 * takes minutes: an initial sync, a no-change re-sync, a sync after 1% of employees changed in
 * BambooHR, an INCREMENTAL sync after another 1% changed (the change feeds, no full read), and the
 * same 1% arriving as BambooHR webhooks. Prints the tables and rewrites its section of bench/RESULTS.md.
 *
 *   npm run bench:sync                       # 1000, 10000, 50000
 *   npm run bench:sync -- --sizes 1000,10000
 *   BENCH_QUICK=1 npm run bench:sync          # 1000 only
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { defaultMarginMs } from '../src/datasources/budget.js';
import { INCREMENTAL_HR_CALLS } from './support/plan-cost.js';
import { bambooHrAdmin } from './support/bamboohr-admin.js';
import { startBenchGateway } from './support/gateway.js';
import { mib, sampleRss } from './support/memory.js';
import { consoleTable, markdownTable, provenance, writeSection } from './support/report.js';
import { spawnSandbox } from './support/sandbox-process.js';
import {
  cpuTable,
  MEMORY_GOAL_MB,
  memoryTable,
  NO_CHANGE_GOAL_MS,
  planTable,
  requestsTable,
  routeNotes,
  timeTable,
  type Budget,
  type SizedResult,
} from './support/sync-report.js';
import {
  checkPlans,
  chooseChanges,
  editHr,
  fullSync,
  incrementalSync,
  measure,
  registerWebhook,
  webhookSync,
  type ChangeSet,
  type ScenarioContext,
} from './support/sync-scenarios.js';

const RATE_WINDOW_MS = 1000;
/** The vendors' limits per window, as in the product's defaults. */
const LIMITS = { bamboohr: 100, litmos: 100 };
const SEED = 1;

function sizesFromArgs(): number[] {
  const { values } = parseArgs({ options: { sizes: { type: 'string' } } });
  if (values.sizes) {
    const sizes = values.sizes.split(',').map((size) => Number(size.trim()));
    const bad = sizes.find((size) => !Number.isInteger(size) || size < 10 || size > 100_000);
    if (bad !== undefined) throw new Error(`--sizes takes whole numbers from 10 to 100000 separated by commas; received "${values.sizes}"`);
    return sizes;
  }
  return process.env.BENCH_QUICK === '1' ? [1000] : [1000, 10_000, 50_000];
}

/** Differences between what the benchmark changed in HR and what the gateway planned for it. */
const checks: string[] = [];

async function benchSize(size: number, rss: ReturnType<typeof sampleRss>): Promise<{ results: SizedResult[]; sandboxRss: number | null }> {
  const sandbox = await spawnSandbox({ employees: size, seed: SEED, rateWindowMs: RATE_WINDOW_MS });
  // The default store, a SQLite file, fresh for each size: what an operator runs, and what keeps stored runs out of RSS.
  const storeDir = await mkdtemp(join(tmpdir(), 'rostergate-bench-sync-'));
  const gateway = await startBenchGateway(sandbox, { rateWindowMs: RATE_WINDOW_MS, limits: LIMITS, storeUrl: `sqlite:${join(storeDir, 'rostergate.db')}` });
  const ctx: ScenarioContext = { gateway, sandbox, admin: bambooHrAdmin(sandbox), rss, limits: LIMITS };
  const results: SizedResult[] = [];
  try {
    const { engine } = gateway.tenant;
    // The seeded Litmos holds leavers the first run deactivates; the safeguard would stop it for approval.
    await engine.setPolicy('BAMBOOHR', { ...(await engine.policy('BAMBOOHR')), safeguard: { maxDeactivationPercent: 100, maxDeactivations: 1e9 } });
    let litmosUsers = (await gateway.tenant.readModel.learners()).length;
    /** Measures a scenario and keeps its result; the plans are the caller's to use at once and let go. */
    const record = async (scenario: string, work: () => Promise<void>, firstRead: boolean, targeted?: SizedResult['targeted']) => {
      // A fresh rate window for each scenario, so none starts with the previous one's requests counted.
      await sleep(RATE_WINDOW_MS);
      const { plans, ...measured } = await measure(ctx, scenario, work);
      const result: SizedResult = { ...measured, size, litmosUsers, firstRead, ...(targeted && { targeted }) };
      litmosUsers += result.runs.reduce((sum, r) => sum + r.counts.created, 0);
      results.push(result);
      console.log(
        `  ${size} ${result.scenario}: ${(result.wallMs / 1000).toFixed(1)} s, Litmos ${result.litmos.total} requests, ${result.runs.map((r) => r.status).join('/')}, peak RSS ${mib(result.peakRss)}`,
      );
      return { result, plans };
    };

    const changed = Math.ceil(size / 100);
    // Three disjoint change sets, chosen from the initial plan, which is not kept past this line.
    const [viaSync, viaWebhook, viaIncremental] = await record('initial sync', () => fullSync(gateway), true).then(({ plans: [initialPlan] }) => {
      if (!initialPlan) throw new Error('the initial sync made no plan');
      return [0, 1, 2].map((offset) => chooseChanges(initialPlan, changed, offset));
    });
    if (!viaSync || !viaWebhook || !viaIncremental) throw new Error('three change sets were expected');
    await record('no-change re-sync', () => fullSync(gateway), false);

    const check = (scenario: string, changes: ChangeSet, result: SizedResult) => {
      for (const difference of checkPlans(changes, result.planned)) checks.push(`${size} / ${scenario}: ${difference}`);
    };
    await editHr(ctx, viaSync, sandbox.departments);
    check('1% changed, sync', viaSync, (await record('1% changed, sync', () => fullSync(gateway), false)).result);

    // A full run's checkpoint is set back by the skew allowance (5 min), so the first incremental run
    // after it reads the full run's own changes again; one unmeasured incremental run moves the
    // checkpoint onto BambooHR's `latest`, as it would be in steady state, before the measured 1%.
    await incrementalSync(gateway);
    await sleep(1100);
    await editHr(ctx, viaIncremental, sandbox.departments);
    const { result: incremental } = await record('1% changed, incremental', () => incrementalSync(gateway), false, 'incremental');
    check('1% changed, incremental', viaIncremental, incremental);
    for (const run of incremental.runs)
      if (run.mode !== 'INCREMENTAL') checks.push(`${size} / incremental: the run read ${run.mode ?? 'scoped'} (${run.modeReason ?? ''})`);

    await registerWebhook(ctx);
    const { result: webhooks } = await record(
      '1% changed, webhooks',
      async () => {
        const { delivered } = await webhookSync(ctx, viaWebhook, sandbox.departments);
        const expected = viaWebhook.titles.length + viaWebhook.moves.length + viaWebhook.flagsOff.length;
        if (delivered !== expected) checks.push(`${size} / webhooks: ${delivered} deliveries accepted for ${expected} changed employees`);
      },
      false,
      'webhooks',
    );
    check('1% changed, webhooks', viaWebhook, webhooks);
  } finally {
    await gateway.close();
    await rm(storeDir, { recursive: true, force: true });
  }
  const sandboxRss = await sandbox.peakRss();
  await sandbox.close();
  return { results, sandboxRss };
}

const sizes = sizesFromArgs();
// Read before the run: the code measured is what was there when it started, whatever is committed meanwhile.
const provenanceAtStart = provenance();
const rss = sampleRss();
const budget: Budget = { limit: LIMITS.litmos, windowMs: RATE_WINDOW_MS, marginMs: defaultMarginMs(RATE_WINDOW_MS) };
const results: SizedResult[] = [];
const sandboxPeaks: string[] = [];
const started = Date.now();
for (const size of sizes) {
  console.log(`bench:sync — ${size} employees`);
  const outcome = await benchSize(size, rss);
  results.push(...outcome.results);
  sandboxPeaks.push(`${size}: ${mib(outcome.sandboxRss)}`);
}
rss.stop();

const tables = {
  requests: requestsTable(results),
  time: timeTable(results, budget),
  memory: memoryTable(results),
  cpu: cpuTable(results),
  plans: planTable(results),
};
console.log(
  `\n${consoleTable(tables.requests)}\n\n${consoleTable(tables.time)}\n\n${consoleTable(tables.memory)}\n\n${consoleTable(tables.cpu)}\n\n${consoleTable(tables.plans)}`,
);
const failures = results.flatMap((result) => result.failures.map((failure) => `- ${result.size} / ${result.scenario}: ${failure}`));
if (failures.length > 0) console.log(`\nfailed actions:\n${failures.join('\n')}`);
const checked = checks.length === 0 ? ['- every 1% scenario planned exactly the changes made'] : checks.map((line) => `- ${line}`);
console.log(`\nplans against the changes made:\n${checked.join('\n')}`);
console.log(`\nsizes ${sizes.join(', ')} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);

const ceiling = budget.windowMs / (budget.windowMs + budget.marginMs);
await writeSection(
  'bench:sync',
  `## bench:sync

${provenanceAtStart}
- sizes run: ${sizes.join(', ')} employees (BambooHR company, seed ${SEED}); total ${((Date.now() - started) / 60_000).toFixed(1)} min
- rate limits: Litmos ${LIMITS.litmos} and BambooHR ${LIMITS.bamboohr} requests per rolling window of ${RATE_WINDOW_MS} ms
  (the real window is 60 s: multiply times by 60); the gateway adds a margin of ${budget.marginMs} ms, so its ceiling is
  ${(ceiling * 100).toFixed(1)}% of the budget
- sandbox in a child process (its peak RSS by size: ${sandboxPeaks.join(', ')}); peak RSS below is the gateway's process

### Upstream requests against the floor

${markdownTable(tables.requests)}

Floor = the reads the brief counts (one BambooHR report + its metadata on the gateway's first read; ceil(users ÷ 1000)
Litmos user pages) plus the writes the run's plans need, counted per action: create 1, update / deactivate / reactivate 2 (Litmos's PUT replaces the whole user and
its list returns summaries, so each is GET + PUT), team additions one POST per team and 100 learners, removal 1.
The targeted scenarios list no Litmos users: their read floor is one \`GET /users/{id or username}\` per employee the runs read
(for the incremental run, the employees the change feeds named), and on the BambooHR side, for the incremental run, its
${INCREMENTAL_HR_CALLS} calls (\`employees/changed\`, the \`employmentStatus\` and \`jobInfo\` tables feeds, one report filtered to the
changed ids). Their Litmos reads column counts list reads only (team lists); the lookups share the \`/users/:id\` route with the
updates' GETs and are in the writes column.
"throttled" counts 429/503 answers as the simulators sent them and as the gateway's clients saw them (goal 0).

### Time, request rate and memory

${markdownTable(tables.time)}

"reading + planning" and "applying" are the time runs spent in those states (sampled every 20 ms; applying includes
writing the run's records after its last request); "Litmos req ÷ budget" is the least time the budget allows for
the Litmos requests the scenario made; "apply rate" is Litmos requests per second from a run's first to its last
request while applying, against the budget of ${(LIMITS.litmos * 1000) / RATE_WINDOW_MS}/s (goal ≈ 1.0; the margin caps it at
${ceiling.toFixed(3)}; fewer than ${LIMITS.litmos} requests go out as one burst, which a rolling window allows, so no rate is
given). Peak RSS is the gateway's process (the benchmark's own, which the gateway runs in); the V8 heap part is in brackets.

### Memory

${markdownTable(tables.memory)}

The gateway's store is a SQLite file (the default), fresh for each size. "at start" is the process's RSS when the
scenario began (what earlier scenarios left: V8 gives memory back to the system lazily); "peak" the highest RSS sampled every 50 ms
while its runs worked, with the V8 heap's highest beside it; the goal is a peak under ${MEMORY_GOAL_MB} MB (the last column, goal < 1.00).

### CPU

${markdownTable(tables.cpu)}

CPU time while the scenario's runs worked: the gateway's process (the benchmark's own, which runs the gateway;
every thread, libuv's pool included) and the simulators' child process, which answers all three APIs on one
thread. A scenario's wall time cannot be less than the simulators' CPU time unless the budget holds it back
anyway, so for the no-change re-sync (goal ≤ ${NO_CHANGE_GOAL_MS / 1000} s wall) that column is the floor this machine and sandbox set.

### What the plans held

${markdownTable(tables.plans)}

### Plans against the changes made

Each 1% scenario changes a third of its employees' titles, moves a third to another department and turns the
access flag off for the rest (three disjoint sets of employees); the plans should hold one update, one team addition and removal, and one
deactivation for them respectively, and the incremental run must have run INCREMENTAL.

${checked.join('\n')}

### Failed actions

${failures.length === 0 ? '- none: every run SUCCEEDED' : failures.join('\n')}

### Where the requests went

${routeNotes(results).join('\n')}
`,
);
console.log('bench/RESULTS.md updated (section bench:sync)');
