import Database from 'better-sqlite3';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStoreAdapter } from '../../src/store/sqlite.js';

describe('SqliteStoreAdapter under keyv', () => {
  let db: Database.Database;
  let adapters: SqliteStoreAdapter[];

  function keyv(namespace: string): Keyv {
    const adapter = new SqliteStoreAdapter({ db, purgeIntervalMs: 0 });
    adapters.push(adapter);
    return new Keyv({ store: adapter, namespace, throwOnErrors: true });
  }

  function rowCount(): number {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM keyv').get()?.n ?? -1;
  }

  beforeEach(() => {
    db = new Database(':memory:');
    adapters = [];
  });

  afterEach(async () => {
    for (const adapter of adapters) await adapter.disconnect();
    db.close();
    vi.useRealTimers();
  });

  it('round-trips values, many at once, and deletes', async () => {
    const kv = keyv('state');
    await kv.set('a', { n: 1 });
    await kv.setMany([
      { key: 'b', value: [1, 2] },
      { key: 'c', value: 'three' },
    ]);
    expect(await kv.get('a')).toEqual({ n: 1 });
    expect(await kv.getMany(['c', 'missing', 'b'])).toEqual(['three', undefined, [1, 2]]);
    expect(await kv.has('b')).toBe(true);
    expect(await kv.delete('b')).toBe(true);
    expect(await kv.delete('b')).toBe(false);
    expect(await kv.deleteMany(['a', 'nope'])).toBe(true);
    expect(await kv.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 'three']);
  });

  it('treats rows past their TTL as misses and deletes them', async () => {
    const kv = keyv('cache');
    vi.useFakeTimers({ toFake: ['Date'] });
    await kv.set('short', 1, 1_000);
    await kv.set('long', 2, 60_000);
    await kv.set('forever', 3);
    vi.setSystemTime(Date.now() + 5_000);
    expect(await kv.has('short')).toBe(false);
    expect(rowCount()).toBe(3);
    expect(await kv.getMany(['short', 'long', 'forever'])).toEqual([undefined, 2, 3]);
    expect(rowCount()).toBe(2);
    vi.setSystemTime(Date.now() + 60_000);
    expect(await kv.get('long')).toBeUndefined();
    expect(rowCount()).toBe(1);
  });

  it('purges expired rows of its own namespace only', async () => {
    const cache = keyv('cache');
    const state = keyv('state');
    vi.useFakeTimers({ toFake: ['Date'] });
    await cache.set('a', 1, 1_000);
    await cache.set('b', 2);
    await state.set('a', 1, 1_000);
    vi.setSystemTime(Date.now() + 2_000);
    const [cacheAdapter] = adapters;
    expect(cacheAdapter?.purgeExpired()).toBe(1);
    expect(rowCount()).toBe(2);
  });

  it('clears only its namespace, whose prefix another namespace may extend', async () => {
    const cache = keyv('cache');
    const caches = keyv('caches');
    await cache.set('x', 1);
    await caches.set('x', 2);
    await cache.clear();
    expect(await cache.get('x')).toBeUndefined();
    expect(await caches.get('x')).toBe(2);
  });

  it('iterates a namespace in key order past one page, skipping expired rows', async () => {
    const state = keyv('state');
    const other = keyv('other');
    vi.useFakeTimers({ toFake: ['Date'] });
    const keys = Array.from({ length: 250 }, (_, index) => `k${String(index).padStart(3, '0')}`);
    await state.setMany(keys.map((key) => ({ key, value: key })));
    await state.set('k999', 'gone', 1_000);
    await other.set('k000', 'elsewhere');
    vi.setSystemTime(Date.now() + 2_000);
    const seen: [string, unknown][] = [];
    if (state.iterator === undefined) throw new Error('keyv did not enable iteration for the adapter');
    for await (const entry of state.iterator(undefined)) seen.push(entry as [string, unknown]);
    expect(seen).toEqual(keys.map((key) => [key, key]));
  });

  it('compares and sets stored text, counting an expired row as absent and leaving other rows alone', async () => {
    const kv = keyv('state');
    const [adapter] = adapters;
    if (adapter === undefined) throw new Error('no adapter');
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(adapter.compareAndSet('state:a', undefined, '"one"')).toBe(true);
    expect(adapter.compareAndSet('state:a', undefined, '"two"')).toBe(false);
    expect(adapter.compareAndSet('state:a', '"other"', '"two"')).toBe(false);
    expect(adapter.compareAndSet('state:a', '"one"', '"two"')).toBe(true);
    expect(adapter.readStored('state:a')).toBe('"two"');

    await kv.set('b', 'soon gone', 1_000);
    const stored = adapter.readStored('state:b');
    vi.setSystemTime(Date.now() + 2_000);
    expect(adapter.readStored('state:b')).toBeUndefined();
    // The expired text no longer counts; creating over it does.
    expect(adapter.compareAndSet('state:b', stored, '"stale write"')).toBe(false);
    expect(adapter.compareAndSet('state:b', undefined, '"fresh"')).toBe(true);
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(adapter.readStored('state:b')).toBe('"fresh"');
    expect(rowCount()).toBe(2);
  });
});
