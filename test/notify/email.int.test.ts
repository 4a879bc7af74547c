/**
 * Email notifications (issue 13): a target with an email address gets each event as a plain-text
 * summary, a run's with its CSV report attached, sent to a real SMTP server on loopback (which asks
 * for a password) through the same outbox as webhooks: a 4xx reply retried, a 5xx given up. The SMTP
 * password appears in no answer and no log line. The gateway runs over the sandbox with every quirk on.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/telemetry/log.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';
import { FAST_RETRIES } from './receiver.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const REPORT = 'POST /api/gateway.php/:company/v1/reports/custom';
const ADD = 'mutation($input: AddNotificationTargetInput!) { addNotificationTarget(input: $input) { target { id url email events } secret } }';

let t: TestGateway;
let smtp: SmtpReceiver;
const logLines: string[] = [];
const answers: string[] = [];

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  t = await startTestGateway({
    employees: 40,
    seed: 47,
    env: { ...FAST_RETRIES, ROSTERGATE_SMTP_URL: smtp.url, ROSTERGATE_SMTP_FROM: 'Rostergate <rostergate@example.com>' },
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
  });
  await relaxSafeguard(t);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
afterEach(async () => {
  await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'DELETE' });
  await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'DELETE' });
  const { notificationTargets } = await t.data<{ notificationTargets: { id: string }[] }>('{ notificationTargets { id } }');
  for (const { id } of notificationTargets) await t.data('mutation($id: ID!) { removeNotificationTarget(id: $id) }', { id });
  smtp.received.length = 0;
  smtp.answered.length = 0;
});

async function gql<T>(query: string, variables: Record<string, unknown> = {}) {
  const result = await t.graphql<T>(query, variables);
  answers.push(JSON.stringify(result));
  return result;
}

async function addEmailTarget(events: string[], email = 'ops@example.com'): Promise<string> {
  const result = await gql<{ addNotificationTarget: { target: { id: string }; secret: string | null } }>(ADD, { input: { email, events } });
  expect(result.errors).toBeUndefined();
  expect(result.data?.addNotificationTarget).toMatchObject({ target: { url: null, email, events }, secret: null });
  return result.data!.addNotificationTarget.target.id;
}

async function deliveries(targetId: string) {
  const result = await gql<{ notificationDeliveries: { state: string; attempts: number; lastStatusCode: number | null; lastError: string | null }[] }>(
    'query($id: ID!) { notificationDeliveries(targetId: $id) { state attempts lastStatusCode lastError } }',
    { id: targetId },
  );
  return result.data!.notificationDeliveries;
}

const until = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 25 });

/** The attached report's rows, by column name. */
function reportOf(mail: SmtpReceiver['received'][number]): Record<string, string>[] {
  expect(mail.attachments).toHaveLength(1);
  const [attachment] = mail.attachments;
  expect(attachment!.contentType).toBe('text/csv');
  return parse<Record<string, string>>(attachment!.content.toString('utf8'), { columns: true });
}

