import { randomBytes } from 'node:crypto';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { seal, sealEntries } from '../../src/store/seal.js';

const key = randomBytes(32);
const namespace = 'state';

/** Keyv's own serializer, which entries sealed before version 2 (and unsealed ones) hold. */
async function keyvSerialized(value: unknown): Promise<string> {
  const serialize = new Keyv().serialize;
  if (!serialize) throw new Error('keyv has no default serializer');
  return serialize({ value, expires: undefined });
}

/** A keyv over a Map whose raw strings the test can read and plant, as a backend holds them. */
function sealedKeyv() {
  const raw = new Map<string, string>();
  const kv = sealEntries(new Keyv({ store: raw, namespace: undefined }), { key, namespace });
  return { kv, raw };
}

describe('sealed store entries', () => {
  it('round-trips values whose strings look like keyv escapes, and stores them as version 2', async () => {
    const { kv, raw } = sealedKeyv();
    const value = { name: ':base64:AAAA', note: '::colons', nested: [{ at: '2025-03-01', gone: undefined }], n: 3 };
    await kv.set('k', value);
    expect(await kv.get('k')).toEqual({ name: ':base64:AAAA', note: '::colons', nested: [{ at: '2025-03-01' }], n: 3 });
    expect([...raw.values()][0]).toMatch(/^\{"v":2,/);
  });

  it('compresses a large entry before sealing it (version 3), and reads it back whole', async () => {
    const { kv, raw } = sealedKeyv();
    const roster = Array.from({ length: 2000 }, (_, i) => ({ id: String(i), name: `Ünal Åsa ${i}`, department: 'Sales', email: `person${i}@example.com` }));
    await kv.set('roster', roster);
    expect(await kv.get('roster')).toEqual(roster);
    const stored = [...raw.values()][0] ?? '';
    expect(stored).toMatch(/^\{"v":3,/);
    // Sealed and base64-encoded, still a fraction of the JSON it holds.
    expect(stored.length).toBeLessThan(JSON.stringify(roster).length / 3);
  });

  it('still reads entries sealed by earlier versions over keyv’s serializer, and unsealed ones', async () => {
    const { kv, raw } = sealedKeyv();
    const value = { name: ':colon first', list: ['a', ':b'] };
    const plaintext = await keyvSerialized(value);
    raw.set('old', JSON.stringify(seal(key, plaintext, namespace)));
    raw.set('plain', await keyvSerialized(value));
    expect(await kv.get('old')).toEqual(value);
    expect(await kv.get('plain')).toEqual(value);
  });
});
