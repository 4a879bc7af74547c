/**
 * bench:hostile — the gateway, in a process of its own, under every hostile input the trust suite
 * (test/trust/hostile.int.test.ts) checks for behaviour: how long each refusal takes, how the
 * liveness probe holds up while they arrive, and the gateway's peak memory. The references are
 * measured in the same run: the probe on an idle gateway, and the gateway's memory after start.
 *
 *   npm run bench:hostile
 */
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startChild } from './support/child.js';
import { BENCH_TOKEN, gatewayEnv } from './support/gateway.js';
import { percentile } from './support/load.js';
import { consoleTable, fixed, markdownTable, provenance, writeSection, type Table } from './support/report.js';
import { spawnSandbox } from './support/sandbox-process.js';

const GOALS = { answerMs: 2000, probeMs: 100, rssBytes: 300 * 1024 * 1024 };
const MiB = 1024 * 1024;

interface Case {
  name: string;
  /** Resolves with what the gateway answered (status and code). */
  run(url: string): Promise<string>;
}

async function post(url: string, body: string, token: string | null = BENCH_TOKEN): Promise<string> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });
  const json = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return `${response.status} ${json.errors?.[0]?.extensions?.code ?? 'ok'}`;
}
const ask = (url: string, query: string) => post(url, JSON.stringify({ query }));

/** Announces `length` bytes and sends them slowly; the answer should come long before they are all sent. */
function upload(url: string, path: string, length: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const req = request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers } },
      (res) => {
        res.resume();
        resolve(`${res.statusCode ?? 0} after ${Math.round(sent / MiB)} MiB sent`);
        req.destroy();
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    const pump = () => {
      if (req.destroyed || sent >= length) return;
      sent += chunk.length;
      req.write(chunk, () => setImmediate(pump));
    };
    pump();
  });
}

/** Built before anything is timed: making a 90 MB string would stall this process, not the gateway. */
const BIG_FRAME = JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(90 * MiB) } });
const ALIASES_1000 = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: employees(first: 1000) { totalCount }`).join(' ')} }`;
const ALIASES_1MB = `{ ${Array.from({ length: 60_000 }, (_, i) => `a${i}:employees{totalCount}`).join(' ')} }`.slice(0, 1_000_000);

function bigFrame(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    socket.on('open', () => socket.send(BIG_FRAME));
    socket.on('close', (code) => resolve(`closed ${code}`));
    socket.on('error', () => undefined);
  });
}

const CASES: Case[] = [
  {
    name: 'fan-out 4 levels (learners → teams → members, 1,000 a page)',
    run: (url) =>
      ask(url, `{ learners(first: 1000) { nodes { teams { members(first: 1000) { nodes { teams { members(first: 1000) { nodes { userName } } } } } } } } }`),
  },
  { name: 'fan-out 3 levels', run: (url) => ask(url, `{ learners(first: 1000) { nodes { teams { members(first: 1000) { nodes { userName } } } } } }`) },
  { name: '1,000 aliases of employees(first: 1000)', run: (url) => ask(url, ALIASES_1000) },
  { name: '1 MB document of 60,000 aliases', run: (url) => ask(url, ALIASES_1MB) },
  { name: 'depth 16', run: (url) => ask(url, `{ employees(first: 1) { nodes { ${'manager { '.repeat(14)}displayName${' }'.repeat(14)} } } }`) },
  { name: '30 directives', run: (url) => ask(url, `{ employees(first: 1) { totalCount ${'@include(if: true) '.repeat(30)} } }`) },
  { name: 'batched request', run: (url) => post(url, JSON.stringify([{ query: '{ employees { totalCount } }' }, { query: '{ learners { totalCount } }' }])) },
  { name: '600 MB POST /graphql, no token', run: (url) => upload(url, '/graphql', 600 * MiB, {}) },
  { name: '600 MB POST /graphql, with a token', run: (url) => upload(url, '/graphql', 600 * MiB, { authorization: `Bearer ${BENCH_TOKEN}` }) },
  {
    name: '250 MB unsigned webhook',
    run: (url) => upload(url, '/webhooks/bamboohr', 250 * MiB, { 'x-bamboohr-timestamp': '1', 'x-bamboohr-signature': 'a'.repeat(64) }),
  },
  { name: '90 MB WebSocket frame', run: bigFrame },
  {
    name: 'webhook with a re-spelt signature',
    run: async (url) =>
      String(
        (
          await fetch(`${url}/webhooks/bamboohr`, {
            method: 'POST',
            headers: { 'x-bamboohr-timestamp': '1', 'x-bamboohr-signature': `${'A'.repeat(64)}zz` },
            body: '{}',
          })
        ).status,
      ),
  },
];

