/**
 * The gateway process is killed (SIGKILL) in the middle of applying a run; a new process on the same
 * store resumes the run from its journal. Litmos must end with every planned change and no duplicate.
 * The killed processes run the system clock (they judge dates on the day they run), so the
 * expectations are for the sandbox's day.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { clockOn } from '../support/clock.js';
import { startTestSandbox } from '../support/gateway.js';
import { graphqlAs, serveProcess } from '../support/process.js';
import { progressUntil } from '../support/progress.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

const TOKEN = 'resume-test-admin-token-0123456789';
let sandbox: RunningSandbox;
const gateways: RunningGateway[] = [];
let dir: string;
let env: Record<string, string>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 200, seed: 21, rateWindowMs: 1000, latencyMs: 15 });
  dir = await mkdtemp(join(tmpdir(), 'rostergate-resume-'));
  env = {
    ROSTERGATE_PORT: '0',
    // The log would interleave with the test runner's output; test/ops/telemetry.int.test.ts reads it.
    ROSTERGATE_LOG_LEVEL: 'silent',
    ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'store.sqlite')}`,
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_ADMIN_TOKEN: TOKEN,
    ROSTERGATE_RATE_WINDOW_MS: '1000',
    BAMBOOHR_BASE_URL: sandbox.bamboohr.url,
    BAMBOOHR_SUBDOMAIN: sandbox.bamboohr.companyDomain,
    BAMBOOHR_API_KEY: SANDBOX_CREDENTIALS.bamboohr.apiKey,
    LITMOS_BASE_URL: sandbox.litmos.url,
    LITMOS_API_KEY: SANDBOX_CREDENTIALS.litmos.apiKey,
    LITMOS_SOURCE: 'resume-test',
  };
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const gateway of gateways) await gateway.close();
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `rostergate serve` over the shared sandbox, on the shared file store. */
const serve = () => serveProcess(env, children);
const gql = graphqlAs(TOKEN);

/** The same gateway on the same store, in this process, where the test can await its webhook intake. */
async function startHere(): Promise<RunningGateway> {
  const gateway = await startGateway(loadConfig(env), { clock: clockOn(sandbox.companies.bamboohr.today) });
  gateways.push(gateway);
  return gateway;
}

describe('a run interrupted by a crash', () => {
  it('resumes after restart without duplicating anyone', async () => {
    const first = await serve();
    await gql(
      first.url,
      `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`,
    );
    const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);

    const creates = () => sandbox.litmos.stats().routes['POST /v1.svc/users']?.count ?? 0;
    await progressUntil(first.url, TOKEN, startSync.runId, { until: (event) => event.status === 'APPLYING' && event.done >= 15 });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const createdBeforeCrash = creates();

    const second = await serve();
    const finished = await progressUntil(second.url, TOKEN, startSync.runId);
    second.child.kill('SIGTERM');

    expect(finished.status).toBe('SUCCEEDED');
    expect(createdBeforeCrash).toBeLessThan(creates());
    await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, sandbox.companies.bamboohr.today);
  }, 120_000);
});

describe('a webhook delivery acknowledged just before a crash', () => {
  it('is applied by the gateway started next on the store: the change was kept there before the 202', async () => {
    const first = await serve();
    await gql(
      first.url,
      `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`,
    );
    const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    await progressUntil(first.url, TOKEN, startSync.runId);
    await gql(first.url, `mutation($url: String!) { connectBambooHrWebhook(url: $url) { id } }`, { url: `${first.url}/webhooks/bamboohr` });

    const person = eligiblePeople(sandbox.companies.bamboohr, sandbox.companies.bamboohr.today)[3]!;
    await bamboohr(sandbox).update(person.id, { firstName: 'Webhooked' });
    // BambooHR delivers and is answered 202; the gateway is killed inside its quiet period, before any run starts.
    const flushed = (await (await fetch(`${sandbox.bamboohr.url}/__sandbox/webhooks/flush`, { method: 'POST' })).json()) as { deliveries: unknown[] };
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(flushed.deliveries.length).toBeGreaterThan(0);

    const second = await startHere();
    await second.tenant.webhooks.drain();
    const users = await litmos(sandbox).users();
    const renamed = users.find((user) => user.UserName.toLowerCase() === person.workEmail);
    expect(renamed).toMatchObject({ FirstName: 'Webhooked', Active: true });
  }, 120_000);
});
