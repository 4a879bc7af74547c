import { ConfigError } from '../errors.js';
import { type Backend, CACHE_NAMESPACE, STATE_NAMESPACE, strictKeyv, unreachable, memoryLimiter } from './connection.js';
import { openSqliteDatabase, SqliteStoreAdapter } from './sqlite.js';

export type { Backend } from './connection.js';

export interface OpenBackendOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `postgres://…?schema=&table=` or `redis://…?prefix=`; no default. */
  url: string;
  /** How long connecting or a readiness ping may take before it counts as unreachable, ms. @default 5_000 */
  timeoutMs?: number;
}

/**
 * Connects to the backend a store URL names; fails with `ConfigError` when the URL is malformed or
 * the server unreachable.
 */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  const { url } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (url.startsWith('sqlite:')) return openSqliteBackend(url.slice('sqlite:'.length));
  // PostgreSQL's and Redis's clients load only when a URL names them (see runtime.ts).
  if (/^postgres(ql)?:\/\//.test(url)) return (await import('./postgres.js')).openPostgresBackend(parseUrl(url), timeoutMs);
  if (/^rediss?:\/\//.test(url)) return (await import('./redis.js')).openRedisBackend(parseUrl(url), timeoutMs);
  throw new ConfigError(`store URL must start with sqlite:, postgres://, postgresql://, redis:// or rediss://; received '${url.split(':')[0] ?? ''}:…'`);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    // The message names the scheme only: the rest may hold a password.
    throw new ConfigError(`store URL is not a valid ${url.split(':')[0] ?? ''} URL`, {}, { cause: error });
  }
}

function openSqliteBackend(path: string): Backend {
  if (path === '') {
    throw new ConfigError(`sqlite store URL needs a path, as in 'sqlite:./data/rostergate.db' or 'sqlite::memory:'`);
  }
  let db;
  try {
    db = openSqliteDatabase(path);
  } catch (error) {
    throw unreachable(`SQLite store at ${path}`, error);
  }
  const stateAdapter = new SqliteStoreAdapter({ db });
  const cacheAdapter = new SqliteStoreAdapter({ db });
  const state = strictKeyv(stateAdapter, STATE_NAMESPACE);
  return {
    state,
    cache: strictKeyv(cacheAdapter, CACHE_NAMESPACE),
    // Stored keys carry keyv's namespace prefix; keyv's own prefixing spells them.
    swap: {
      read: async (key) => stateAdapter.readStored(state._getKeyPrefix(key)),
      write: async (key, expected, next) => stateAdapter.compareAndSet(state._getKeyPrefix(key), expected, next),
    },
    address: `sqlite:${path}`,
    // Shared limits need a shared counter; these backends keep each process's own.
    limiter: memoryLimiter,
    async ping() {
      try {
        db.prepare('SELECT 1').get();
      } catch (error) {
        throw unreachable(`SQLite store at ${path}`, error);
      }
    },
    async close() {
      await stateAdapter.disconnect();
      await cacheAdapter.disconnect();
      db.close();
    },
  };
}
