/**
 * The gateway process is killed (SIGKILL) in the middle of applying a run; a new process on the same
 * store resumes the run from its journal. Litmos must end with every planned change and no duplicate.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, type RunningSandbox } from '@rostergate/sandbox';
import { startTestSandbox } from '../support/gateway.js';
import { graphqlAs, serveProcess, until } from '../support/process.js';
import { bamboohr, eligiblePeople, expectEveryEligibleOnce, litmos } from '../support/upstreams.js';

const TOKEN = 'resume-test-admin-token-0123456789';
const today = new Date().toISOString().slice(0, 10);
let sandbox: RunningSandbox;
let dir: string;
let env: Record<string, string>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 200, seed: 21, rateWindowMs: 1000, latencyMs: 15 });
  dir = await mkdtemp(join(tmpdir(), 'rostergate-resume-'));
  env = {
    ROSTERGATE_PORT: '0',
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
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `rostergate serve` over the shared sandbox, on the shared file store. */
const serve = () => serveProcess(env, children);
const gql = graphqlAs(TOKEN);

describe('a run interrupted by a crash', () => {
  it('resumes after restart without duplicating anyone', async () => {
    const first = await serve();
    await gql(first.url, `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`);
    const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);

    const creates = () => sandbox.litmos.stats().routes['POST /v1.svc/users']?.count ?? 0;
    await until(async () => (creates() >= 15 ? true : undefined), 'the run to be applying');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const createdBeforeCrash = creates();

    const second = await serve();
    const finished = await until(async () => {
      const { syncRun } = await gql<{ syncRun: { status: string; counts: { created: number; failed: number } } }>(
        second.url,
        `query($id: ID!) { syncRun(id: $id) { status counts { created failed } } }`,
        { id: startSync.runId },
      );
      return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(syncRun.status) ? syncRun : undefined;
    }, 'the resumed run to finish');
    second.child.kill('SIGTERM');

    expect(finished.status).toBe('SUCCEEDED');
    expect(createdBeforeCrash).toBeLessThan(creates());
    await expectEveryEligibleOnce(sandbox, sandbox.companies.bamboohr, today);
  }, 120_000);
});

describe('a webhook delivery acknowledged just before a crash', () => {
  it('is applied by the next process: the change was kept in the store before the 202', async () => {
    const first = await serve();
    await gql(first.url, `mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 100, maxDeactivations: 100000 } }) { source } }`);
    const { startSync } = await gql<{ startSync: { runId: string } }>(first.url, `mutation { startSync(input: { source: BAMBOOHR }) { runId } }`);
    await until(async () => {
      const { syncRun } = await gql<{ syncRun: { status: string } }>(first.url, `query($id: ID!) { syncRun(id: $id) { status } }`, { id: startSync.runId });
      return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(syncRun.status) ? true : undefined;
    }, 'the full sync');
    await gql(first.url, `mutation($url: String!) { connectBambooHrWebhook(url: $url) { id } }`, { url: `${first.url}/webhooks/bamboohr` });

    const person = eligiblePeople(sandbox.companies.bamboohr, today)[3]!;
    await bamboohr(sandbox).update(person.id, { firstName: 'Webhooked' });
    // BambooHR delivers and is answered 202; the gateway is killed inside its quiet period, before any run starts.
    const flushed = (await (await fetch(`${sandbox.bamboohr.url}/__sandbox/webhooks/flush`, { method: 'POST' })).json()) as { deliveries: unknown[] };
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(flushed.deliveries.length).toBeGreaterThan(0);

    const second = await serve();
    const renamed = await until(async () => {
      const users = await litmos(sandbox).users();
      return users.find((user) => user.UserName.toLowerCase() === person.workEmail && user.FirstName === 'Webhooked');
    }, 'the delivered change to reach Litmos');
    second.child.kill('SIGTERM');
    expect(renamed.Active).toBe(true);
  }, 120_000);
});
