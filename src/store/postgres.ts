import { createRequire } from 'node:module';
import { KeyvPostgres } from '@keyv/postgres';
import type Keyv from 'keyv';
import { ConfigError } from '../errors.js';
import {
  type Backend,
  CACHE_NAMESPACE,
  serverAddress,
  STATE_NAMESPACE,
  type StateSwap,
  strictKeyv,
  unreachable,
  withDeadline,
  memoryLimiter,
} from './connection.js';

/** The part of node-postgres's Pool this module uses (pg ships no type declarations). */
interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
interface PgModule {
  Pool: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgPool;
}

// Resolved from @keyv/postgres's own location, so both use the one driver it depends on.
const pg = createRequire(createRequire(import.meta.url).resolve('@keyv/postgres'))('pg') as PgModule;

/**
 * PostgreSQL via @keyv/postgres, with one table (`?table=`, default `keyv`) in one schema
 * (`?schema=`, default `public`) holding both namespaces.
 */
export async function openPostgresBackend(url: URL, timeoutMs: number): Promise<Backend> {
  const schema = identifierParam(url, 'schema', 'public');
  const table = identifierParam(url, 'table', 'keyv');
  const what = `PostgreSQL store at ${serverAddress(url)}`;
  const pool = new pg.Pool({ connectionString: url.href, connectionTimeoutMillis: timeoutMs });
  // The server closing an idle connection emits 'error' on the pool, which would end the process
  // without a listener; the next query opens a fresh connection, or fails and says why.
  pool.on('error', () => undefined);
  try {
    await withDeadline(what, timeoutMs, pool.query('SELECT 1'));
    const stateAdapter = pooledAdapter(pool, schema, table);
    // The adapter creates its table in the background and reports failure only as an event.
    const setupErrors: Error[] = [];
    const onSetupError = (error: Error): void => void setupErrors.push(error);
    stateAdapter.on('error', onSetupError);
    try {
      await stateAdapter.query(`SELECT 1 FROM ${schema}.${table} LIMIT 1`);
    } catch (error) {
      throw unreachable(`${what} (table ${schema}.${table})`, setupErrors[0] ?? error);
    } finally {
      stateAdapter.off('error', onSetupError);
    }
    // Created only now that the table exists, so the two adapters never race to create it.
    const cacheAdapter = pooledAdapter(pool, schema, table);
    const state = strictKeyv(stateAdapter, STATE_NAMESPACE);
    return {
      state,
      cache: strictKeyv(cacheAdapter, CACHE_NAMESPACE),
      swap: postgresSwap(pool, `${schema}.${table}`, state),
      address: `postgres ${serverAddress(url)} ${schema}.${table}`,
      // Shared limits need a shared counter; these backends keep each process's own.
      limiter: memoryLimiter,
      async ping() {
        await withDeadline(what, timeoutMs, pool.query('SELECT 1'));
      },
      async close() {
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error instanceof ConfigError ? error : unreachable(what, error);
  }
}

/**
 * Compare-and-set as single statements. Under READ COMMITTED an UPDATE that finds its row locked by
 * another writer waits, then re-checks its WHERE against the row that writer committed, so two
 * writers expecting the same text cannot both succeed; ON CONFLICT DO NOTHING does the same for
 * creating. `qualifiedTable` is built from checked identifiers only.
 */
function postgresSwap(pool: PgPool, qualifiedTable: string, state: Keyv): StateSwap {
  return {
    async read(key) {
      const { rows } = await pool.query(`SELECT value FROM ${qualifiedTable} WHERE key = $1`, [state._getKeyPrefix(key)]);
      const row = rows[0] as { value: string } | undefined;
      return row?.value;
    },
    async write(key, expected, next) {
      const stored = state._getKeyPrefix(key);
      const result =
        expected === undefined
          ? await pool.query(`INSERT INTO ${qualifiedTable} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [stored, next])
          : await pool.query(`UPDATE ${qualifiedTable} SET value = $1 WHERE key = $2 AND value = $3`, [next, stored, expected]);
      return result.rowCount === 1;
    },
  };
}

/**
 * @keyv/postgres keeps one module-global pool per URI and its `disconnect()` ends whichever pool was
 * created last, so two stores in one process would close each other's connections. Overriding
 * `connect()` hands it a pool this backend owns and ends itself.
 */
function pooledAdapter(pool: PgPool, schema: string, table: string): KeyvPostgres {
  class PooledKeyvPostgres extends KeyvPostgres {
    override async connect(): Promise<(sql: string, values?: unknown[]) => Promise<unknown[]>> {
      return async (sql, values) => (await pool.query(sql, values)).rows;
    }
  }
  // Keys are `<namespace>:tenant:<t>:<kind>:<ids>`; 512 leaves room for long vendor ids.
  return new PooledKeyvPostgres({ schema, table, keySize: 512 });
}

/** Reads and removes a schema or table query parameter; it is spliced into SQL, so only plain identifiers pass. */
function identifierParam(url: URL, name: string, fallback: string): string {
  const value = url.searchParams.get(name) ?? fallback;
  url.searchParams.delete(name);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError(`postgres store URL parameter '${name}' must be a lower-case SQL identifier (a-z, 0-9, _; at most 63); received '${value}'`);
  }
  return value;
}
