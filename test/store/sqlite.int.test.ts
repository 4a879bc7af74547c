import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

const conformanceFile = join(dir, 'conformance', 'state.db');

describeStoreConformance({
  server: `SQLite file ${conformanceFile}`,
  url: `sqlite:${conformanceFile}`,
  // The directory goes in afterAll above, once every store on it is closed.
  cleanup: async () => undefined,
  rawContents: async () => [rows(conformanceFile), await fileBytes(conformanceFile)].join('\n'),
});

/** Every key and value, read from the file by a connection of its own. */
function rows(path: string): string {
  const raw = new Database(path, { readonly: true });
  try {
    return raw
      .prepare<[], { key: string; value: string }>('SELECT key, value FROM keyv')
      .all()
      .map((row) => `${row.key}\t${row.value}`)
      .join('\n');
  } finally {
    raw.close();
  }
}

/** The database file and its write-ahead log as bytes, as `grep` would see them. */
async function fileBytes(path: string): Promise<string> {
  const parts = await Promise.all(
    [path, `${path}-wal`].map(async (file) =>
      readFile(file).then(
        (bytes) => bytes.toString('latin1'),
        () => '',
      ),
    ),
  );
  return parts.join('\n');
}

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

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
      const values = raw
        .prepare<[], { value: string }>('SELECT value FROM keyv')
        .all()
        .map((row) => row.value);
      expect(values.some((value) => value.includes('"iv"'))).toBe(true);
      expect(values.join('\n')).not.toContain(plaintext);
    } finally {
      raw.close();
    }
  });

  it('creates its directory 0700 and its file, WAL and shared-memory file 0600', async () => {
    const parent = join(dir, 'modes');
    const path = join(parent, 'data', 'rostergate.db');
    const store = await openStore({ url: `sqlite:${path}`, secretKey: randomBytes(32) });
    try {
      await store.settings.put('acme', 'schedule', { cron: '0 * * * *' });
      expect(await modeOf(parent)).toBe('700');
      expect(await modeOf(join(parent, 'data'))).toBe('700');
      expect(await modeOf(path)).toBe('600');
      expect(await modeOf(`${path}-wal`)).toBe('600');
      expect(await modeOf(`${path}-shm`)).toBe('600');
    } finally {
      await store.close();
    }
  });

  it('narrows an existing world-readable file to 0600 when it opens it', async () => {
    const path = join(dir, 'loose.db');
    await writeFile(path, '');
    await chmod(path, 0o644);
    const store = await openStore({ url: `sqlite:${path}`, secretKey: randomBytes(32) });
    try {
      expect(await modeOf(path)).toBe('600');
    } finally {
      await store.close();
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
    await expect(openStore({ url: 'sqlite::memory:', secretKey: randomBytes(16) })).rejects.toThrow(/must be 32 bytes.*received 16/);
  });
});
