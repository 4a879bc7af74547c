import type Keyv from 'keyv';
import { openBackend } from './backend.js';
import { JournalRepository } from './journal.js';
import { LinkRepository } from './links.js';
import { WebhookOutbox } from './outbox.js';
import { KeyedMutex } from './lock.js';
import { RunRecordRepository, type RunRecordShape } from './records.js';
import { RunRepository, type RunShape } from './runs.js';
import { assertSecretKey, SecretRepository } from './secrets.js';
import { SettingsRepository } from './settings.js';
import { TokenRepository } from './tokens.js';

export interface OpenStoreOptions {
  /**
   * Where state lives; no default (configuration decides). `sqlite:<path>` (directory created),
   * `sqlite::memory:`, `postgres://…` with optional `?schema=` and `?table=`, or `redis://…` with
   * optional `?prefix=`.
   */
  url: string;
  /** 32 bytes sealing upstream credentials (AES-256-GCM); from `loadOrCreateSecretKey` or `parseSecretKey`. */
  secretKey: Buffer;
  /** How long connecting or a readiness ping may take before the backend counts as unreachable, ms. @default 5_000 */
  timeoutMs?: number;
}

/** All gateway state, scoped by tenant, over one keyv backend. */
export interface Store<TRun extends RunShape = RunShape, TRecord extends RunRecordShape = RunRecordShape> {
  runs: RunRepository<TRun>;
  records: RunRecordRepository<TRecord>;
  journal: JournalRepository;
  links: LinkRepository;
  settings: SettingsRepository;
  secrets: SecretRepository;
  tokens: TokenRepository;
  /** Accepted webhook deliveries until a run has applied them. */
  outbox: WebhookOutbox;
  /** Namespace "cache": upstream reads with TTLs. Keys are the caller's; start them with the tenant. */
  cache: Keyv;
  /** The backend without credentials, e.g. `postgres 127.0.0.1:5432/test public.keyv`, for logs. */
  address: string;
  /** For readiness: resolves after a round trip, throws `ConfigError` naming the backend when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store a URL names and checks it answers; fails with `ConfigError` for a malformed URL,
 * a secret key of the wrong size or an unreachable server.
 */
export async function openStore<TRun extends RunShape = RunShape, TRecord extends RunRecordShape = RunRecordShape>(
  options: OpenStoreOptions,
): Promise<Store<TRun, TRecord>> {
  assertSecretKey(options.secretKey);
  const backend = await openBackend({ url: options.url, timeoutMs: options.timeoutMs });
  const { state } = backend;
  const locks = new KeyedMutex();
  return {
    runs: new RunRepository<TRun>(state, locks),
    records: new RunRecordRepository<TRecord>(state, locks),
    journal: new JournalRepository(state, locks),
    links: new LinkRepository(state, locks),
    settings: new SettingsRepository(state),
    secrets: new SecretRepository(state, options.secretKey),
    tokens: new TokenRepository(state, locks),
    outbox: new WebhookOutbox(state, locks),
    cache: backend.cache,
    address: backend.address,
    ping: async () => backend.ping(),
    close: async () => backend.close(),
  };
}
