/**
 * What an operator sees: a JSON log line per run state change and per upstream throttle, none of
 * them carrying a credential, and Prometheus metrics at /metrics that move with a sync. Real
 * gateway, real sandbox (every quirk on), HTTP.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/log.js';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A gateway whose log lines are kept, as written. */
async function logged(): Promise<{ t: TestGateway; raw: string[]; lines: () => Line[] }> {
  const raw: string[] = [];
  t = await startTestGateway({
    employees: 40,
    seed: 3,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void raw.push(line) } }),
  });
  return { t, raw, lines: () => raw.map((line) => JSON.parse(line) as Line) };
}

/** Prometheus text → sample name{labels} → value; throws on a line that is not the format (NaN in any case, as Prometheus parses it). */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/i.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const scrape = async (t: TestGateway) => {
  const response = await fetch(`${t.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
};
const sum = (samples: Map<string, number>, prefix: string) =>
  [...samples].filter(([name]) => name.startsWith(prefix)).reduce((total, [, value]) => total + value, 0);

describe('logs', () => {
  it('writes a line per run state change and per upstream throttle, and no credential in any line', async () => {
    const { t: gateway, raw, lines } = await logged();
    await relaxSafeguard(gateway);
    // Litmos throttles the first user list: the client waits out Retry-After and says so.
    await fetch(`${gateway.sandbox.litmos.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify([{ route: 'GET /v1.svc/users', status: 503, retryAfter: '1' }]),
    });
    const run = await sync(gateway);
    expect(run.status).toBe('SUCCEEDED');
    // A webhook with a bad signature: refused, and logged without its headers.
    await fetch(`${gateway.url}/webhooks/bamboohr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bamboohr-signature': 'f'.repeat(64), 'x-bamboohr-timestamp': '1' },
      body: '{"employees":[]}',
    });
    await gateway.close();
    t = undefined;

    const ofRun = lines().filter((line) => line.runId === run.runId);
    expect(ofRun.map((line) => line.status)).toEqual(['QUEUED', 'FETCHING', 'PLANNING', 'APPLYING', 'SUCCEEDED']);
    expect(ofRun.at(-1)).toMatchObject({ msg: 'run succeeded', tenant: 'default', counts: run.counts });
    expect(lines().find((line) => line.msg === 'upstream throttled')).toMatchObject({ system: 'litmos', route: 'GET /users', status: 503 });
    expect(lines().find((line) => line.msg === 'webhook delivery refused')).toMatchObject({ code: expect.any(String) });
    expect(lines().map((line) => line.msg)).toEqual(expect.arrayContaining(['gateway started', 'gateway stopping']));

    const secrets = [SANDBOX_CREDENTIALS.bamboohr.apiKey, SANDBOX_CREDENTIALS.namely.token, SANDBOX_CREDENTIALS.litmos.apiKey, ADMIN_TOKEN];
    const all = raw.join('');
    for (const secret of secrets) expect(all, 'a credential in the log').not.toContain(secret);
  });

  it('blanks a credential a line carries by mistake, whatever the level of nesting', () => {
    const raw: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => void raw.push(line) } });
    log.info({ apiKey: 'k1', connection: { token: 't2', headers: { authorization: 'Basic c3' } }, settings: { litmos: { password: 'p4' } } }, 'oops');
    expect(raw.join('')).not.toMatch(/k1|t2|c3|p4/);
    expect(JSON.parse(raw[0]!)).toMatchObject({ apiKey: '[redacted]', connection: { token: '[redacted]', headers: { authorization: '[redacted]' } } });
  });
});

describe('/metrics', () => {
  it('parses as Prometheus text, and its counters move with a sync', async () => {
    const { t } = await logged();
    await relaxSafeguard(t);
    const before = await scrape(t);
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    const after = await scrape(t);

    const litmosAnswers = (samples: Map<string, number>) => sum(samples, 'rostergate_upstream_requests_total{system="litmos"');
    expect(litmosAnswers(after)).toBeGreaterThan(litmosAnswers(before));
    expect(after.get('rostergate_upstream_requests_total{system="litmos",route="GET /users",status="200"}')).toBeGreaterThan(0);
    expect(after.get('rostergate_run_seconds_count{status="SUCCEEDED"}')).toBe(1);
    expect(after.get('rostergate_actions_total{kind="CREATE_LEARNER",outcome="ok"}')).toBe(run.counts.created);
    expect(after.get('rostergate_graphql_operations_total{type="mutation"}')).toBeGreaterThanOrEqual(1);
    expect(after.has('rostergate_nodejs_eventloop_lag_seconds')).toBe(true);
    expect([...after.keys()].some((name) => name.startsWith('rostergate_upstream_budget_used{tenant="default",system="litmos"}'))).toBe(true);

    await t.graphql('{ nope }');
    expect((await scrape(t)).get('rostergate_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
  });
});
