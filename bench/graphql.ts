/**
 * bench:graphql — the read graph with 20 ms added to every upstream call: a nested frontend query
 * (employees → manager, learner → teams, courses → course) for 100 and 1,000 employees, cold and
 * warm, against the number of dependent upstream round trips it needs; throughput of the warm
 * query under 50 concurrent connections, side by side with a bare Apollo Server answering the
 * gateway's own answer from memory (bench/support/bare-server.ts), in alternating rounds; and the
 * same query through a naive resolver set (bench/naive/). Prints the tables and rewrites its
 * section of bench/RESULTS.md.
 *
 *   npm run bench:graphql
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { startNaiveServer } from './naive/server.js';
import { startChild, type Child } from './support/child.js';
import { BENCH_TOKEN, gatewayEnv, graphql, startBenchGateway, type BenchGatewayOptions } from './support/gateway.js';
import { percentile, runLoad, type LoadResult } from './support/load.js';
import { p50, p99, runQuery, type QueryRun } from './support/query-bench.js';
import { consoleTable, fixed, markdownTable, provenance, shortRoute, writeSection, type Table } from './support/report.js';
import { spawnSandbox, SYSTEMS, type SandboxProcess } from './support/sandbox-process.js';

const LATENCY_MS = 20;
const EMPLOYEES = 1000;
const NAIVE_EMPLOYEES = 100;
const RATE_WINDOW_MS = 1000;
/** Raised on both sides for latency runs: the budget is measured by bench:sync, not here. */
const RAISED_LIMIT = 100_000;
const ITERATIONS = { cold: 8, warm: 100, naive: 20, slope: 4 };
/**
 * The cold gateway caches for 1 s (the shortest TTL there is) and each cold execution first waits
 * out every cached entry — the course catalogue lives 4 × the TTL (src/tenant.ts), and a copy is
 * served stale for one more lifetime while it is refreshed (src/datasources/cache.ts) — so it
 * starts with an empty cache yet, like any first query, reuses within itself what it read. (A TTL
 * of 0 would disable the cache outright, and one query would then read the roster more than once.)
 */
const COLD_TTL_SECONDS = 1;
const COLD_PAUSE_MS = 2 * 4 * COLD_TTL_SECONDS * 1000 + 100;
/** Each round loads the gateway, then the bare server, for this long each; the ratio is taken per round. */
const LOAD = { connections: 50, maxRequests: 1_000_000, maxDurationMs: 10_000 };
const LOAD_ROUNDS = 3;
/** A series stops once it has run this long, ms, and has at least 3 executions: a slow query stays bounded. */
const SERIES_MAX_MS = 60_000;

const QUERY = `query Nested($first: Int!) {
  employees(first: $first, filter: { source: BAMBOOHR, status: ACTIVE }) {
    nodes {
      displayName
      manager { displayName }
      learner { userName teams { name } courses { percentageComplete course { name } } }
    }
  }
}`;

interface Nested {
  employees: { nodes: { displayName: string; learner: { userName: string; teams: { name: string }[] } | null }[] };
}

/** Litmos's users, teams and courses as the vendor sees them: what the round-trip count depends on. */
async function litmosShape(sandbox: SandboxProcess): Promise<{ users: number; teams: number; courses: number }> {
  const count = async (path: string) => {
    let total = 0;
    for (let start = 0; ; start += 1000) {
      const response = await fetch(`${sandbox.litmos.baseUrl}${path}?source=bench&format=json&limit=1000&start=${start}`, {
        headers: { apikey: SANDBOX_CREDENTIALS.litmos.apiKey },
      });
      const page = (await response.json()) as unknown[];
      if (page.length === 0) return total;
      total += page.length;
    }
  };
  return { users: await count('/users'), teams: await count('/teams'), courses: await count('/courses') };
}

/**
 * Every learner the sync can create exists, so the nested query has learners, teams and courses to
 * fetch; and the store the gateways under test start from holds that sync's identity links, as a
 * tenant's does after its first sync.
 */
