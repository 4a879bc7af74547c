import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeStoreConformance } from './conformance.js';

const ADDRESS = '127.0.0.1:5432';
const START = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const schema = `rg_test_${randomBytes(6).toString('hex')}`;

/** The slice of node-postgres the cleanup needs (pg ships no types). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
const pg = createRequire(createRequire(import.meta.url).resolve('@keyv/postgres'))('pg') as {
  Client: new (config: { connectionString: string }) => PgClient;
};

/** Runs `sql` on a connection of its own, outside the store. */
async function query(sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: `postgres://postgres@${ADDRESS}/test` });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describeStoreConformance({
  server: `PostgreSQL at ${ADDRESS} (database test, user postgres; start it with: ${START})`,
  url: `postgres://postgres@${ADDRESS}/test?schema=${schema}`,
  cleanup: async () => {
    await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  },
  rawContents: async () => {
    const rows = (await query(`SELECT key, value FROM ${schema}.keyv`)) as { key: string; value: string }[];
    return rows.map((row) => `${row.key}\t${row.value}`).join('\n');
  },
});

describe('PostgreSQL store', () => {
  it('fails fast with CONFIG_INVALID naming the address when nothing listens there', async () => {
    await expect(openStore({ url: 'postgres://postgres:pw@127.0.0.1:1/test', secretKey: randomBytes(32) })).rejects.toThrow(
      /^PostgreSQL store at 127\.0\.0\.1:1\/test is unreachable: .*ECONNREFUSED/,
    );
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openStore({ url: `postgres://postgres@${ADDRESS}/test?schema=x;drop`, secretKey: randomBytes(32) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
