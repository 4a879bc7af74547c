import { EventEmitter } from 'node:events';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { ConfigError } from '../errors.js';

export interface SqliteStoreAdapterOptions {
  /** An open database from `openSqliteDatabase`; the caller closes it, because several namespaces share it. */
  db: Database.Database;
  /** Table holding every namespace's rows. @default 'keyv' */
  table?: string;
  /** How often rows past their TTL are deleted, ms; 0 disables the timer. @default 60_000 */
  purgeIntervalMs?: number;
}

interface Row {
  key: string;
  value: string;
  expires: number | null;
}

/** Rows fetched per page by `iterator`, so a listing never holds a read cursor across an `await`. */
const ITERATOR_PAGE = 100;

/** The store holds HR data and sealed credentials: only its owner may read the files. */
const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

/**
 * Opens (creating its directory) a SQLite file, or an in-memory database for `:memory:`.
 * WAL lets a second process (the CLI while the server runs) read while this one writes.
 */
export function openSqliteDatabase(location: string): Database.Database {
  if (location !== ':memory:') prepareOwnerOnlyFile(location);
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  // NORMAL under WAL loses no committed transaction when the process crashes, only on power loss,
  // which is the failure the apply journal has to survive.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Creates the directories (0700) and the database file (0600) before SQLite opens it, and narrows a
 * file that exists with wider access. SQLite would create the file with the process umask (0644 as
 * a rule); it gives the -wal and -shm files it creates the database file's own mode, so those follow.
 * Directories that exist already keep their mode: the path may lead through shared ones like /tmp.
 */
function prepareOwnerOnlyFile(location: string): void {
  mkdirSync(dirname(location), { recursive: true, mode: DIRECTORY_MODE });
  // 'a' creates the file if absent and never truncates one that exists.
  closeSync(openSync(location, 'a', FILE_MODE));
  for (const path of [location, `${location}-wal`, `${location}-shm`]) {
    if (existsSync(path)) chmodSync(path, FILE_MODE);
  }
}

/**
 * A keyv 5 store adapter over better-sqlite3. The calls are synchronous: each one is a
 * sub-millisecond local B-tree operation, the gateway runs on one thread, and a synchronous
 * statement cannot interleave with another, so no transaction needs a lock of its own.
 */
export class SqliteStoreAdapter extends EventEmitter implements KeyvStoreAdapter {
  /** Keyv enables its `iterator()` only for adapters whose `opts.dialect` it recognises. */
  readonly opts: { dialect: 'sqlite'; url: string; table: string };
  namespace?: string | undefined;
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly purgeTimer: NodeJS.Timeout | undefined;

  constructor(options: SqliteStoreAdapterOptions) {
    super();
    const table = options.table ?? 'keyv';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
      throw new ConfigError(`SQLite table name must be a plain identifier; received '${table}'`);
    }
    this.db = options.db;
    this.opts = { dialect: 'sqlite', url: `sqlite:${this.db.name}`, table };
    this.statements = prepare(this.db, table);
    const interval = options.purgeIntervalMs ?? 60_000;
    if (interval > 0) {
      // Cache entries that are never read again would otherwise stay in the file forever.
      this.purgeTimer = setInterval(() => this.purgeExpired(), interval);
      this.purgeTimer.unref();
    }
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.statements.get.get(key);
    if (row === undefined) return undefined;
    if (isExpired(row, Date.now())) {
      this.statements.delete.run(key);
      return undefined;
    }
    // Keyv hands adapters serialized strings and reads them back; its generic describes the value
    // after it deserializes them.
    return row.value as StoredData<Value>;
  }

  async getMany<Value>(keys: string[]): Promise<StoredData<Value | undefined>[]> {
    const now = Date.now();
    const found = new Map<string, string>();
    for (const row of this.statements.getMany.all(JSON.stringify(keys))) {
      if (isExpired(row, now)) this.statements.delete.run(row.key);
      else found.set(row.key, row.value);
    }
    return keys.map((key) => found.get(key) as StoredData<Value | undefined>);
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    this.statements.upsert.run(key, value, expiresAt(ttl));
  }

  /** One transaction, so a repository's multi-key write (chunks plus their index) lands whole or not at all. */
  async setMany(entries: { key: string; value: string; ttl?: number }[]): Promise<void> {
    this.db.transaction(() => {
      for (const entry of entries) this.statements.upsert.run(entry.key, entry.value, expiresAt(entry.ttl));
    })();
  }

  async delete(key: string): Promise<boolean> {
    return this.statements.delete.run(key).changes > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.db.transaction(() => {
      let deleted = 0;
      for (const key of keys) deleted += this.statements.delete.run(key).changes;
      return deleted > 0;
    })();
  }

  /** A row's stored text as it is, or undefined when absent or past its TTL; `key` is the stored (prefixed) one. */
  readStored(key: string): string | undefined {
    const row = this.statements.get.get(key);
    return row === undefined || isExpired(row, Date.now()) ? undefined : row.value;
  }

  /**
   * Writes `next` where the row still holds `expected` (undefined: where there is no live row), as
   * one statement: SQLite takes its write lock for it, so no other connection or process can write
   * between the comparison and the write.
   */
  compareAndSet(key: string, expected: string | undefined, next: string): boolean {
    const now = Date.now();
    const result = expected === undefined ? this.statements.insertIfAbsent.run(key, next, now) : this.statements.replaceIfEqual.run(next, key, expected, now);
    return result.changes === 1;
  }

  /** Clears only this adapter's namespace: cache and state share one table. */
  async clear(): Promise<void> {
    const [from, to] = namespaceRange(this.namespace);
    this.statements.clearRange.run(from, to);
  }

  async has(key: string): Promise<boolean> {
    return this.statements.has.get(key, Date.now()) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map(async (key) => this.has(key)));
  }

  async *iterator<Value>(namespace?: string): AsyncGenerator<(string | Awaited<Value> | undefined)[], void> {
    const [from, to] = namespaceRange(namespace);
    let after = '';
    for (;;) {
      const rows = this.statements.page.all(from, to, after, Date.now(), ITERATOR_PAGE);
      for (const row of rows) yield [row.key, row.value];
      const last = rows.at(-1);
      if (last === undefined || rows.length < ITERATOR_PAGE) return;
      after = last.key;
    }
  }

  /** Deletes this namespace's rows whose TTL has passed; returns how many. */
  purgeExpired(): number {
    const [from, to] = namespaceRange(this.namespace);
    return this.statements.purge.run(from, to, Date.now()).changes;
  }

  /** Stops the purge timer; the database itself belongs to whoever opened it. */
  async disconnect(): Promise<void> {
    clearInterval(this.purgeTimer);
  }
}

