import type Keyv from 'keyv';
import { AtomicState } from './atomic.js';
import { openBackend, type Backend } from './backend.js';
import { CACHE_NAMESPACE, STATE_NAMESPACE } from './connection.js';
import { JournalRepository } from './journal.js';
import { LinkRepository } from './links.js';
import { NotificationRepository } from './notifications.js';
import { WebhookOutbox } from './outbox.js';
import { KeyedMutex } from './lock.js';
import { PlanRepository } from './plans.js';
import { RunRecordRepository, type RunRecordShape } from './records.js';
import { RunRepository, type RunShape } from './runs.js';
import { sealEntries } from './seal.js';
import { assertSecretKey, SecretRepository } from './secrets.js';
import { SettingsRepository } from './settings.js';
import { TokenRepository } from './tokens.js';
import { ScheduleRepository } from './schedules.js';
import { HoldRepository } from './holds.js';

export interface OpenStoreOptions {
  /**
   * Where state lives; no default (configuration decides). `sqlite:<path>` (directory created),
   * `sqlite::memory:`, `postgres://…` with optional `?schema=` and `?table=`, or `redis://…` with
   * optional `?prefix=`.
   */
  url: string;
  /**
   * 32 bytes sealing (AES-256-GCM) every value the store writes, state and cache alike, and upstream
   * credentials once more on their own; from `loadOrCreateSecretKey` or `parseSecretKey`.
   */
  secretKey: Buffer;
  /** How long connecting or a readiness ping may take before the backend counts as unreachable, ms. @default 5_000 */
  timeoutMs?: number;
}

/** All gateway state, scoped by tenant, over one keyv backend. */
export interface Store<TRun extends RunShape = RunShape, TRecord extends RunRecordShape = RunRecordShape, TSchedule extends { id: string } = { id: string }> {
  runs: RunRepository<TRun>;
  records: RunRecordRepository<TRecord>;
  /** Each run's plan, in chunks. */
  plans: PlanRepository;
  journal: JournalRepository;
  links: LinkRepository;
  settings: SettingsRepository;
  secrets: SecretRepository;
  tokens: TokenRepository;
  /** Sync schedules per tenant (their shape is the caller's). */
  schedules: ScheduleRepository<TSchedule>;
  /** Holds per tenant: who keeps their learner as it is, until when (their shape is the caller's). */
  holds: HoldRepository;
  /** Accepted webhook deliveries until a run has applied them. */
  outbox: WebhookOutbox;
  /** Notification targets and their deliveries (an outbox per tenant, and the delivery log). */
  notifications: NotificationRepository;
  /**
   * Namespace "cache": upstream reads with TTLs, sealed like the rest. Keys are the caller's and stored
   * as they are: start them with the tenant, and keep personal data out of them.
   */
  cache: Keyv;
  /** The backend without credentials, e.g. `postgres 127.0.0.1:5432/test public.keyv`, for logs. */
  address: string;
  /** A request-rate limiter shared by every process on this store where the backend allows it (Redis). */
  limiter: Backend['limiter'];
  /** For readiness: resolves after a round trip, throws `ConfigError` naming the backend when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store a URL names and checks it answers; fails with `ConfigError` for a malformed URL,
 * a secret key of the wrong size or an unreachable server.
 */
export async function openStore<
  TRun extends RunShape = RunShape,
  TRecord extends RunRecordShape = RunRecordShape,
  TSchedule extends { id: string } = { id: string },
>(options: OpenStoreOptions): Promise<Store<TRun, TRecord, TSchedule>> {
  assertSecretKey(options.secretKey);
  const backend = await openBackend({ url: options.url, timeoutMs: options.timeoutMs });
  // HR data (names, work emails) sits in run records, plans, the journal and the read cache: sealing
  // every value keeps all of it, and whatever is stored next, unreadable without the key.
  const state = sealEntries(backend.state, { key: options.secretKey, namespace: STATE_NAMESPACE });
  const cache = sealEntries(backend.cache, { key: options.secretKey, namespace: CACHE_NAMESPACE, unreadable: 'miss' });
  const atomic = new AtomicState(state, backend.swap);
  const locks = new KeyedMutex();
  return {
    runs: new RunRepository<TRun>(state, atomic, locks),
    records: new RunRecordRepository<TRecord>(state, locks),
    plans: new PlanRepository(state),
    journal: new JournalRepository(state, atomic),
    links: new LinkRepository(state, locks),
    settings: new SettingsRepository(state, atomic),
    secrets: new SecretRepository(state, options.secretKey),
    tokens: new TokenRepository(state, locks, atomic),
    schedules: new ScheduleRepository<TSchedule>(state, atomic),
    holds: new HoldRepository(atomic),
    outbox: new WebhookOutbox(state, locks),
    notifications: new NotificationRepository(state, atomic),
    cache,
    address: backend.address,
    limiter: (options) => backend.limiter(options),
    ping: async () => backend.ping(),
    close: async () => backend.close(),
  };
}
