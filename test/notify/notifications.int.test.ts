/**
 * Notifications out (issue 13): targets through the API, run and connection events delivered to a real
 * receiver on loopback as signed webhooks, retried on 5xx and not on 4xx, with a delivery log. The
 * gateway runs over the sandbox with every quirk on; retries are made fast through ROSTERGATE_NOTIFY_*.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyNotificationSignature } from '../../src/notify/signature.js';
import { createLogger } from '../../src/telemetry/log.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { FAST_RETRIES, signatureIsValid, startReceiver, type Receiver } from './receiver.js';

const REPORT = 'POST /api/gateway.php/:company/v1/reports/custom';

let t: TestGateway;
let receiver: Receiver;
const logLines: string[] = [];
const answers: string[] = [];
/** Every secret this file's targets were given. */
const secrets: string[] = [];

beforeAll(async () => {
  t = await startTestGateway({
    employees: 40,
    seed: 43,
    env: FAST_RETRIES,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
  });
  await relaxSafeguard(t);
});
afterAll(async () => t?.close());
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'DELETE' });
  const { notificationTargets } = await t.data<{ notificationTargets: { id: string }[] }>('{ notificationTargets { id } }');
  for (const { id } of notificationTargets) await t.data('mutation($id: ID!) { removeNotificationTarget(id: $id) }', { id });
});

/** A GraphQL call whose answer is kept, to look for the secret in later. */
async function gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const result = await t.graphql<T>(query, variables, token);
  answers.push(JSON.stringify(result));
  return result;
}

async function addTarget(events: string[], url = receiver.url): Promise<{ id: string; secret: string }> {
  const result = await gql<{ addNotificationTarget: { target: { id: string; url: string; events: string[] }; secret: string } }>(
    'mutation($input: AddNotificationTargetInput!) { addNotificationTarget(input: $input) { target { id url events createdAt } secret } }',
    { input: { url, events } },
  );
  expect(result.errors).toBeUndefined();
  const added = result.data!.addNotificationTarget;
  secrets.push(added.secret);
  expect(added.target).toMatchObject({ url, events });
  return { id: added.target.id, secret: added.secret };
}

interface DeliveryView {
  event: string;
  runId: string | null;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

async function deliveries(targetId: string): Promise<DeliveryView[]> {
  const result = await gql<{ notificationDeliveries: DeliveryView[] }>(
    'query($id: ID!) { notificationDeliveries(targetId: $id, first: 50) { id event runId state attempts lastStatusCode lastError createdAt updatedAt deliveredAt nextAttemptAt } }',
    { id: targetId },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.notificationDeliveries;
}

const until = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 25 });