function prepare(db: Database.Database, table: string) {
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)`);
  db.exec(`CREATE INDEX IF NOT EXISTS ${table}_expires ON ${table} (expires) WHERE expires IS NOT NULL`);
  return {
    get: db.prepare<[string], Row>(`SELECT key, value, expires FROM ${table} WHERE key = ?`),
    getMany: db.prepare<[string], Row>(`SELECT key, value, expires FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`),
    upsert: db.prepare<[string, string, number | null]>(
      `INSERT INTO ${table} (key, value, expires) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
    ),
    delete: db.prepare<[string]>(`DELETE FROM ${table} WHERE key = ?`),
    // An expired row counts as absent, as `get` treats it.
    insertIfAbsent: db.prepare<[string, string, number]>(
      `INSERT INTO ${table} (key, value, expires) VALUES (?, ?, NULL)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = NULL
       WHERE ${table}.expires IS NOT NULL AND ${table}.expires <= ?`,
    ),
    replaceIfEqual: db.prepare<[string, string, string, number]>(
      `UPDATE ${table} SET value = ?, expires = NULL WHERE key = ? AND value = ? AND (expires IS NULL OR expires > ?)`,
    ),
    has: db.prepare<[string, number], { one: number }>(`SELECT 1 AS one FROM ${table} WHERE key = ? AND (expires IS NULL OR expires > ?)`),
    clearRange: db.prepare<[string, string]>(`DELETE FROM ${table} WHERE key >= ? AND key < ?`),
    purge: db.prepare<[string, string, number]>(`DELETE FROM ${table} WHERE key >= ? AND key < ? AND expires IS NOT NULL AND expires <= ?`),
    page: db.prepare<[string, string, string, number, number], Row>(
      `SELECT key, value, expires FROM ${table}
       WHERE key >= ? AND key < ? AND key > ? AND (expires IS NULL OR expires > ?)
       ORDER BY key LIMIT ?`,
    ),
  };
}

function expiresAt(ttl: number | undefined): number | null {
  return typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : null;
}

function isExpired(row: Row, now: number): boolean {
  return row.expires !== null && row.expires <= now;
}

/**
 * The half-open key range `[ns:, ns;)`: ';' follows ':' in code-point order, so the range holds
 * exactly the keys prefixed `ns:` and the primary-key index serves it, where LIKE would scan.
 * No namespace spans every key.
 */
function namespaceRange(namespace: string | undefined): [string, string] {
  return namespace === undefined ? ['', '\u{10FFFF}'] : [`${namespace}:`, `${namespace};`];
}
