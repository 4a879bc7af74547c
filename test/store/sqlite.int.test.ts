import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeStoreConformance } from './conformance.js';

const dir = await mkdtemp(join(tmpdir(), 'rostergate-store-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeStoreConformance({
  server: `SQLite file ${join(dir, 'conformance', 'state.db')}`,
  url: `sqlite:${join(dir, 'conformance', 'state.db')}`,
  // The directory goes in afterAll above, once every store on it is closed.
  cleanup: async () => undefined,
});

describe('SQLite store', () => {
  it('creates the directory, runs in WAL mode and keeps no secret in plain text in the file', async () => {
    const path = join(dir, 'nested', 'deeper', 'rostergate.db');
    const plaintext = `api-key-${randomBytes(8).toString('hex')}`;
    const store = await openStore({ url: `sqlite:${path}`, secretKey: randomBytes(32) });
    await store.secrets.put('acme', 'litmos', plaintext);
    await store.close();

    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const values = raw.prepare<[], { value: string }>('SELECT value FROM keyv').all().map((row) => row.value);
      expect(values.some((value) => value.includes('"iv"'))).toBe(true);
      expect(values.join('\n')).not.toContain(plaintext);
    } finally {
      raw.close();
    }
  });

  it('serves sqlite::memory: without touching the disk', async () => {
    const before = await readdir(dir);
    const store = await openStore({ url: 'sqlite::memory:', secretKey: randomBytes(32) });
    await store.settings.put('acme', 'schedule', { cron: '0 * * * *' });
    expect(await store.settings.get('acme', 'schedule')).toEqual({ cron: '0 * * * *' });
    await store.ping();
    await store.close();
    expect(await readdir(dir)).toEqual(before);
  });

  it('fails with CONFIG_INVALID for a path it cannot create, a bad URL or a short key', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await expect(openStore({ url: `sqlite:${join(file, 'x.db')}`, secretKey: randomBytes(32) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(openStore({ url: 'sqlite:', secretKey: randomBytes(32) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(openStore({ url: 'mysql://localhost/x', secretKey: randomBytes(32) })).rejects.toThrow(
      /must start with sqlite:, postgres:\/\/.*received 'mysql:…'/,
    );
    await expect(openStore({ url: 'sqlite::memory:', secretKey: randomBytes(16) })).rejects.toThrow(
      /must be 32 bytes.*received 16/,
    );
  });
});
