/**
 * BambooHR's webhooks API and its deliveries. After every write that changes what an employee shows
 * today, each matching webhook gets a signed POST:
 * `X-BambooHR-Signature = hex(HMAC_SHA256(privateKey, rawBody + X-BambooHR-Timestamp))`.
 * Deliveries run in the background, in order per webhook; `flush()` awaits them (tests, and the
 * `POST /__sandbox/webhooks/flush` control route), so nobody has to sleep for them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { currentValues } from './fields.js';
import type { BambooHrStore, EmployeeChange } from './store.js';

export const EVENT_TYPES = [
  'employee.created',
  'employee.updated',
  'employee.deleted',
  'employee_with_fields.created',
  'employee_with_fields.updated',
  'employee_with_fields.deleted',
] as const;
type EventType = (typeof EVENT_TYPES)[number];
const LEGACY_DEFAULT: EventType[] = ['employee_with_fields.updated', 'employee_with_fields.deleted', 'employee_with_fields.created'];

export interface Webhook {
  id: string;
  name: string;
  url: string;
  format: 'json' | 'form-encoded';
  /** Aliases. */
  monitorFields: string[] | null;
  /** Alias → the name the field takes in a field-based payload. */
  postFields: Record<string, string>;
  events: EventType[];
  includeCompanyDomain: boolean;
  created: string;
  lastSent: string | null;
  privateKey: string;
}

export interface Delivery {
  webhookId: string;
  event: string;
  employeeId: string;
  /** The body exactly as sent, and the headers it was signed with. */
  body: string;
  timestamp: string;
  signature: string;
  attempts: number;
  /** Last response status; 0 when no response came. */
  status: number;
  delivered: boolean;
}

export interface WebhookHubOptions {
  store: BambooHrStore;
  companyId: string;
  companyDomain: string;
  /** Waits before each retry of a 5xx or unanswered delivery, ms; BambooHR waits 5, 10, 20, 40 and 80 minutes. */
  retryDelaysMs: readonly number[];
}

export interface WebhookResult {
  status: number;
  value: unknown;
}

const adminTime = (date = new Date()) => date.toISOString().slice(0, 19).replace('T', ' ');
const payloadTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+0000');
const bad = (...issues: string[]): WebhookResult => ({ status: 400, value: { errors: [{ error: 'Invalid request body', issues }] } });
const missing = (id: string): WebhookResult => ({ status: 404, value: { errors: [{ error: `No webhook was found with ID: ${id}.` }] } });

/** A sandbox may deliver to plain http on loopback; anything else must be https, as BambooHR requires. */
const isAllowedUrl = (url: string): boolean => {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return true;
    return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
};