describe('email notifications', () => {
  it('a failed run and a partial one each arrive as one mail: the summary, and the CSV report with the run’s records', async () => {
    await addEmailTarget(['RUN_PARTIAL', 'RUN_FAILED']);
    await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: REPORT, status: 401, count: 5 }) });
    const failed = await sync(t);
    expect(failed.status).toBe('FAILED');
    await until(() => expect(smtp.received).toHaveLength(1));
    const [mail] = smtp.received;
    expect(mail!.subject).toBe('rostergate: BAMBOOHR run FAILED');
    expect(mail!.from?.value).toEqual([{ name: 'Rostergate', address: 'rostergate@example.com' }]);
    expect(mail!.to && 'value' in mail!.to ? mail!.to.value : null).toEqual([{ name: '', address: 'ops@example.com' }]);
    expect(mail!.text).toContain('A BAMBOOHR sync run ended FAILED.');
    expect(mail!.text).toMatch(/^Error: .*401/m);
    expect(mail!.text).toContain(`Run: ${failed.runId}`);
    expect(mail!.text).toContain(`GET /reports/${failed.runId}.csv`);
    // It failed reading HR: a report with its header and no record, as the API has none.
    expect(reportOf(mail!)).toEqual([]);
    expect(failed.records.nodes).toEqual([]);

    // One learner's creation refused for good: the run ends PARTIAL with that record FAILED.
    await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, { method: 'DELETE' });
    await fetch(`${t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: 'POST /v1.svc/users', status: 400, count: 1 }) });
    const partial = await sync(t);
    expect(partial.status).toBe('PARTIAL');
    await until(() => expect(smtp.received).toHaveLength(2));
    const second = smtp.received[1]!;
    expect(second.subject).toBe('rostergate: BAMBOOHR run PARTIAL');
    expect(second.text).toContain(`Counts: created ${partial.counts.created}`);
    const rows = reportOf(second);
    expect(rows.map((row) => [row.run_id, row.employee_id, row.outcome]).sort()).toEqual(
      partial.records.nodes.map((record) => [partial.runId, record.employeeSourceId, record.outcome]).sort(),
    );
    expect(rows.filter((row) => row.outcome === 'FAILED')).toHaveLength(1);
    expect(second.attachments[0]!.filename).toBe(`rostergate-bamboohr-${partial.runId}.csv`);

    // The next run finishes the job; it is not an event the target asked for.
    expect((await sync(t)).status).toBe('SUCCEEDED');
    await expectEveryEligibleOnce(t.sandbox, t.sandbox.companies.bamboohr, t.today);
    expect(smtp.received).toHaveLength(2);
  });

  it('retries an SMTP 451 until accepted, and gives a 550 up after one attempt', async () => {
    const target = await addEmailTarget(['RUN_SUCCEEDED']);
    smtp.answer(451, 451);
    const run = await sync(t, { dryRun: true });
    await until(async () => expect((await deliveries(target))[0]).toMatchObject({ state: 'DELIVERED', attempts: 3, lastStatusCode: 250 }));
    expect(smtp.answered).toEqual([451, 451, 250]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.text).toContain(`Run: ${run.runId}`);

    smtp.answer(550);
    await sync(t, { dryRun: true });
    await until(async () =>
      expect((await deliveries(target))[0]).toMatchObject({ state: 'FAILED', attempts: 1, lastStatusCode: 550, lastError: 'SMTP answered 550' }),
    );
    // FAILED is final: nothing is attempted after it.
    expect(smtp.answered).toEqual([451, 451, 250, 550]);
  });

  it('a target is a url or an email, not both or neither; an address must be one address', async () => {
    const add = (input: Record<string, unknown>) => gql(ADD, { input: { events: ['RUN_FAILED'], ...input } });
    const both = await add({ url: 'https://example.com/hook', email: 'ops@example.com' });
    expect(both.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('either a url') });
    expect((await add({})).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const email of ['not an address', 'a@b.example, c@d.example', 'Ops <ops@example.com>', 'ops@example.com\r\nBcc: x@evil.example', '']) {
      expect((await add({ email })).errors?.[0]?.extensions, email).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    }
    const { notificationTargets } = await t.data<{ notificationTargets: unknown[] }>('{ notificationTargets { id } }');
    expect(notificationTargets).toEqual([]);
  });

  it('refuses an email target where SMTP is not configured, naming the setting', async () => {
    const plain = await startTestGateway({ sandbox: t.sandbox });
    try {
      const refused = await plain.graphql(ADD, { input: { email: 'ops@example.com', events: ['RUN_FAILED'] } });
      expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'CONFIG_INVALID' }, message: expect.stringContaining('ROSTERGATE_SMTP_URL') });
      expect(await plain.data<{ notificationTargets: unknown[] }>('{ notificationTargets { id } }')).toEqual({ notificationTargets: [] });
    } finally {
      await plain.close();
    }
  });

  it('shows and logs no SMTP password', async () => {
    await addEmailTarget(['RUN_SUCCEEDED']);
    await sync(t, { dryRun: true });
    await until(() => expect(smtp.received).toHaveLength(1));
    expect(logLines.some((line) => line.includes('notification delivered') && line.includes('@example.com'))).toBe(true);
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.filter((answer) => answer.includes(smtp.password))).toEqual([]);
    expect(logLines.filter((line) => line.includes(smtp.password))).toEqual([]);
  });
});