/** Probes /healthz every 50 ms, from a process of its own, until stopped; returns each answer's latency, ms. */
async function probe(url: string): Promise<{ stop(): Promise<number[]> }> {
  const child = fork(fileURLToPath(new URL('./support/probe-child.ts', import.meta.url)), [JSON.stringify({ url })], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  return {
    stop: () =>
      new Promise<number[]>((resolve) => {
        child.once('message', (latencies) => resolve(latencies as number[]));
        child.send('stop');
      }),
  };
}

async function main(): Promise<void> {
  const sandbox = await spawnSandbox({ employees: 1000, seed: 3, rateWindowMs: 1000 });
  const env = gatewayEnv(sandbox, { rateWindowMs: 1000, limits: { bamboohr: 100_000, litmos: 100_000 } });
  const gateway = await startChild<{ url: string }>(fileURLToPath(new URL('./support/gateway-child.ts', import.meta.url)), env);
  const { url } = gateway.ready;
  try {
    // The first probes open the connection and warm the gateway's code paths: not part of the reference.
    const warmup = await probe(url);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await warmup.stop();
    const idle = await probe(url);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleLatencies = await idle.stop();
    const startRss = (await gateway.peakRss()) ?? 0;

    const rows: Table['rows'] = [];
    const busy = await probe(url);
    for (const each of CASES) {
      const started = performance.now();
      const answer = await each.run(url);
      const ms = performance.now() - started;
      rows.push([each.name, answer, fixed(ms, 0), ms <= GOALS.answerMs ? 'yes' : 'NO']);
    }
    const busyLatencies = await busy.stop();
    const peakRss = (await gateway.peakRss()) ?? 0;

    const answers: Table = { columns: ['hostile input', 'answer', 'ms', `≤ ${GOALS.answerMs} ms`], rows };
    const health: Table = {
      columns: ['', 'idle (reference)', 'under attack', 'ratio', 'goal'],
      rows: [
        [
          '/healthz p50, ms',
          fixed(percentile(idleLatencies, 50), 1),
          fixed(percentile(busyLatencies, 50), 1),
          fixed(percentile(busyLatencies, 50) / percentile(idleLatencies, 50), 2),
          '',
        ],
        [
          '/healthz max, ms',
          fixed(Math.max(...idleLatencies), 1),
          fixed(Math.max(...busyLatencies), 1),
          fixed(Math.max(...busyLatencies) / Math.max(...idleLatencies), 2),
          `≤ ${GOALS.probeMs}`,
        ],
        ['gateway RSS, MiB (peak)', fixed(startRss / MiB, 0), fixed(peakRss / MiB, 0), fixed(peakRss / startRss, 2), `< ${GOALS.rssBytes / MiB}`],
      ],
    };
    console.log(consoleTable(answers));
    console.log(consoleTable(health));
    await writeSection(
      'hostile',
      `## bench:hostile — refusals, liveness and memory under hostile input\n\n${provenance()}\n\n${markdownTable(answers)}\n\n${markdownTable(health)}\n`,
    );
  } finally {
    await gateway.close();
    await sandbox.close();
  }
}

await main();
