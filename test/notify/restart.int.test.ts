/**
 * Deliveries are written before they are attempted: one still pending when the gateway stops (its
 * receiver was failing) is sent by the next gateway started on the same SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestGateway, startTestSandbox, type TestGateway } from '../support/gateway.js';
import { sync } from '../support/sync.js';
import type { RunningSandbox } from '@rostergate/sandbox';
import { signatureIsValid, startReceiver, type Receiver } from './receiver.js';

let dir: string;
let sandbox: RunningSandbox;
let receiver: Receiver;
const gateways: TestGateway[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rostergate-notify-'));
  sandbox = await startTestSandbox({ employees: 30, seed: 47 });
  receiver = await startReceiver();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
  await receiver.close();
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe('pending deliveries across a restart', () => {
  it('sends after a restart on the same store what a receiver answering 503 kept pending at the stop', async () => {
    const env = {
      ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'rostergate.sqlite')}`,
      ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
      // The first gateway's retries are up to a minute apart.
      ROSTERGATE_NOTIFY_RETRY_MS: '60000',
      ROSTERGATE_NOTIFY_RETRY_MAX_MS: '60000',
    };
    const first = await startTestGateway({ sandbox, env });
    gateways.push(first);
    const { addNotificationTarget } = await first.data<{ addNotificationTarget: { target: { id: string }; secret: string } }>(
      `mutation($url: String!) { addNotificationTarget(input: { url: $url, events: [RUN_SUCCEEDED] }) { target { id } secret } }`,
      { url: receiver.url },
    );
    receiver.answerAlways(503);
    const run = await sync(first, { dryRun: true });
    expect(run.status).toBe('SUCCEEDED');
    const log = `query($id: ID!) { notificationDeliveries(targetId: $id) { state attempts lastStatusCode runId nextAttemptAt } }`;
    const variables = { id: addNotificationTarget.target.id };
    await vi.waitFor(async () =>
      expect((await first.data<{ notificationDeliveries: unknown[] }>(log, variables)).notificationDeliveries).toEqual([
        expect.objectContaining({ state: 'PENDING', lastStatusCode: 503, runId: run.runId, nextAttemptAt: expect.any(String) }),
      ]),
    );
    gateways.splice(0);
    await first.close();
    const attempted = receiver.received.length;
    expect(attempted).toBeGreaterThanOrEqual(1);
    receiver.answerAlways(200);

    // Started again on the same file, waiting at most 100 ms between attempts: the retry the first
    // gateway had put a minute off is brought forward to that, and goes out.
    const resumed = await startTestGateway({ sandbox, env: { ...env, ROSTERGATE_NOTIFY_RETRY_MS: '20', ROSTERGATE_NOTIFY_RETRY_MAX_MS: '100' } });
    gateways.push(resumed);
    await vi.waitFor(() => expect(receiver.received).toHaveLength(attempted + 1), { timeout: 10_000, interval: 25 });
    const delivered = receiver.received.at(-1)!;
    expect(receiver.received.map((request) => request.status)).toEqual([...Array<number>(attempted).fill(503), 200]);
    expect(new Set(receiver.received.map((request) => request.body)).size).toBe(1);
    expect(signatureIsValid(addNotificationTarget.secret, delivered)).toBe(true);
    await vi.waitFor(async () =>
      expect((await resumed.data<{ notificationDeliveries: unknown[] }>(log, variables)).notificationDeliveries).toEqual([
        expect.objectContaining({ state: 'DELIVERED', attempts: attempted + 1, lastStatusCode: 200 }),
      ]),
    );
  });
});
