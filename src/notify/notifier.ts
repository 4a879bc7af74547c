/**
 * Notifications out: run events (from the progress bus's observer) and connection events (from
 * whoever watches the connections) become signed webhook deliveries to each tenant's targets.
 *
 * Durable: a delivery is written to the store (an outbox per tenant) before its first attempt, and
 * every attempt's outcome after it; a starting process resumes the pending ones (`resume`). Attempts
 * are held by compare-and-set for the length of a request, so processes sharing a store never send
 * one at once. Retries follow the stored `nextAttemptAt`, not an in-memory loop: that is why no retry
 * library (p-retry and its kind keep the schedule in the process) fits here; the backoff itself is the
 * upstream client's (capped exponential with full jitter, datasources/retry.ts), and so is the
 * reading of `Retry-After`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Clock } from '../clock.js';
import type { SyncCounts, SyncRun, SyncRunStatus, SyncTrigger } from '../core/run.js';
import { parseRetryAfter, retryDelayMs } from '../datasources/retry.js';
import type { UpstreamSystem } from '../errors.js';
import type { Source } from '../model.js';
import type { Decision } from '../store/atomic.js';
import type { NotificationDeliveryEntry, NotificationRepository } from '../store/notifications.js';
import type { SecretRepository } from '../store/secrets.js';
import type { ProgressEvent } from '../sync/progress.js';
import type { Logger } from '../telemetry/log.js';
import { VERSION } from '../version.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signNotification } from './signature.js';
import { targetSecretName, type NotificationEvent } from './targets.js';

/** For the connections' health: a tenant's connection to an upstream went into ERROR, or came out of it. */
export interface ConnectionNotice {
  type: 'CONNECTION_ERROR' | 'CONNECTION_RECOVERED';
  system: UpstreamSystem;
  /** What went wrong, as a person should read it; never a credential. */
  error?: string;
}

export interface RunEventData {
  runId: string;
  source: Source | null;
  status: SyncRunStatus;
  trigger: SyncTrigger | null;
  dryRun: boolean;
  counts: SyncCounts;
  error?: string;
  /** The run's CSV report, as a path on the gateway (which does not know the address it is reached at). */
  reportUrl: string;
}

export interface ConnectionEventData {
  system: UpstreamSystem;
  error?: string;
}

/** The JSON body of every delivery. `id` names the event: the same for every target and every attempt. */
export interface NotificationPayload {
  id: string;
  type: NotificationEvent;
  occurredAt: string;
  tenant: string;
  data: RunEventData | ConnectionEventData;
}

export interface DeliveryPolicy {
  /** Attempts per delivery, the first included. */
  attempts: number;
  /** Backoff ceiling before the first retry, ms; it doubles with each further retry. */
  retryBaseMs: number;
  /** Longest wait between two attempts, ms (a `Retry-After` is cut to it too). */
  retryMaxMs: number;
  /** Longest one attempt may take, connecting included, ms. */
  timeoutMs: number;
}

export const DELIVERY_DEFAULTS: DeliveryPolicy = { attempts: 10, retryBaseMs: 5_000, retryMaxMs: 900_000, timeoutMs: 10_000 };

/** What the notifier needs of the store. */
export interface NotifierStore {
  notifications: NotificationRepository;
  secrets: SecretRepository;
  runs: { get(tenant: string, id: string): Promise<SyncRun | null> };
}

export interface NotifierOptions {
  store: NotifierStore;
  clock: Clock;
  log: Logger;
  policy?: Partial<DeliveryPolicy>;
  /** For the backoff's jitter. @default Math.random */
  random?: () => number;
}

export interface Notifier {
  /** A tenant's progress-bus observer: a run reaching SUCCEEDED, PARTIAL, FAILED or AWAITING_APPROVAL notifies once per run and status. */
  observer(tenant: string): (event: ProgressEvent) => void;
  /** Writes a connection event's deliveries (resolves once they are stored) and sends them. */
  notify(tenant: string, notice: ConnectionNotice): Promise<void>;
  /** Sends every tenant's pending deliveries, each when it is due: what a starting process does. */
  resume(): Promise<void>;
  /** Stops attempting (what is pending stays pending, for the next start) once the attempts in flight end. */
  close(): Promise<void>;
}

const RUN_EVENTS: Partial<Record<SyncRunStatus, NotificationEvent>> = {
  SUCCEEDED: 'RUN_SUCCEEDED',
  PARTIAL: 'RUN_PARTIAL',
  FAILED: 'RUN_FAILED',
  AWAITING_APPROVAL: 'RUN_AWAITING_APPROVAL',
};

/** An attempt holds its delivery this much longer than the request may take, for the writes around it. */
const HOLD_MARGIN_MS = 5_000;
/** Run events an observer remembers having seen, so repeats cost no store read; the store's dedupe is the rule. */
const SEEN_LIMIT = 1_000;

