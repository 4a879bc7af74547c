/**
 * Inbound BambooHR webhooks: verify the signature, drop replays and duplicates, and turn the changed
 * employees into a targeted sync. Changes that arrive while another run holds the source wait and go
 * in the next run, so none is lost and runs never overlap.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type Keyv from 'keyv';
import { REPORT_FIELDS } from '../datasources/bamboohr/mapping.js';
import type { UpstreamClient } from '../datasources/http.js';
import { UnauthenticatedError, UpstreamError } from '../errors.js';
import type { SyncEngine } from './engine.js';

export interface WebhookIntakeOptions {
  engine: SyncEngine;
  /** Used to remember delivered signatures. */
  keyv: Keyv;
  tenant: string;
  /** The webhook's private key, as BambooHR returned it at creation. */
  privateKey: () => Promise<string | undefined>;
  /** Quiet time after the last delivery before a run starts, ms: a burst of edits becomes one run. @default 1000 */
  gatherMs?: number;
  /** Longest a change waits for the burst to end, ms. @default 10 × gatherMs */
  maxGatherMs?: number;
  /** Oldest delivery accepted, ms; older ones are treated as replays. @default 900_000 */
  maxAgeMs?: number;
}

export interface WebhookIntake {
  /** Verifies and queues a delivery; throws UnauthenticatedError for a bad or replayed one. Returns the queued employee ids. */
  receive(rawBody: Buffer, headers: { timestamp?: string; signature?: string }): Promise<string[]>;
  /** Resolves when every queued change has been handed to a run and that run has ended. */
  drain(): Promise<void>;
  close(): void;
}

export function signWebhook(privateKey: string, rawBody: Buffer | string, timestamp: string): string {
  // BambooHR signs the body with the timestamp appended, no separator.
  return createHmac('sha256', privateKey).update(Buffer.concat([Buffer.from(rawBody), Buffer.from(timestamp)])).digest('hex');
}

/** Unix seconds or an ISO date: BambooHR's documentation shows both. */
function timestampMs(value: string): number | undefined {
  const parsed = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function employeeIdsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as { data?: { employeeId?: unknown }; employees?: { id?: unknown }[] };
  // Event-based deliveries name one employee; legacy field-based ones may batch several.
  const ids = [record.data?.employeeId, ...(record.employees ?? []).map((e) => e.id)];
  return ids.filter((id): id is string | number => typeof id === 'string' || typeof id === 'number').map(String);
}

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const gatherMs = options.gatherMs ?? 1000;
  const maxAgeMs = options.maxAgeMs ?? 900_000;
  const maxGatherMs = options.maxGatherMs ?? gatherMs * 10;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  /** When the oldest change still gathering arrived. */
  let gatheringSince = 0;
  let flushing: Promise<void> = Promise.resolve();

  // Every delivery restarts the quiet period, so a burst of edits (an HR import) becomes one run, each
  // of which re-reads every Litmos user; the cap keeps a steady trickle from postponing runs forever.
  const schedule = () => {
    if (timer) clearTimeout(timer);
    else gatheringSince = Date.now();
    const wait = Math.max(0, Math.min(gatherMs, gatheringSince + maxGatherMs - Date.now()));
    timer = setTimeout(() => {
      timer = undefined;
      flushing = flushing.then(flush).catch((error: unknown) => console.error('webhook sync failed to start', error));
    }, wait);
  };

  async function flush(): Promise<void> {
    while (pending.size > 0) {
      const ids = [...pending];
      pending.clear();
      const { joined } = await options.engine.start({ source: 'BAMBOOHR', trigger: 'WEBHOOK', scope: ids });
      await options.engine.idle();
      // Another run held the source: these changes were not in it, so they go in the next one.
      if (joined) for (const id of ids) pending.add(id);
    }
  }

  return {
    async receive(rawBody, headers) {
      const key = await options.privateKey();
      const { timestamp, signature } = headers;
      if (!key) throw new UnauthenticatedError('no BambooHR webhook is registered for this tenant');
      if (!timestamp || !signature) throw new UnauthenticatedError('X-BambooHR-Timestamp and X-BambooHR-Signature are required');
      const expected = Buffer.from(signWebhook(key, rawBody, timestamp), 'hex');
      const received = Buffer.from(signature, 'hex');
      if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
        throw new UnauthenticatedError('the webhook signature does not match its body and timestamp');
      }
      const sentAt = timestampMs(timestamp);
      if (sentAt !== undefined && Math.abs(Date.now() - sentAt) > maxAgeMs) {
        throw new UnauthenticatedError(`the webhook timestamp ${timestamp} is too old to accept`);
      }
      const seenKey = `webhook-seen:${options.tenant}:${signature}`;
      if (await options.keyv.get(seenKey)) return [];
      await options.keyv.set(seenKey, true, maxAgeMs * 2);

      const ids = employeeIdsOf(JSON.parse(rawBody.toString('utf8') || '{}'));
      for (const id of ids) pending.add(id);
      if (ids.length > 0) schedule();
      return ids;
    },
    async drain() {
      while (timer || pending.size > 0) {
        await new Promise((resolve) => setTimeout(resolve, gatherMs));
        await flushing;
      }
      await flushing;
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}


/**
 * Registers `url` as an event-based BambooHR webhook and returns its id and private key. The key is
 * returned by BambooHR only once, at creation: the caller stores it encrypted and never shows it.
 */
export async function registerBambooHrWebhook(
  http: UpstreamClient,
  options: { url: string; accessFlagField: string },
): Promise<{ id: string; privateKey: string }> {
  // The access flag is a custom field: BambooHR monitors it by its alias or id, known from its name.
  const meta = await http.request({ method: 'GET', path: '/meta/fields', headers: { accept: 'application/json' } });
  const flag = (JSON.parse(meta.body) as { id: unknown; name?: string; alias?: string }[]).find((field) => field.name === options.accessFlagField);
  const response = await http.request({
    method: 'POST',
    path: '/webhooks',
    // Creating twice would deliver every change twice; a lost answer is retried by the caller, knowingly.
    idempotent: false,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      name: 'rostergate',
      url: options.url,
      format: 'json',
      events: ['employee.created', 'employee.updated'],
      // The fields the gateway reads are the ones whose change can matter to Litmos.
      monitorFields: [...REPORT_FIELDS, ...(flag ? [flag.alias ?? String(flag.id)] : [])],
    }),
  });
  const created = JSON.parse(response.body) as { id?: unknown; privateKey?: unknown };
  const missing = typeof created.id !== 'string' && typeof created.id !== 'number' ? 'an id' : typeof created.privateKey !== 'string' ? 'a private key' : null;
  if (missing) {
    throw new UpstreamError('bamboohr', response.status, `the webhook creation was answered without ${missing}`, { code: 'UPSTREAM_BAD_RESPONSE', retryable: false });
  }
  return { id: String(created.id), privateKey: String(created.privateKey) };
}