async function provision(sandbox: SandboxProcess, storeUrl: string): Promise<{ links: number }> {
  const gateway = await startBenchGateway(sandbox, {
    rateWindowMs: RATE_WINDOW_MS,
    limits: { bamboohr: RAISED_LIMIT, litmos: RAISED_LIMIT },
    storeUrl,
    secretKey: SECRET_KEY,
  });
  try {
    const { engine } = gateway.tenant;
    await engine.setPolicy('BAMBOOHR', { ...(await engine.policy('BAMBOOHR')), safeguard: { maxDeactivationPercent: 100, maxDeactivations: 1e9 } });
    await engine.start({ source: 'BAMBOOHR', trigger: 'MANUAL' });
    await engine.idle();
    return { links: (await gateway.store.links.list(gateway.tenant.id)).length };
  } finally {
    await gateway.close();
  }
}

async function startGatewayProcess(sandbox: SandboxProcess, options: BenchGatewayOptions) {
  return startChild<{ url: string }>(new URL('./support/gateway-child.ts', import.meta.url).pathname, gatewayEnv(sandbox, options));
}

/** The bare Apollo Server serving `data` from memory, in a process of its own. */
async function startBareProcess(data: unknown): Promise<Child<{ url: string }>> {
  const dataFile = join(storeDir, 'bare.json');
  await writeFile(dataFile, JSON.stringify(data));
  return startChild<{ url: string }>(new URL('./support/bare-child.ts', import.meta.url).pathname, { dataFile });
}

/** 50 connections of the warm 100-employee query against `url` (the gateway's token is sent to both; the bare server ignores it). */
const loadAt = (url: string) =>
  runLoad({
    origin: url,
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    body: JSON.stringify({ query: QUERY, variables: { first: 100 } }),
    ...LOAD,
  });

const rate = (load: LoadResult) => (load.requests * 1000) / load.durationMs;

async function setLatency(sandbox: SandboxProcess, ms: number) {
  await Promise.all(SYSTEMS.map((system) => sandbox.setLatency(system, ms)));
}

/** Employees whose learner (by username) and team names are the same in both answers. */
function agreement(a: Nested, b: Nested): string {
  const view = (data: Nested) =>
    new Map(
      data.employees.nodes.map((node) => [
        node.displayName,
        `${node.learner?.userName.toLowerCase() ?? '-'}|${
          node.learner?.teams
            .map((t) => t.name)
            .sort()
            .join(',') ?? ''
        }`,
      ]),
    );
  const left = view(a);
  const right = view(b);
  const same = [...left].filter(([name, value]) => right.get(name) === value).length;
  return `${same} of ${left.size}`;
}

// Read before the run: the code measured is what was there when it started, whatever is committed meanwhile.
const provenanceAtStart = provenance();
const SECRET_KEY = randomBytes(32).toString('hex');
const storeDir = await mkdtemp(join(tmpdir(), 'rostergate-bench-'));
const sandbox = await spawnSandbox({ employees: EMPLOYEES, seed: 1, rateWindowMs: RATE_WINDOW_MS });
await Promise.all(SYSTEMS.map((system) => sandbox.setLimits(system, { limit: 1_000_000 })));
const provisioned = join(storeDir, 'provisioned.sqlite');
const { links } = await provision(sandbox, `sqlite:${provisioned}`);
// A copy each, because the read cache lives in the store too and the cold gateway must not find the warm one's entries.
await Promise.all(['warm', 'cold'].map((name) => copyFile(provisioned, join(storeDir, `${name}.sqlite`))));
const shape = await litmosShape(sandbox);
const limits = { bamboohr: RAISED_LIMIT, litmos: RAISED_LIMIT };
const storeOf = (name: string) => ({ storeUrl: `sqlite:${join(storeDir, `${name}.sqlite`)}`, secretKey: SECRET_KEY });
const warm = await startGatewayProcess(sandbox, { rateWindowMs: RATE_WINDOW_MS, limits, ...storeOf('warm') });
const cold = await startGatewayProcess(sandbox, { rateWindowMs: RATE_WINDOW_MS, limits, cacheTtlSeconds: COLD_TTL_SECONDS, ...storeOf('cold') });
const naive = await startNaiveServer({ bamboohr: sandbox.bamboohr, litmos: sandbox.litmos });