/** PHP-style form encoding, brackets left readable as in BambooHR's documented sample. */
function formEncode(value: unknown, prefix: string, out: string[]): string[] {
  if (Array.isArray(value)) value.forEach((item, i) => formEncode(item, `${prefix}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) formEncode(item, prefix ? `${prefix}[${key}]` : key, out);
  } else out.push(`${prefix}=${encodeURIComponent(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '')}`);
  return out;
}

export class WebhookHub {
  private hooks = new Map<string, Webhook>();
  private nextId = 1;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private settled: Delivery[] = [];

  constructor(private readonly options: WebhookHubOptions) {
    options.store.onChange((change) => this.dispatch(change));
  }

  reset(): void {
    this.hooks = new Map();
    this.nextId = 1;
    this.settled = [];
  }

  create(body: Record<string, unknown>): WebhookResult {
    const issues: string[] = [];
    const { name, url, format } = body;
    if (typeof name !== 'string' || name === '') issues.push('name is required');
    if (typeof url !== 'string' || !isAllowedUrl(url)) issues.push('url must begin with https://');
    if (format !== 'json' && format !== 'form-encoded') issues.push('format must be json or form-encoded');
    const events = (body.events ?? LEGACY_DEFAULT) as unknown;
    if (!Array.isArray(events) || events.some((e) => !EVENT_TYPES.includes(e as EventType))) issues.push(`events must be some of ${EVENT_TYPES.join(', ')}`);
    else if (new Set(events.map((e: string) => e.startsWith('employee_with_fields.'))).size > 1)
      issues.push('cannot mix employee_with_fields events with employee events');
    const monitor = Array.isArray(body.monitorFields) ? body.monitorFields.map(String) : [];
    const watchesUpdates = Array.isArray(events) && events.some((e) => String(e).endsWith('.updated'));
    if (watchesUpdates && monitor.length === 0) issues.push('monitorFields is required for update events');
    const postFields = body.postFields && typeof body.postFields === 'object' ? (body.postFields as Record<string, unknown>) : {};
    if (issues.length > 0) return bad(...issues);

    const unknownFields = [...monitor, ...Object.keys(postFields)].filter((key) => !this.field(key));
    if (unknownFields.length > 0) {
      return { status: 403, value: { errors: [{ error: 'Permission denied to the following fields', unknownFields }] } };
    }
    const hook: Webhook = {
      id: String(this.nextId++),
      name: name as string,
      url: url as string,
      format: format as Webhook['format'],
      monitorFields: monitor.length > 0 ? monitor.map((key) => this.field(key)?.alias ?? key) : null,
      postFields: Object.fromEntries(Object.entries(postFields).map(([key, as]) => [this.field(key)?.alias ?? key, String(as)])),
      events: events as EventType[],
      includeCompanyDomain: body.includeCompanyDomain === true,
      created: adminTime(),
      lastSent: null,
      privateKey: randomBytes(24).toString('hex'),
    };
    this.hooks.set(hook.id, hook);
    return { status: 201, value: this.describe(hook, true) };
  }

  list(): WebhookResult {
    const webhooks = [...this.hooks.values()].map(({ id, name, created, lastSent, url }) => ({ id, name, created, lastSent, url }));
    return { status: 200, value: { webhooks } };
  }

  get(id: string): WebhookResult {
    const hook = this.hooks.get(id);
    return hook ? { status: 200, value: this.describe(hook, false) } : missing(id);
  }

  remove(id: string): WebhookResult {
    return this.hooks.delete(id) ? { status: 200, value: 'Web hook has been deleted.' } : missing(id);
  }

  /** Awaits every delivery in flight (retries included) and returns those settled since the last flush. */
  async flush(): Promise<Delivery[]> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    const settled = this.settled;
    this.settled = [];
    return settled;
  }

  private field(key: string) {
    return this.options.store.fields.field(key);
  }

  private describe(hook: Webhook, withKey: boolean): Record<string, unknown> {
    const { privateKey, ...shown } = hook;
    return withKey ? { ...shown, privateKey } : shown;
  }

  private dispatch(change: EmployeeChange): void {
    for (const hook of this.hooks.values()) {
      const payload = this.payloadFor(hook, change);
      if (payload) this.enqueue(hook, change, payload);
    }
  }

  private payloadFor(hook: Webhook, change: EmployeeChange): Record<string, unknown> | undefined {
    const monitored = change.changedFields.filter((alias) => hook.monitorFields?.includes(alias));
    const isUpdate = change.event === 'employee.updated';
    if (isUpdate && monitored.length === 0) return undefined;
    const now = new Date();
    if (hook.events.includes(change.event)) {
      const data: Record<string, unknown> = { companyId: this.options.companyId, employeeId: String(change.employeeId) };
      if (isUpdate) data.changedFields = monitored;
      return { type: change.event, timestamp: payloadTime(now), data };
    }
    const legacy = `employee_with_fields.${isUpdate ? 'updated' : 'created'}` as const;
    if (!hook.events.includes(legacy)) return undefined;
    const record = this.options.store.employee(change.employeeId);
    const values = record ? currentValues(record, this.options.store.today, this.options.store) : new Map();
    const fields = Object.fromEntries(Object.entries(hook.postFields).map(([alias, as]) => [as, values.get(alias) ?? null]));
    const changedFields = monitored.map((alias) => this.field(alias)?.name ?? alias);
    const employee = { id: String(change.employeeId), action: isUpdate ? 'Updated' : 'Created', timestamp: payloadTime(now), changedFields, fields };
    return { employees: [employee] };
  }

  private enqueue(hook: Webhook, change: EmployeeChange, payload: Record<string, unknown>): void {
    // The documented form encoding of an event carries no timestamp (the header has it).
    const form = Object.fromEntries(Object.entries(payload).filter(([key]) => key !== 'timestamp'));
    const body = hook.format === 'json' ? JSON.stringify(payload) : formEncode(form, '', []).join('&');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const delivery: Delivery = {
      webhookId: hook.id,
      event: change.event,
      employeeId: String(change.employeeId),
      body,
      timestamp,
      signature: createHmac('sha256', hook.privateKey)
        .update(body + timestamp)
        .digest('hex'),
      attempts: 0,
      status: 0,
      delivered: false,
    };
    const previous = this.chains.get(hook.id) ?? Promise.resolve();
    const run = previous.then(() => this.deliver(hook, delivery));
    this.chains.set(hook.id, run);
    this.pending.add(run);
    void run.finally(() => {
      this.pending.delete(run);
      if (this.chains.get(hook.id) === run) this.chains.delete(hook.id);
    });
  }

  private async deliver(hook: Webhook, delivery: Delivery): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': hook.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      'User-Agent': 'BambooHR-WebHooks/1.0 (+https://www.bamboohr.com)',
      'X-BambooHR-Timestamp': delivery.timestamp,
      'X-BambooHR-Signature': delivery.signature,
    };
    if (hook.includeCompanyDomain) headers['company-domain'] = this.options.companyDomain;
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt += 1) {
      delivery.attempts = attempt + 1;
      try {
        const response = await fetch(hook.url, { method: 'POST', headers, body: delivery.body, signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        delivery.status = response.status;
      } catch {
        delivery.status = 0;
      }
      if (delivery.status >= 200 && delivery.status < 300) {
        delivery.delivered = true;
        hook.lastSent = adminTime();
        break;
      }
      // A 4xx is the receiver refusing the message, which BambooHR does not retry.
      if (delivery.status >= 400 && delivery.status < 500) break;
      const wait = delays[attempt];
      if (wait === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.settled.push(delivery);
  }
}
