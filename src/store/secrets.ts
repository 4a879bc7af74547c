import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { ConfigError } from '../errors.js';
import { tenantKey } from './keys.js';
import { assertSecretKey, SECRET_KEY_BYTES as KEY_BYTES, seal, type Sealed, unseal } from './seal.js';

export { assertSecretKey } from './seal.js';

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

  /**
   * Sealed here although the whole store is sealed too: this layer binds the value to its tenant and
   * name, which the store-wide sealing (one key per namespace) cannot.
   */
  async put(tenant: string, name: string, plaintext: string): Promise<void> {
    const sealed = seal(this.key, plaintext, associatedData(tenant, name));
    await this.kv.set(tenantKey(tenant, 'secret', name), sealed);
  }

  /** The plaintext, or null when none is stored; `ConfigError` when the key cannot open it. */
  async get(tenant: string, name: string): Promise<string | null> {
    const sealed = await this.kv.get<Sealed>(tenantKey(tenant, 'secret', name));
    if (sealed === undefined) return null;
    try {
      return unseal(this.key, sealed, associatedData(tenant, name));
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
  // 0700 applies to the directories this creates; one that exists already keeps its owner's choice.
  await mkdir(dir, { recursive: true, mode: 0o700 });
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
    throw new ConfigError(`${origin} must be ${KEY_BYTES} bytes as base64 (44 characters) or hex (64 characters); received ${trimmed.length} characters`);
  }
  return key;
}

function associatedData(tenant: string, name: string): string {
  return tenantKey(tenant, 'secret', name);
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
