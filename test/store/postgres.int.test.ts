import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { dropSchema, POSTGRES_ADDRESS as ADDRESS, POSTGRES_SERVER, query, storeUrl, testSchema } from '../support/postgres.js';
import { describeStoreConformance } from './conformance.js';

const schema = testSchema('test');

describeStoreConformance({
  server: POSTGRES_SERVER,
  url: storeUrl(schema),
  cleanup: () => dropSchema(schema),
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