describe('notifications of runs', () => {
  it('sends RUN_SUCCEEDED signed with the target secret, with the run counts, once however often the event is seen', async () => {
    const target = await addTarget(['RUN_SUCCEEDED', 'RUN_FAILED']);
    const run = await sync(t);
    expect(run.status).toBe('SUCCEEDED');
    await until(() => expect(receiver.received).toHaveLength(1));
    const [request] = receiver.received;

    expect(signatureIsValid(target.secret, request!)).toBe(true);
    expect(signatureIsValid(`${target.secret}x`, request!)).toBe(false);
    expect(signatureIsValid(target.secret, { ...request!, body: request!.body.replace('SUCCEEDED', 'FAILED') })).toBe(false);
    const timestamp = Number(request!.headers['x-rostergate-timestamp']);
    expect(Math.abs(timestamp * 1000 - t.gateway.tenant.clock().getTime())).toBeLessThan(5_000);
    // The helper the README offers receivers agrees.
    const signed = {
      secret: target.secret,
      body: request!.body,
      timestamp: String(timestamp),
      signature: String(request!.headers['x-rostergate-signature']),
      now: timestamp * 1000,
    };
    expect(verifyNotificationSignature(signed)).toBe(true);
    expect(verifyNotificationSignature({ ...signed, now: (timestamp + 901) * 1000 })).toBe(false);
    expect(verifyNotificationSignature({ ...signed, signature: signed.signature.toUpperCase() })).toBe(false);

    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.payload).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'RUN_SUCCEEDED',
      occurredAt: expect.any(String),
      tenant: 'default',
      data: {
        runId: run.runId,
        source: 'BAMBOOHR',
        status: 'SUCCEEDED',
        trigger: 'MANUAL',
        dryRun: false,
        counts: run.counts,
        reportUrl: `/reports/${run.runId}.csv`,
      },
    });
    expect(run.counts.created).toBeGreaterThan(0);

    // The same final event published again (a process seeing it twice): no second delivery.
    const latest = await t.gateway.tenant.bus.latest(run.runId);
    const { sequence: _sequence, at: _at, ...again } = latest!;
    t.gateway.tenant.bus.publish(again);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(1);
    expect(await deliveries(target.id)).toEqual([
      expect.objectContaining({ event: 'RUN_SUCCEEDED', runId: run.runId, state: 'DELIVERED', attempts: 1, lastStatusCode: 200, lastError: null }),
    ]);
  });

  it('sends RUN_FAILED, with the reason, for a run whose HR read fails; targets not asking for it get nothing', async () => {
    const target = await addTarget(['RUN_FAILED']);
    const other = await startReceiver();
    try {
      await addTarget(['RUN_SUCCEEDED'], other.url);
      await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: REPORT, status: 401, count: 5 }) });
      const run = await sync(t);
      expect(run.status).toBe('FAILED');
      await until(() => expect(receiver.received).toHaveLength(1));
      const [request] = receiver.received;
      expect(signatureIsValid(target.secret, request!)).toBe(true);
      expect(request!.payload).toMatchObject({
        type: 'RUN_FAILED',
        data: { runId: run.runId, status: 'FAILED', source: 'BAMBOOHR', error: expect.stringMatching(/401/) },
      });
      expect(other.received).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('retries a 500 with backoff: delivered on the third attempt, and the log shows three', async () => {
    const target = await addTarget(['RUN_SUCCEEDED']);
    receiver.answer(500, 500);
    const run = await sync(t, { dryRun: true });
    await until(() => expect(receiver.received).toHaveLength(3));
    expect(receiver.received.map((request) => request.status)).toEqual([500, 500, 200]);
    // The same event each time (receivers deduplicate by its id), each attempt signed anew.
    expect(new Set(receiver.received.map((request) => request.body)).size).toBe(1);
    expect(receiver.received.every((request) => signatureIsValid(target.secret, request))).toBe(true);
    await until(async () => expect((await deliveries(target.id))[0]).toMatchObject({ state: 'DELIVERED', attempts: 3, lastStatusCode: 200, runId: run.runId }));
  });

  it('does not retry a 400: the delivery is FAILED after one attempt', async () => {
    const target = await addTarget(['RUN_SUCCEEDED']);
    receiver.answer(400);
    await sync(t, { dryRun: true });
    await until(async () =>
      expect((await deliveries(target.id))[0]).toMatchObject({ state: 'FAILED', attempts: 1, lastStatusCode: 400, lastError: 'answered 400' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('retries when nobody answers, and says so in the log without the address', async () => {
    const target = await addTarget(['RUN_SUCCEEDED']);
    const url = receiver.url;
    await receiver.close();
    await sync(t, { dryRun: true });
    await until(async () => expect((await deliveries(target.id))[0]?.attempts).toBeGreaterThanOrEqual(2));
    const [delivery] = await deliveries(target.id);
    expect(delivery).toMatchObject({ lastStatusCode: null, lastError: 'no answer (ECONNREFUSED)' });
    expect(['PENDING', 'FAILED']).toContain(delivery!.state);
    expect(logLines.some((line) => line.includes('notification attempt failed') && !line.includes(url))).toBe(true);
    receiver = await startReceiver();
  });
});

describe('connection events', () => {
  it('three failing runs put BambooHR in ERROR: CONNECTION_ERROR arrives signed; the next success sends CONNECTION_RECOVERED', async () => {
    const target = await addTarget(['CONNECTION_ERROR', 'CONNECTION_RECOVERED']);
    await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: REPORT, status: 401, count: 100 }) });
    for (let run = 0; run < 3; run += 1) expect((await sync(t)).status).toBe('FAILED');
    await until(() => expect(receiver.received).toHaveLength(1));
    expect(signatureIsValid(target.secret, receiver.received[0]!)).toBe(true);
    expect(receiver.received[0]!.payload).toMatchObject({
      type: 'CONNECTION_ERROR',
      tenant: 'default',
      data: { system: 'bamboohr', error: expect.stringMatching(/401/) },
    });

    await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'DELETE' });
    expect((await sync(t)).status).toBe('SUCCEEDED');
    await until(() => expect(receiver.received).toHaveLength(2));
    expect(signatureIsValid(target.secret, receiver.received[1]!)).toBe(true);
    expect(receiver.received[1]!.payload).toMatchObject({ type: 'CONNECTION_RECOVERED', data: { system: 'bamboohr' } });
    expect(receiver.received[1]!.payload.data).not.toHaveProperty('error');
  });
});

