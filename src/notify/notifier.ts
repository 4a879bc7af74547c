/**
 * Notifications out: run events (from the progress bus's observer) and connection events (from
 * whoever watches the connections) become deliveries to each tenant's targets — a signed webhook
 * (webhook.ts) or an email with the run's report attached (email.ts), through the same outbox.
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
import type { Clock } from '../clock.js';
import { upgradeRecord, type StoredSyncRecord, type SyncRun, type SyncRunStatus } from '../core/run.js';
import { retryDelayMs } from '../datasources/retry.js';
import type { UpstreamSystem } from '../errors.js';
import { reportCsv, reportFileName } from '../reports.js';
import type { Decision } from '../store/atomic.js';
import type { NotificationDeliveryEntry, NotificationRepository, NotificationTargetEntry } from '../store/notifications.js';
import type { SecretRepository } from '../store/secrets.js';
import type { ProgressEvent } from '../sync/progress.js';
import type { Logger } from '../telemetry/log.js';
import { createMailer, mailOf, type Mail, type SmtpSettings } from './email.js';
import type { DeliveryOutcome, NotificationPayload } from './payload.js';
import { targetSecretName, type NotificationEvent } from './targets.js';
import { createWebhookSender } from './webhook.js';

/** For the connections' health: a tenant's connection to an upstream went into ERROR, or came out of it. */
export interface ConnectionNotice {
  type: 'CONNECTION_ERROR' | 'CONNECTION_RECOVERED';
  system: UpstreamSystem;
  /** What went wrong, as a person should read it; never a credential. */
  error?: string;
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
  /** A run's records, for the report an email attaches. */
  records: { all(tenant: string, runId: string): Promise<StoredSyncRecord[]> };
}

export interface NotifierOptions {
  store: NotifierStore;
  clock: Clock;
  log: Logger;
  policy?: Partial<DeliveryPolicy>;
  /** Where email targets' messages are sent; without it this process sends no email (and admins may add no email target). @default none */
  smtp?: SmtpSettings;
  /** For the backoff's jitter. @default Math.random */
  random?: () => number;
}

export interface Notifier {
  /** Whether this process can send email (SMTP is configured): an email target is refused without it. */
  readonly email: boolean;
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

/**
 * An attempt holds its delivery for this many timeouts — an SMTP exchange may wait up to one each to
 * connect, for the greeting and for each reply — and a margin for the writes around it.
 */
const HOLD_TIMEOUTS = 3;
const HOLD_MARGIN_MS = 5_000;
/** Run events an observer remembers having seen, so repeats cost no store read; the store's dedupe is the rule. */
const SEEN_LIMIT = 1_000;

type Claim = { kind: 'settled' } | { kind: 'later'; at: number } | { kind: 'claimed'; entry: NotificationDeliveryEntry };

export function createNotifier(options: NotifierOptions): Notifier {
  const { store, clock, log } = options;
  const policy = { ...DELIVERY_DEFAULTS, ...options.policy };
  const random = options.random ?? Math.random;
  const webhooks = createWebhookSender({ clock, timeoutMs: policy.timeoutMs });
  const mailer = options.smtp && createMailer(options.smtp, policy.timeoutMs);
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
    const holdUntil = started + HOLD_TIMEOUTS * policy.timeoutMs + HOLD_MARGIN_MS;
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
    const outcome = target ? await deliver(tenant, target, entry) : REMOVED;
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
      to: target ? where(target) : undefined,
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

  async function deliver(tenant: string, target: NotificationTargetEntry, entry: NotificationDeliveryEntry): Promise<DeliveryOutcome> {
    if (target.email === undefined) {
      const secret = await store.secrets.get(tenant, targetSecretName(target.id));
      return secret ? webhooks.send(target.url, entry.body, secret) : REMOVED;
    }
    // Another process, configured alike, may send it: every process that runs syncs needs ROSTERGATE_SMTP_*.
    if (!mailer) return { ok: false, retry: true, error: 'this process has no SMTP configured (ROSTERGATE_SMTP_URL)' };
    let mail: Mail;
    try {
      mail = await mailFor(tenant, entry);
    } catch (error) {
      log.error({ tenant, deliveryId: entry.id, err: error }, 'notification email could not be written');
      return { ok: false, retry: true, error: "the run's report could not be read" };
    }
    return mailer.send(target.email, mail);
  }

  /** The email of a delivery: its stored payload, and for a run the report as it stands when the mail is sent. */
  async function mailFor(tenant: string, entry: NotificationDeliveryEntry): Promise<Mail> {
    const payload = JSON.parse(entry.body) as NotificationPayload;
    const run = entry.runId === null ? null : await store.runs.get(tenant, entry.runId);
    if (!run) return mailOf(payload, null);
    const records = (await store.records.all(tenant, run.id)).map(upgradeRecord);
    return mailOf(payload, { filename: reportFileName(run), csv: reportCsv(run, records) });
  }

  return {
    email: mailer !== undefined,
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
      mailer?.close();
      await webhooks.close();
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

const REMOVED: DeliveryOutcome = { ok: false, retry: false, error: 'the target was removed' };

/** Where a target is, as a log line may say it: a webhook's host, an email's domain. */
function where(target: NotificationTargetEntry): string {
  return target.email === undefined ? new URL(target.url).host : `@${target.email.split('@').pop() ?? ''}`;
}
