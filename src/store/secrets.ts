import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { ConfigError } from '../errors.js';
import { tenantKey } from './keys.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const ALGORITHM = 'aes-256-gcm';

/** What is stored for a secret; never the plaintext. */
interface SealedSecret {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Upstream credentials per tenant, sealed with AES-256-GCM. Each value gets a random 96-bit IV,
 * and the tenant and name are authenticated as associated data, so a sealed value copied to
 * another tenant's or another upstream's key fails to open instead of lending its credential.
 */
export class SecretRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly key: Buffer,
  ) {
    assertSecretKey(key);
  }

  async put(tenant: string, name: string, plaintext: string): Promise<void> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(associatedData(tenant, name));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed: SealedSecret = {
      v: 1,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await this.kv.set(tenantKey(tenant, 'secret', name), sealed);
  }

  /** The plaintext, or null when none is stored; `ConfigError` when the key cannot open it. */
  async get(tenant: string, name: string): Promise<string | null> {
    const sealed = await this.kv.get<SealedSecret>(tenantKey(tenant, 'secret', name));
    if (sealed === undefined) return null;
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(associatedData(tenant, name));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new ConfigError(
        `secret '${name}' of tenant '${tenant}' cannot be decrypted: the secret key is not the one it was stored with, or the stored value was altered`,
        { tenant, name },
        { cause: error },
      );
    }
  }

  /** Reads the stored value rather than asking the backend: keyv's `has` ignores expiry on some backends. */
  async has(tenant: string, name: string): Promise<boolean> {
    return (await this.kv.get(tenantKey(tenant, 'secret', name))) !== undefined;
  }

  async delete(tenant: string, name: string): Promise<boolean> {
    return this.kv.delete(tenantKey(tenant, 'secret', name));
  }
}

/**
 * The embedded default's key: `<dir>/secret.key` (base64, one line), created with mode 0600 on
 * first start. Losing the file makes every stored secret unreadable, so it is never overwritten.
 */
export async function loadOrCreateSecretKey(dir: string): Promise<Buffer> {
  const path = join(dir, 'secret.key');
  await mkdir(dir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting together keep the first key.
    await writeFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return parseSecretKey(await readFile(path, 'utf8'), path);
}

/** `ROSTERGATE_SECRET_KEY`: 32 bytes as base64 (44 characters) or hex (64 characters). */
export function parseSecretKey(text: string, origin = 'ROSTERGATE_SECRET_KEY'): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== KEY_BYTES) {
    // The length is safe to report; the text itself is the secret.
    throw new ConfigError(
      `${origin} must be ${KEY_BYTES} bytes as base64 (44 characters) or hex (64 characters); received ${trimmed.length} characters`,
    );
  }
  return key;
}

/** `ConfigError` unless `key` is the 32 bytes AES-256 needs. */
export function assertSecretKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new ConfigError(`the secret key must be ${KEY_BYTES} bytes for AES-256-GCM; received ${key.length}`);
  }
}

function associatedData(tenant: string, name: string): Buffer {
  return Buffer.from(tenantKey(tenant, 'secret', name), 'utf8');
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