describe('targets through the API', () => {
  it('refuses URLs that are not http(s), carry credentials or are not URLs, empty event lists, and more than ten targets', async () => {
    const add = (url: string, events = ['RUN_FAILED']) =>
      gql('mutation($input: AddNotificationTargetInput!) { addNotificationTarget(input: $input) { target { id } } }', { input: { url, events } });
    for (const url of ['ftp://example.com/hook', 'https://user:pass@example.com/hook', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd']) {
      const refused = await add(url);
      expect(refused.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
    }
    expect((await add(receiver.url, [])).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (let n = 0; n < 10; n += 1) expect((await add(`${receiver.url}&n=${n}`)).errors).toBeUndefined();
    const eleventh = await add(receiver.url);
    expect(eleventh.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/at most 10/) });
    const { notificationTargets } = await t.data<{ notificationTargets: unknown[] }>('{ notificationTargets { id url events createdAt } }');
    expect(notificationTargets).toHaveLength(10);
  });

  it('is for ADMIN tokens only; an unknown target is NOT_FOUND; a removed one is gone with its log', async () => {
    const { id } = await addTarget(['RUN_SUCCEEDED']);
    for (const role of ['OPERATOR', 'VIEWER']) {
      const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(
        `mutation { createApiToken(role: ${role}, label: "notify test") { token } }`,
      );
      for (const operation of [
        '{ notificationTargets { id } }',
        `{ notificationDeliveries(targetId: "${id}") { id } }`,
        `mutation { addNotificationTarget(input: { url: "${receiver.url}", events: [RUN_FAILED] }) { secret } }`,
        `mutation { removeNotificationTarget(id: "${id}") }`,
      ]) {
        const refused = await gql(operation, {}, createApiToken.token);
        expect(refused.errors?.[0]?.extensions?.code, `${role}: ${operation}`).toBe('FORBIDDEN');
      }
    }
    expect((await gql('{ notificationDeliveries(targetId: "ntf_nope") { id } }')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(`{ notificationDeliveries(targetId: "${id}", first: 0) { id } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.data<{ removeNotificationTarget: boolean }>(`mutation { removeNotificationTarget(id: "${id}") }`)).removeNotificationTarget).toBe(true);
    expect((await t.data<{ removeNotificationTarget: boolean }>(`mutation { removeNotificationTarget(id: "${id}") }`)).removeNotificationTarget).toBe(false);
    expect((await gql(`{ notificationDeliveries(targetId: "${id}") { id } }`)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('never shows a secret again: in no query answer and no log line of this file', async () => {
    await addTarget(['RUN_SUCCEEDED', 'RUN_FAILED']);
    await sync(t, { dryRun: true });
    await until(() => expect(receiver.received.length).toBeGreaterThanOrEqual(1));
    await gql('{ notificationTargets { id url events createdAt } }');
    expect(secrets.length).toBeGreaterThan(5);
    expect(logLines.some((line) => line.includes('notification delivered'))).toBe(true);
    for (const secret of secrets) {
      expect(secret).toMatch(/^rgwh_[A-Za-z0-9_-]{43}$/);
      // The answer that created it is the one place it appears.
      const showing = answers.filter((answer) => answer.includes(secret));
      expect(showing).toHaveLength(1);
      expect(showing[0]).toContain('addNotificationTarget');
      expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
