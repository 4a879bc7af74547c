import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBambooHrSimulator, generateCompany, startSimulator, type RunningSimulator } from '@rostergate/sandbox';

const company = generateCompany({ seed: 3, size: 30, today: '2025-06-01' });
const auth = `Basic ${Buffer.from('sandbox-bamboohr-key:x').toString('base64')}`;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let sim: RunningSimulator;
let base: string;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** Statuses the receiver answers with, in turn; 200 once they run out. */
let replies: number[] = [];

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: auth, accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const flush = async () =>
  (
    (await (await fetch(`${sim.url}/__sandbox/webhooks/flush`, { method: 'POST' })).json()) as {
      deliveries: { delivered: boolean; attempts: number; status: number }[];
    }
  ).deliveries;
const sign = (key: string, body: string, timestamp: string) =>
  createHmac('sha256', key)
    .update(body + timestamp)
    .digest('hex');

async function subscribe(overrides: Record<string, unknown> = {}): Promise<{ id: string; privateKey: string }> {
  const response = await api('/webhooks', 'POST', {
    name: 'rostergate',
    url: receiverUrl,
    format: 'json',
    events: ['employee.created', 'employee.updated'],
    monitorFields: ['customLitmosAccess', 'department', 'status', 'firstName'],
    ...overrides,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; privateKey: string };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = replies.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/bamboohr`;
  sim = await startSimulator(createBambooHrSimulator({ company, webhookRetryDelaysMs: [1, 1] }).spec);
  base = `${sim.url}/api/gateway.php/${company.domain}/v1`;
});
afterAll(async () => {
  await sim.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(async () => {
  await fetch(`${sim.url}/__sandbox/reset`, { method: 'POST' });
  received = [];
  replies = [];
});

describe('webhooks API', () => {
  it('creates, lists, reads and deletes a webhook; the private key is shown only at creation', async () => {
    const created = await subscribe();
    expect(created.privateKey).toMatch(/^[0-9a-f]{32,}$/);
    expect(await (await api('/webhooks')).json()).toEqual({ webhooks: [expect.objectContaining({ id: created.id, url: receiverUrl, lastSent: null })] });
    const shown = (await (await api(`/webhooks/${created.id}`)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: created.id, format: 'json', monitorFields: ['customLitmosAccess', 'department', 'status', 'firstName'] });
    expect(shown).not.toHaveProperty('privateKey');
    const deleted = await api(`/webhooks/${created.id}`, 'DELETE');
    expect(await deleted.text()).toBe('Web hook has been deleted.');
    expect((await api(`/webhooks/${created.id}`)).status).toBe(404);
  });

  it('refuses a non-https URL off loopback, a missing format, update events without monitor fields and unknown fields', async () => {
    const refused = async (overrides: Record<string, unknown>) =>
      (
        await api('/webhooks', 'POST', {
          name: 'x',
          url: receiverUrl,
          format: 'json',
          events: ['employee.updated'],
          monitorFields: ['firstName'],
          ...overrides,
        })
      ).status;
    expect(await refused({ url: 'http://example.com/hook' })).toBe(400);
    expect(await refused({ format: undefined })).toBe(400);
    expect(await refused({ monitorFields: [] })).toBe(400);
    expect(await refused({ monitorFields: ['noSuchField'] })).toBe(403);
  });
});

describe('deliveries', () => {
  it('posts a signed employee.updated with the monitored fields that changed', async () => {
    const { privateKey } = await subscribe();
    const granted = String(company.people.find((p) => p.accessEnabled && p.id > 1)?.id);
    expect((await api(`/employees/${granted}`, 'POST', { customLitmosAccess: 'no', workPhone: '+1 555 0100' })).status).toBe(200);
    expect(await flush()).toEqual([expect.objectContaining({ delivered: true, attempts: 1, status: 200 })]);

    expect(received).toHaveLength(1);
    const [delivery] = received as [Received];
    const timestamp = String(delivery.headers['x-bamboohr-timestamp']);
    expect(delivery.headers['x-bamboohr-signature']).toBe(sign(privateKey, delivery.body, timestamp));
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(JSON.parse(delivery.body)).toEqual({
      type: 'employee.updated',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/),
      data: { companyId: expect.any(String), employeeId: granted, changedFields: ['customLitmosAccess'] },
    });
  });

  it('sends employee.created then employee.updated for a new employee, and nothing for unmonitored changes', async () => {
    await subscribe();
    const created = await api('/employees', 'POST', { firstName: 'Ada', lastName: 'Byron', department: 'Engineering' });
    const id = created.headers.get('location')?.split('/').at(-1);
    await api('/employees/3', 'POST', { workPhone: '+1 555 0199' });
    await flush();
    const payloads = received.map((r) => JSON.parse(r.body) as { type: string; data: { employeeId: string; changedFields?: string[] } });
    expect(payloads.map((p) => [p.type, p.data.employeeId])).toEqual([
      ['employee.created', id],
      ['employee.updated', id],
    ]);
    expect(payloads[1]?.data.changedFields).toEqual(expect.arrayContaining(['firstName', 'department', 'status']));
  });

  it('fires for a future-dated row only when its day comes', async () => {
    await subscribe();
    const person = company.people.find((p) => p.id > 1 && !p.terminationDate && p.hireDate <= company.today);
    await api(`/employees/${person?.id}/tables/jobInfo`, 'POST', { date: '2025-06-15', department: 'Research' });
    expect(await flush()).toEqual([]);
    await fetch(`${sim.url}/__sandbox/today`, { method: 'PUT', body: JSON.stringify({ today: '2025-06-15' }) });
    await flush();
    const payloads = received.map((r) => JSON.parse(r.body) as { data: { employeeId: string; changedFields: string[] } });
    expect(payloads).toContainEqual(
      expect.objectContaining({ data: expect.objectContaining({ employeeId: String(person?.id), changedFields: ['department'] }) }),
    );
  });

  it('retries a 5xx answer and gives up on a 4xx one', async () => {
    await subscribe();
    replies = [503, 200];
    await api('/employees/2', 'POST', { firstName: 'Renée' });
    expect(await flush()).toEqual([expect.objectContaining({ delivered: true, attempts: 2 })]);
    replies = [410];
    await api('/employees/2', 'POST', { firstName: 'René' });
    expect(await flush()).toEqual([expect.objectContaining({ delivered: false, attempts: 1, status: 410 })]);
  });

  it('form-encodes when asked, signed the same way', async () => {
    const { privateKey } = await subscribe({ format: 'form-encoded', includeCompanyDomain: true });
    await api('/employees/2', 'POST', { firstName: 'Zoé' });
    await flush();
    const [delivery] = received as [Received];
    expect(delivery.body).toBe(
      `type=employee.updated&data[companyId]=${/companyId\]=(\d+)/.exec(delivery.body)?.[1]}&data[employeeId]=2&data[changedFields][0]=firstName`,
    );
    expect(delivery.headers['company-domain']).toBe(company.domain);
    expect(delivery.headers['x-bamboohr-signature']).toBe(sign(privateKey, delivery.body, String(delivery.headers['x-bamboohr-timestamp'])));
  });
});
