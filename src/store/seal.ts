import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, deflateRaw, inflateRaw } from 'node:zlib';
import type { DeserializedData, Keyv } from 'keyv';
import { ConfigError } from '../errors.js';

export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const ALGORITHM = 'aes-256-gcm';
type SealVersion = 1 | 2 | 3;
/** Entries this long (UTF-16 units of their JSON) or longer are compressed before sealing. */
const COMPRESS_FROM = 4096;
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/**
 * A value sealed with AES-256-GCM, as stored; never the plaintext. `v` says what the plaintext is:
 * 2 a store entry's `JSON.stringify` text, 3 that text compressed (raw deflate; see `sealEntries`),
 * 1 any other text: an entry keyv's own serializer made, or a credential.
 */
export interface Sealed {
  v: SealVersion;
  iv: string;
  tag: string;
  data: string;
}

/** `ConfigError` unless `key` is the 32 bytes AES-256 needs. */
export function assertSecretKey(key: Buffer): void {
  if (key.length !== SECRET_KEY_BYTES) {
    throw new ConfigError(`the secret key must be ${SECRET_KEY_BYTES} bytes for AES-256-GCM; received ${key.length}`);
  }
}

/**
 * Seals `plaintext` under a fresh random 96-bit IV. `associatedData` is authenticated, not stored:
 * opening with any other associated data fails, so a sealed value cannot be passed off as another.
 */
export function seal(key: Buffer, plaintext: string, associatedData: string): Sealed {
  return sealBytes(key, plaintext, associatedData, 1);
}

function sealBytes(key: Buffer, plaintext: string | Buffer, associatedData: string, version: SealVersion): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext), cipher.final()]);
  return { v: version, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plaintext; throws (node's crypto error) when the key or associated data differ or the value was altered. */
export function unseal(key: Buffer, sealed: Sealed, associatedData: string): string {
  return openBytes(key, sealed, associatedData).toString('utf8');
}

function openBytes(key: Buffer, sealed: Sealed, associatedData: string): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
}

export function isSealed(value: unknown): value is Sealed {
  if (typeof value !== 'object' || value === null) return false;
  const { v, iv, tag, data } = value as Record<string, unknown>;
  return (v === 1 || v === 2 || v === 3) && typeof iv === 'string' && typeof tag === 'string' && typeof data === 'string';
}

export interface SealEntriesOptions {
  /** The store's 32-byte secret key. */
  key: Buffer;
  /** Authenticated with every entry (not stored), so an entry copied into another namespace fails to open. */
  namespace: string;
  /**
   * What an entry this key cannot open reads as. 'fail' throws `ConfigError` (durable state: a wrong key
   * must not look like missing data); 'miss' reads as absent (a cache, which refills from upstream). @default 'fail'
   */
  unreadable?: 'fail' | 'miss';
}

/**
 * Makes `kv` seal every entry it writes, value and expiry together, and open the ones it reads.
 * An entry is turned into text by `JSON.stringify` and sealed as version 2, or, from 4 KiB, compressed
 * first and sealed as version 3: a roster's JSON shrinks about tenfold, so there is that much less to
 * encrypt, encode and write, and the compression runs on libuv's thread pool, off the event loop (a
 * cold query stores every read it makes before answering). Keyv's own serializer (version 1, and
 * entries written before sealing existed, which carry no envelope) is kept for reading only: it walks
 * every value in JavaScript and parses with a reviver, which made it the largest cost of storing and
 * reading a 50,000-employee roster; the store keeps no Buffers, the one thing it did that JSON does not.
 */
export function sealEntries(kv: Keyv, options: SealEntriesOptions): Keyv {
  assertSecretKey(options.key);
  const { key, namespace } = options;
  const unreadable = options.unreadable ?? 'fail';
  // Keyv's deserializer reads what version 1 and unsealed entries hold.
  const { deserialize } = kv;
  if (deserialize === undefined) {
    throw new ConfigError(`the store's '${namespace}' namespace has no deserializer for the entries it already holds`);
  }
  kv.serialize = async (data) => {
    const text = JSON.stringify(data);
    const sealed =
      text.length < COMPRESS_FROM ? sealBytes(key, text, namespace, 2) : sealBytes(key, await deflate(text, { level: constants.Z_BEST_SPEED }), namespace, 3);
    return JSON.stringify(sealed);
  };
  kv.deserialize = async <Value>(text: string) => {
    const envelope = parseEnvelope(text);
    if (envelope === undefined) return deserialize<Value>(text);
    let plaintext: Buffer;
    try {
      plaintext = openBytes(key, envelope, namespace);
    } catch (error) {
      if (unreadable === 'miss') return undefined;
      throw new ConfigError(
        `a value in the store's '${namespace}' namespace cannot be decrypted: the secret key is not the one it was stored with, or the stored value was altered`,
        { namespace },
        { cause: error },
      );
    }
    if (envelope.v === 1) return deserialize<Value>(plaintext.toString('utf8'));
    const json = envelope.v === 3 ? await inflate(plaintext) : plaintext;
    return JSON.parse(json.toString('utf8')) as DeserializedData<Value>;
  };
  return kv;
}

/** The sealed envelope stored as `text`, or undefined for an entry written before sealing. */
function parseEnvelope(text: string): Sealed | undefined {
  // A sealed entry starts with the envelope's first member; a plain keyv entry starts with '{"value"'.
  if (!/^\{"v":[123],/.test(text)) return undefined;
  const parsed: unknown = JSON.parse(text);
  return isSealed(parsed) ? parsed : undefined;
}
