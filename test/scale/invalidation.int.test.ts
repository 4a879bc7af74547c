/**
 * Cache invalidation across replicas: two read caches over one Redis-backed store, as two gateway
 * replicas hold them, each with its own memory and its own Redis connection for the announcements.
 * Needs Redis at 127.0.0.1:6379 (test/support/redis.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReadCache } from '../../src/datasources/cache.js';
import { createCachePeers, type RedisCachePeers } from '../../src/scale/invalidation.js';
import type { SharedRedis } from '../../src/scale/redis.js';
import { openStore, type Store } from '../../src/store/open.js';
import { dropKeys, openTestRedis, REDIS_URL, testPrefix } from '../support/redis.js';

const prefix = testPrefix();
const secretKey = randomBytes(32);
let redisA: SharedRedis;
let redisB: SharedRedis;
let storeA: Store;
let storeB: Store;
let peersA: RedisCachePeers;
let peersB: RedisCachePeers;

beforeAll(async () => {
  redisA = await openTestRedis(prefix);
  redisB = await openTestRedis(prefix);
  // The store's keys go under `<prefix>` too (it adds the ':'), so one SCAN clears both.
  const url = `${REDIS_URL}?prefix=${prefix.slice(0, -1)}`;
  storeA = await openStore({ url, secretKey });
  storeB = await openStore({ url, secretKey });
  const errors = (error: unknown) => {
    throw error;
  };
  peersA = createCachePeers(redisA, { onError: errors });
  peersB = createCachePeers(redisB, { onError: errors });
  await Promise.all([peersA.listening, peersB.listening]);
});

afterAll(async () => {
  await Promise.all([peersA?.close(), peersB?.close()]);
  await Promise.all([storeA?.close(), storeB?.close()]);
  if (redisA) await dropKeys(redisA);
  await Promise.all([redisA?.close(), redisB?.close()]);
});

/** A loader that counts its calls. */
function loader<T>(value: T) {
  let calls = 0;
  return {
    load: async () => {
      calls += 1;
      return value;
    },
    calls: () => calls,
  };
}

describe('cache invalidation across replicas', () => {
  it('makes the other replica drop its memory copy and delete the shared entries it wrote', async () => {
    const tenant = `tenant:${randomBytes(4).toString('hex')}`;
    const a = createReadCache({ keyv: storeA.cache, prefix: tenant, peers: peersA });
    const b = createReadCache({ keyv: storeB.cache, prefix: tenant, peers: peersB });
    const [onA, onB] = [loader(['L1']), loader(['L1'])];
    // B reads first and writes the shared entry; A gets it from the store: both hold it in memory.
    await b.get('team-members:T1', onB.load);
    await a.get('team-members:T1', onA.load);
    expect([onA.calls(), onB.calls()]).toEqual([0, 1]);
    expect(await b.get('team-members:T1', onB.load)).toEqual(['L1']);
    expect(b.stats().memoryHits).toBe(1);

    const generationOfB = b.generation();
    await a.invalidate(['team-members:']);
    // Only B knew it wrote the entry; it is gone once B has heard. B's generation moves when it is done
    // forgetting: a read B began before that would rightly cache nothing (a read racing an invalidation).
    await vi.waitFor(async () => {
      expect(await storeA.cache.get(`${tenant}:team-members:T1`)).toBeUndefined();
      expect(b.generation()).not.toBe(generationOfB);
    });
    expect(await b.get('team-members:T1', onB.load)).toEqual(['L1']);
    expect(onB.calls()).toBe(2);
    // A dropped its own memory copy: it reads the entry B wrote again from the store, not from memory.
    await a.get('team-members:T1', onA.load);
    expect(a.stats()).toMatchObject({ memoryHits: 0, hits: 2, misses: 0 });
    expect(onA.calls()).toBe(0);
    a.close();
    b.close();
  });

  it("reaches only the other replicas' caches of the same prefix, never the announcer's own", async () => {
    const [heardA, heardB, heardOther] = [[] as string[][], [] as string[][], [] as string[][]];
    const record = (into: string[][]) => async (keys: readonly string[]) => void into.push([...keys]);
    const stops = [peersA.listen('t1', record(heardA)), peersB.listen('t1', record(heardB)), peersB.listen('t2', record(heardOther))];
    peersA.announce('t1', ['learners:']);
    await vi.waitFor(() => expect(heardB).toEqual([['learners:']]));
    // A's subscriber receives messages in publish order: once B's later announcement arrived, A's own had come and gone.
    peersB.announce('t1', ['courses']);
    await vi.waitFor(() => expect(heardA).toEqual([['courses']]));
    expect(heardB).toEqual([['learners:']]);
    expect(heardOther).toEqual([]);

    for (const stop of stops) stop();
    peersA.announce('t1', ['after']);
    peersB.announce('t1', ['barrier']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([heardA, heardB]).toEqual([[['courses']], [['learners:']]]);
  });
});