type Claim = { kind: 'settled' } | { kind: 'later'; at: number } | { kind: 'claimed'; entry: NotificationDeliveryEntry };

interface Outcome {
  ok: boolean;
  status?: number;
  error?: string;
  retry: boolean;
  retryAfterMs?: number;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { store, clock, log } = options;
  const policy = { ...DELIVERY_DEFAULTS, ...options.policy };
  const random = options.random ?? Math.random;
  const agent = new Agent({ connect: { timeout: policy.timeoutMs } });
  const timers = new Map<string, NodeJS.Timeout>();
  const tasks = new Set<Promise<unknown>>();
  let closed = false;

  /** Keeps `work` in view until it ends, so `close` waits for it. */
  function track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = work.then(
      () => tasks.delete(settled),
      () => tasks.delete(settled),
    );
    tasks.add(settled);
    return work;
  }

  function schedule(tenant: string, id: string, atMs: number): void {
    if (closed) return;
    const key = `${tenant}\n${id}`;
    clearTimeout(timers.get(key));
    const timer = setTimeout(
      () => {
        timers.delete(key);
        track(attempt(tenant, id)).catch((error: unknown) => log.error({ tenant, deliveryId: id, err: error }, 'notification attempt failed to run'));
      },
      Math.max(0, atMs - clock().getTime()),
    );
    timer.unref();
    timers.set(key, timer);
  }

  /** One delivery per target that takes `type`; `build` runs only when there is one. */
  async function enqueue(tenant: string, type: NotificationEvent, runId: string | null, build: () => Promise<NotificationPayload>): Promise<void> {
    const targets = (await store.notifications.targets(tenant)).filter((target) => target.events.includes(type));
    if (targets.length === 0) return;
    const payload = await build();
    const body = JSON.stringify(payload);
    const now = clock().toISOString();
    for (const target of targets) {
      const id = `ntd_${digest(`${target.id}\n${payload.id}`)}`;
      const fresh = await store.notifications.enqueue(tenant, {
        id,
        targetId: target.id,
        event: type,
        runId,
        body,
        state: 'PENDING',
        attempts: 0,
        lastStatus: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        deliveredAt: null,
        nextAttemptAt: now,
        heldUntil: 0,
      });
      if (fresh) schedule(tenant, id, clock().getTime());
    }
  }

  async function runPayload(tenant: string, type: NotificationEvent, event: ProgressEvent): Promise<NotificationPayload> {
    // The event is published once the run's change is stored: the run says what the event does not.
    const run = await store.runs.get(tenant, event.runId);
    const error = run?.error ?? (event.status === 'FAILED' ? event.message : null);
    return {
      id: `evt_${digest(`${tenant}\n${event.runId}\n${event.status}`)}`,
      type,
      occurredAt: event.at,
      tenant,
      data: {
        runId: event.runId,
        source: run?.source ?? null,
        status: event.status,
        trigger: run?.trigger ?? null,
        dryRun: run?.dryRun ?? false,
        counts: run?.counts ?? event.counts,
        ...(error && { error }),
        reportUrl: `/reports/${encodeURIComponent(event.runId)}.csv`,
      },
    };
  }

  async function attempt(tenant: string, id: string): Promise<void> {
    if (closed) return;
    const started = clock().getTime();
    const holdUntil = started + policy.timeoutMs + HOLD_MARGIN_MS;
    const claim = await store.notifications.update<Claim>(tenant, id, (entry) => {
      if (entry?.state !== 'PENDING') return { keep: true, result: { kind: 'settled' } };
      const due = Math.max(entry.heldUntil, dueOf(entry));
      if (due > started) return { keep: true, result: { kind: 'later', at: due } };
      return { write: { ...entry, heldUntil: holdUntil }, result: { kind: 'claimed', entry } };
    });
    if (claim.kind === 'later') schedule(tenant, id, claim.at);
    if (claim.kind !== 'claimed') return;
    const { entry } = claim;
    const target = await store.notifications.target(tenant, entry.targetId);
    const secret = target && (await store.secrets.get(tenant, targetSecretName(target.id)));
    const outcome: Outcome = target && secret ? await send(target.url, entry.body, secret) : { ok: false, retry: false, error: 'the target was removed' };
    const now = clock();
    const settled = await store.notifications.update<NotificationDeliveryEntry | null>(tenant, id, (current) => {
      // Another process took it over after our hold lapsed: its attempt is the one that counts.
      if (current?.state !== 'PENDING' || current.heldUntil !== holdUntil) return { keep: true, result: null };
      const attempts = current.attempts + 1;
      const next: NotificationDeliveryEntry = {
        ...current,
        attempts,
        heldUntil: 0,
        updatedAt: now.toISOString(),
        lastStatus: outcome.status ?? null,
        lastError: outcome.error ?? null,
      };
      if (outcome.ok) return done({ ...next, state: 'DELIVERED', deliveredAt: now.toISOString(), nextAttemptAt: null });
      if (!outcome.retry || attempts >= policy.attempts) return done({ ...next, state: 'FAILED', nextAttemptAt: null });
      const delayMs = retryDelayMs(
        attempts - 1,
        outcome.retryAfterMs,
        { retries: policy.attempts, baseDelayMs: policy.retryBaseMs, maxDelayMs: policy.retryMaxMs, maxRetryAfterMs: policy.retryMaxMs },
        random,
      );
      return done({ ...next, nextAttemptAt: new Date(now.getTime() + delayMs).toISOString() });
    });
    if (!settled) return;
    const line = {
      tenant,
      targetId: settled.targetId,
      deliveryId: id,
      event: settled.event,
      runId: settled.runId ?? undefined,
      host: target ? new URL(target.url).host : undefined,
      attempt: settled.attempts,
      status: settled.lastStatus ?? undefined,
      error: settled.lastError ?? undefined,
    };
    if (settled.state === 'DELIVERED') log.info(line, 'notification delivered');
    else if (settled.state === 'FAILED') log.warn(line, 'notification given up');
    else {
      log.info({ ...line, nextAttemptAt: settled.nextAttemptAt }, 'notification attempt failed; retrying');
      schedule(tenant, id, dueOf(settled));
    }
  }

  /** One POST, signed at the moment it is sent. Retried: no answer, a timeout, 429 and 5xx; other statuses are the receiver's final word. */
  async function send(url: string, body: string, secret: string): Promise<Outcome> {
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': `rostergate/${VERSION}`,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signNotification(secret, body, timestamp),
        },
        body,
        headersTimeout: policy.timeoutMs,
        bodyTimeout: policy.timeoutMs,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status, retry: false };
      const retry = status === 429 || status >= 500;
      const retryAfter = response.headers['retry-after'];
      const retryAfterMs = retry ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, clock().getTime()) : undefined;
      return { ok: false, status, error: `answered ${status}`, retry, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    } catch (error) {
      return { ok: false, retry: true, error: failureOf(error, policy.timeoutMs) };
    }
  }

  return {
    observer(tenant) {
      const seen = new Set<string>();
      return (event) => {
        const type = RUN_EVENTS[event.status];
        const key = `${event.runId}\n${event.status}`;
        if (!type || seen.has(key)) return;
        seen.add(key);
        if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value ?? key);
        track(enqueue(tenant, type, event.runId, () => runPayload(tenant, type, event))).catch((error: unknown) =>
          log.error({ tenant, runId: event.runId, event: type, err: error }, 'notification not written'),
        );
      };
    },
    notify(tenant, { type, system, error }) {
      return track(
        enqueue(tenant, type, null, async () => ({
          id: `evt_${randomBytes(16).toString('hex')}`,
          type,
          occurredAt: clock().toISOString(),
          tenant,
          data: { system, ...(error && { error }) },
        })),
      );
    },
    async resume() {
      // A retry the previous process put further off than this one's longest wait is brought forward
      // to it: a lowered ROSTERGATE_NOTIFY_RETRY_MAX_MS applies to what is pending too.
      const latest = clock().getTime() + policy.retryMaxMs;
      const bringForward = (entry: NotificationDeliveryEntry | undefined): Decision<NotificationDeliveryEntry, null> =>
        entry?.state === 'PENDING' && dueOf(entry) > latest
          ? { write: { ...entry, nextAttemptAt: new Date(latest).toISOString() }, result: null }
          : { keep: true, result: null };
      for (const tenant of await store.notifications.tenants()) {
        for (const entry of await store.notifications.pending(tenant)) {
          if (dueOf(entry) > latest) await store.notifications.update(tenant, entry.id, bringForward);
          schedule(tenant, entry.id, Math.max(entry.heldUntil, Math.min(dueOf(entry), latest)));
        }
      }
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      while (tasks.size > 0) await Promise.all(tasks);
      await agent.close();
    },
  };
}

function done(entry: NotificationDeliveryEntry) {
  return { write: entry, result: entry };
}

function dueOf(entry: NotificationDeliveryEntry): number {
  return entry.nextAttemptAt === null ? 0 : Date.parse(entry.nextAttemptAt);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Why no answer came, by the error's code: undici's messages may carry the address, which may carry a token. */
function failureOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const code = codeOf(error) ?? codeOf(error instanceof Error ? error.cause : undefined);
  if (code?.endsWith('_TIMEOUT')) return `no answer within ${timeoutMs} ms (${code})`;
  return `no answer (${code ?? 'network error'})`;
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
