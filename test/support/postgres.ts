/**
 * The local PostgreSQL the store and distributed-mode tests run against, each test file in a schema
 * of its own (`rg_<purpose>_<hex>`), dropped when it ends, so files running at once never meet.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

export const POSTGRES_ADDRESS = '127.0.0.1:5432';
const START = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
/** Where the server is, and how to start it: for the messages of tests that cannot reach it. */
export const POSTGRES_SERVER = `PostgreSQL at ${POSTGRES_ADDRESS} (database test, user postgres; start it with: ${START})`;

/** The slice of node-postgres these helpers need (pg ships no types). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
const pg = createRequire(createRequire(import.meta.url).resolve('@keyv/postgres'))('pg') as {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient;
};

/** A schema name of this test file's own. */
export function testSchema(purpose: string): string {
  return `rg_${purpose}_${randomBytes(6).toString('hex')}`;
}

/** The store URL of `schema` in the test database. */
export const storeUrl = (schema: string): string => `postgres://postgres@${POSTGRES_ADDRESS}/test?schema=${schema}`;

/** Runs `sql` on a connection of its own, outside any store; fails saying how to start PostgreSQL when it is down. */
export async function query(sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: `postgres://postgres@${POSTGRES_ADDRESS}/test`, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`these tests need ${POSTGRES_SERVER}, which is not usable (${(error as Error).message})`, { cause: error });
  }
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