/**
 * Dependent round trips, level by level as GraphQL resolves them: the roster (report and tables
 * side by side); Litmos's user pages, read one after another (a list ends on its first short
 * page, so n items take floor(n / 1000) + 1 pages); then the teams and courses lists side by side,
 * and then every team's members and course's results side by side (one page each here). The
 * naive set: the directory; then a user by name; then that user's courses; then each course (the
 * manager's two reads run beside them).
 */
const pages = (items: number) => Math.floor(items / 1000) + 1;
const roundTrips = { cold: 1 + pages(shape.users) + pages(shape.teams) + 1, warm: 0, naive: 4 };

interface Row {
  server: string;
  employees: number;
  cache: string;
  run: QueryRun;
  roundTrips: number;
  slope?: QueryRun;
}
const rows: Row[] = [];
const measure = (url: string, first: number, iterations: number, pauseMs = 0) =>
  runQuery({ url, query: QUERY, variables: { first }, iterations, sandbox, pauseMs, maxDurationMs: SERIES_MAX_MS });

try {
  await setLatency(sandbox, LATENCY_MS);
  for (const first of [100, 1000]) {
    // One execution each first: the gateway looks up BambooHR's field metadata once per process, and the JIT warms.
    await measure(cold.ready.url, first, 1);
    const run = await measure(cold.ready.url, first, ITERATIONS.cold, COLD_PAUSE_MS);
    rows.push({ server: 'gateway', employees: first, cache: 'cold', run, roundTrips: roundTrips.cold });
    await measure(warm.ready.url, first, 1);
    rows.push({ server: 'gateway', employees: first, cache: 'warm', run: await measure(warm.ready.url, first, ITERATIONS.warm), roundTrips: roundTrips.warm });
  }
  await measure(naive.url, NAIVE_EMPLOYEES, 1);
  rows.push({
    server: 'naive (bench/naive)',
    employees: NAIVE_EMPLOYEES,
    cache: 'none',
    run: await measure(naive.url, NAIVE_EMPLOYEES, ITERATIONS.naive),
    roundTrips: roundTrips.naive,
  });

  const upstreamTotal = async () => (await Promise.all(SYSTEMS.map((system) => sandbox.stats(system)))).reduce((sum, stats) => sum + stats.total, 0);
  // The bare server serves exactly what the warm gateway answers, so both send the same bytes.
  const bare = await startBareProcess({ employees: (await graphql<Nested>(warm.ready.url, QUERY, { first: 100 })).employees });
  const rounds: { gateway: LoadResult; bare: LoadResult; upstreamCalls: number }[] = [];
  // The machine is shared: what else ran says how far the absolute numbers can be read.
  const loadAverages = [loadavg()[0] ?? Number.NaN];
  try {
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      const beforeLoad = await upstreamTotal();
      const gatewayLoad = await loadAt(warm.ready.url);
      const upstreamCalls = (await upstreamTotal()) - beforeLoad;
      rounds.push({ gateway: gatewayLoad, bare: await loadAt(bare.ready.url), upstreamCalls });
    }
    loadAverages.push(loadavg()[0] ?? Number.NaN);
  } finally {
    await bare.close();
  }

  // The same cold runs without the added latency: the difference, divided by 20 ms, is how many
  // round trips the query actually waited for, one after another. Not for the naive set: its
  // hundreds of calls leave at once, and without the delay the sandbox's CPU, not round trips,
  // sets its latency.
  await setLatency(sandbox, 0);
  for (const row of rows.filter((r) => r.cache === 'cold')) row.slope = await measure(cold.ready.url, row.employees, ITERATIONS.slope, COLD_PAUSE_MS);

  const gateway100 = rows.find((r) => r.server === 'gateway' && r.employees === 100)?.run.data as Nested;
  const naive100 = rows.find((r) => r.server !== 'gateway')?.run.data as Nested;
  const queryTable: Table = {
    columns: [
      'server',
      'employees',
      'cache',
      'BambooHR calls',
      'Litmos calls',
      'p50 ms',
      'p99 ms',
      'n',
      'dependent RTs',
      'p50 ÷ (RTs × 20 ms)',
      'RTs waited (measured)',
      'Litmos calls at 100/min',
    ],
    rows: rows.map((row) => {
      const waited = row.slope ? (p50(row.run) - p50(row.slope)) / LATENCY_MS : Number.NaN;
      return [
        row.server,
        String(row.employees),
        row.cache,
        fixed(row.run.calls.bamboohr, 0),
        fixed(row.run.calls.litmos, 0),
        fixed(p50(row.run), 0),
        fixed(p99(row.run), 0),
        String(row.run.latencies.length),
        String(row.roundTrips),
        row.roundTrips > 0 ? fixed(p50(row.run) / (row.roundTrips * LATENCY_MS)) : 'n/a (no upstream call)',
        row.slope ? (waited < 0 ? '< 0 (CPU-bound)' : fixed(waited, 1)) : 'not measured',
        row.run.calls.litmos > 0 ? `${fixed((row.run.calls.litmos * 60) / 100, 0)} s` : '0 s',
      ];
    }),
  };
  const loadRow = (round: number, server: string, load: LoadResult, extra: string[]) => [
    String(round + 1),
    server,
    String(load.requests),
    String(load.errors),
    `${(load.durationMs / 1000).toFixed(1)} s`,
    fixed(rate(load), 0),
    fixed(percentile(load.latencies, 50), 1),
    fixed(percentile(load.latencies, 99), 1),
    fixed(percentile(load.latencies, 99) / percentile(load.latencies, 50), 2),
    ...extra,
  ];
  const loadTable: Table = {
    columns: ['round', 'server', 'requests', 'errors', 'duration', 'req/s', 'p50 ms', 'p99 ms', 'p99 ÷ p50', 'upstream calls', 'rostergate ÷ bare'],
    rows: rounds.flatMap((r, i) => [
      loadRow(i, 'rostergate', r.gateway, [String(r.upstreamCalls), fixed(rate(r.gateway) / rate(r.bare))]),
      loadRow(i, 'bare Apollo Server 5', r.bare, ['n/a', '']),
    ]),
  };
  const ratios = rounds.map((r) => rate(r.gateway) / rate(r.bare));
  const tails = rounds.map((r) => percentile(r.gateway.latencies, 99) / percentile(r.gateway.latencies, 50));
  const cold100 = rows.find((row) => row.cache === 'cold' && row.employees === 100);
  const coldGoalMs = roundTrips.cold * LATENCY_MS + 50;
  const spread = (values: number[]) => `${fixed(Math.min(...values))}–${fixed(Math.max(...values))}`;
  const goals = [
    `- warm throughput ≥ 1.0 × the bare server: ${spread(ratios)} over ${rounds.length} rounds — ${ratios.every((r) => r >= 1) ? 'met in every round' : ratios.some((r) => r >= 1) ? 'met in some rounds only' : 'not met'}`,
    `- warm p99 ≤ 3 × p50 (rostergate under that load): ${spread(tails)} — ${tails.every((t) => t <= 3) ? 'met in every round' : 'not met in every round'}`,
    `- cold nested query (100 employees) ≤ ${roundTrips.cold} RTs × ${LATENCY_MS} ms + 50 ms = ${coldGoalMs} ms: p50 ${cold100 ? fixed(p50(cold100.run), 0) : 'n/a'} ms, p99 ${cold100 ? fixed(p99(cold100.run), 0) : 'n/a'} ms — ${cold100 && p50(cold100.run) <= coldGoalMs ? 'met at p50' : 'not met'}`,
  ];
  const answers = agreement(gateway100, naive100);
  const routeNotes = rows
    .filter((row) => Object.keys(row.run.routes).length > 0)
    .map((row) => {
      const routes = Object.entries(row.run.routes).sort(([, a], [, b]) => b - a);
      return `- ${row.server}, ${row.employees} employees, ${row.cache}: ${routes.map(([route, n]) => `${shortRoute(route)} ${fixed(n, Number.isInteger(n) ? 0 : 1)}`).join(', ')}`;
    });
  console.log(
    `\n${consoleTable(queryTable)}\n\n${consoleTable(loadTable)}\n\n${goals.join('\n')}\n\nanswers agree (gateway vs naive, 100 employees): ${answers}`,
  );

  await writeSection(
    'bench:graphql',
    `## bench:graphql

${provenanceAtStart}
- sandbox: ${EMPLOYEES} BambooHR employees (seed 1), provisioned into Litmos by a sync first; Litmos then holds
  ${shape.users} users, ${shape.teams} teams and ${shape.courses} courses, and the gateways start from a copy of
  that sync's SQLite store (${links} identity links); ${LATENCY_MS} ms added to every upstream call
- rate limits raised to ${RAISED_LIMIT} per ${RATE_WINDOW_MS} ms on the gateway and 1,000,000 on the simulators for every
  run here (the naive set has no budget at all, so without this it would merely be throttled); the last column
  is what the Litmos calls alone would take under the real budget of 100 per minute
- gateways run in child processes: cold = \`ROSTERGATE_CACHE_TTL_SECONDS=${COLD_TTL_SECONDS}\` and a ${COLD_PAUSE_MS} ms pause
  before each execution, so each starts with an empty cache; warm = the default 300 s, after one priming execution.
  Each series follows one unmeasured execution and stops after ${SERIES_MAX_MS / 1000} s once it has 3 executions (n says how
  many ran; with n this small, p99 is the slowest). The naive server and the load generator run in the benchmark
  process, the sandbox in its own

### Nested query

\`\`\`graphql
${QUERY}
\`\`\`

${markdownTable(queryTable)}

"dependent RTs" counts upstream round trips that must follow one another (${roundTrips.cold} for the gateway's cold
query: the roster; ${pages(shape.users)} Litmos user page(s), a list ending on its first short page; the teams and courses
lists; then every team's members and course's results side by side). "RTs waited (measured)" is (p50 at 20 ms − p50
at 0 ms) ÷ 20 ms over up to ${ITERATIONS.slope} more runs: the round trips the query actually waited for one after
another; it is meaningless (shown as "< 0") when CPU time, which the added latency does not change, swamps them. Answers agree (gateway vs naive, 100 employees, by
learner username and team names): ${answers}.

Upstream requests per execution, by route:

${routeNotes.join('\n')}

### Throughput, warm query, beside a bare Apollo Server

The nested query for 100 employees, warm, with ${LOAD.connections} connections for ${LOAD.maxDurationMs / 1000} s against
rostergate, then the same against a bare Apollo Server 5 (bench/support/bare-server.ts, in a child process like
the gateway) serving the gateway's own answer to that query from memory with default resolvers; ${LOAD_ROUNDS} rounds,
alternating, the load generator in the benchmark process. The ratio is taken within each round. The machine's
1-minute load average (2 cores) was ${loadAverages.map((l) => fixed(l, 1)).join(' before and ')} after the rounds.

${markdownTable(loadTable)}

Goals (issue 14):

${goals.join('\n')}
`,
  );
  console.log('bench/RESULTS.md updated (section bench:graphql)');
} finally {
  await naive.close();
  await Promise.all([warm.close(), cold.close()]);
  await sandbox.close();
  await rm(storeDir, { recursive: true, force: true });
}
