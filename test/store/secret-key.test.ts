import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecretKey, parseSecretKey } from '../../src/store/secrets.js';

const dir = await mkdtemp(join(tmpdir(), 'rostergate-key-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseSecretKey', () => {
  const key = randomBytes(32);

  it('reads 32 bytes given as hex, base64 or base64url, ignoring surrounding space', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(` ${key.toString('base64')}\n`)).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
  });

  it('refuses other lengths and encodings with CONFIG_INVALID, without echoing the value', () => {
    for (const text of [randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'not a key at all', '']) {
      let failure: unknown;
      try {
        parseSecretKey(text);
      } catch (error) {
        failure = error;
      }
      expect(failure).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((failure as Error).message).toMatch(/ROSTERGATE_SECRET_KEY must be 32 bytes/);
      if (text !== '') expect((failure as Error).message).not.toContain(text);
    }
  });
});

describe('loadOrCreateSecretKey', () => {
  it('creates a 0600 key file once and returns the same key afterwards', async () => {
    const home = join(dir, 'data');
    const created = await loadOrCreateSecretKey(home);
    expect(created).toHaveLength(32);
    expect((await stat(join(home, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSecretKey(home)).toEqual(created);
  });

  it('names the file when its content is not a key', async () => {
    const home = join(dir, 'broken');
    await loadOrCreateSecretKey(home);
    await writeFile(join(home, 'secret.key'), 'garbage\n');
    await expect(loadOrCreateSecretKey(home)).rejects.toThrow(`${join(home, 'secret.key')} must be 32 bytes`);
  });
});
