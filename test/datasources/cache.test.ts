import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReadCache, type CachePeers } from '../../src/datasources/cache.js';

function counter<T>(value: T) {
  let calls = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    load: async () => {
      calls += 1;
      await gate;
      return value;
    },
    release: () => release(),
    calls: () => calls,
  };
}

/**
 * Replicas in one process: each `peer(name)` hears every other's announcements for its prefixes at
 * once; `heard` settles when the caches have forgotten, and `announced` counts announcements.
 */
function replicas() {
  const listeners: { name: string; prefix: string; forget: (keys: readonly string[]) => Promise<void> }[] = [];
  const forgetting: Promise<void>[] = [];
  let announced = 0;
  const peer = (name: string): CachePeers => ({
    announce(prefix, keys) {
      announced += 1;
      for (const listener of listeners) if (listener.name !== name && listener.prefix === prefix) forgetting.push(listener.forget(keys));
    },
    listen(prefix, forget) {
      const listener = { name, prefix, forget };
      listeners.push(listener);
      return () => void listeners.splice(listeners.indexOf(listener), 1);
    },
  });
  return { peer, heard: () => Promise.all(forgetting), announced: () => announced, listening: () => listeners.length };
}

describe('the read cache', () => {
  it('answers concurrent identical reads with one load, then from memory, then from keyv', async () => {
    const keyv = new Keyv();
    const cache = createReadCache({ keyv, prefix: 't1' });
    const roster = counter(['a', 'b']);
    const pending = Array.from({ length: 5 }, () => cache.get('employees', roster.load));
    roster.release();
    const answers = await Promise.all(pending);
    expect(answers).toEqual(Array.from({ length: 5 }, () => ['a', 'b']));
    // The very same instance from memory, so callers can memoise by identity.
    expect(await cache.get('employees', roster.load)).toBe(answers[0]);
    expect(cache.stats()).toEqual({ memoryHits: 1, staleHits: 0, hits: 0, misses: 1, deduplicated: 4, refreshFailures: 0 });

    // Another process (no memory of its own) over the same keyv reads it back from the store.
    const replica = createReadCache({ keyv, prefix: 't1' });
    expect(await replica.get('employees', roster.load)).toEqual(['a', 'b']);
    expect(replica.stats()).toMatchObject({ hits: 1, misses: 0 });
    expect(roster.calls()).toBe(1);
  });

  it('caches a null answer too, and keeps tenants apart by prefix', async () => {
    const keyv = new Keyv();
    const a = createReadCache({ keyv, prefix: 'tenant-a' });
    const b = createReadCache({ keyv, prefix: 'tenant-b' });
    const nothing = counter(null);
    nothing.release();
    await a.get('learner:1', nothing.load);
    await a.get('learner:1', nothing.load);
    expect(nothing.calls()).toBe(1);
    const other = counter('b');
    other.release();
    expect(await b.get('learner:1', other.load)).toBe('b');
  });

  it('forgets invalidated keys and everything under an invalidated prefix', async () => {
    const cache = createReadCache({ keyv: new Keyv(), prefix: 't' });
    const members = counter(['L1']);
    members.release();
    await cache.get('team-members:T1', members.load);
    await cache.get('team-members:T2', members.load);
    await cache.invalidate(['team-members:']);
    await cache.get('team-members:T1', members.load);
    expect(members.calls()).toBe(3);
  });

  it('with a TTL of 0 deduplicates but never stores', async () => {
    const cache = createReadCache({ keyv: new Keyv(), prefix: 't', ttlMs: 0 });
    const courses = counter(['c']);
    courses.release();
    await cache.get('courses', courses.load);
    await cache.get('courses', courses.load);
    expect(courses.calls()).toBe(2);
  });

  it('with peers, makes the other replicas forget too: their memory copies and the shared entries they wrote, without announcing again', async () => {
    const keyv = new Keyv();
    const { peer, heard, announced, listening } = replicas();
    const a = createReadCache({ keyv, prefix: 't', peers: peer('a') });
    const b = createReadCache({ keyv, prefix: 't', peers: peer('b') });
    const other = createReadCache({ keyv, prefix: 'u', peers: peer('c') });
    const members = counter(['L1']);
    members.release();
    await b.get('team-members:T1', members.load);
    await a.get('team-members:T1', members.load);
    await other.get('team-members:T1', members.load);
    expect(members.calls()).toBe(2);

    const generations = [a.generation(), b.generation(), other.generation()];
    await a.invalidate(['team-members:']);
    await heard();
    expect(announced()).toBe(1);
    // Answers reused under the old generation (resolvers/response-cache.ts) are not reused on either replica.
    expect(a.generation()).not.toBe(generations[0]);
    expect(b.generation()).not.toBe(generations[1]);
    expect(other.generation()).toBe(generations[2]);
    expect(await keyv.get('t:team-members:T1')).toBeUndefined();
    await b.get('team-members:T1', members.load);
    expect(members.calls()).toBe(3);
    // Another prefix (tenant) heard nothing.
    await other.get('team-members:T1', members.load);
    expect(members.calls()).toBe(3);

    for (const cache of [a, b, other]) cache.close();
    expect(listening()).toBe(0);
  });

  describe('stale while revalidate', () => {
    afterEach(() => vi.useRealTimers());
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    /** A load whose answers are given one at a time: each call waits for the next `answer` (which waits for a call). */
    function upstream<T>() {
      const waiting: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
      let calls = 0;
      return {
        load: () => {
          calls += 1;
          return new Promise<T>((resolve, reject) => waiting.push({ resolve, reject }));
        },
        async answer(value: T) {
          while (waiting.length === 0) await settle();
          waiting.shift()?.resolve(value);
        },
        async fail(error: Error) {
          while (waiting.length === 0) await settle();
          waiting.shift()?.reject(error);
        },
        calls: () => calls,
      };
    }

    it('keeps answering from memory while one background read replaces an expired copy, and changes generation only then', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const cache = createReadCache({ keyv: new Keyv(), prefix: 't', ttlMs: 1000, memoryTtlMs: 100 });
      const roster = upstream<string[]>();
      const first = cache.get('employees', roster.load);
      await roster.answer(['a']);
      const old = await first;
      const before = cache.generation();

      // Past the memory's check but within the entry's life: checked against keyv in the background, same read, same instance.
      vi.advanceTimersByTime(150);
      expect(await cache.get('employees', roster.load)).toBe(old);
      await settle();
      expect(cache.stats()).toMatchObject({ staleHits: 1, hits: 1 });
      expect(cache.generation()).toBe(before);

      // Past the entry's life: answered at once with the old copy, while one upstream read (not one per request) runs.
      vi.advanceTimersByTime(1000);
      const during = await Promise.all([cache.get('employees', roster.load), cache.get('employees', roster.load)]);
      expect(during).toEqual([old, old]);
      await roster.answer(['a', 'b']);
      expect(roster.calls()).toBe(2);
      await settle();
      expect(await cache.get('employees', roster.load)).toEqual(['a', 'b']);
      expect(cache.generation()).not.toBe(before);
    });

    it('keeps the last good copy when a background read fails, reports it, and asks again only when the next check is due', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const failures: string[] = [];
      const cache = createReadCache({
        keyv: new Keyv(),
        prefix: 't',
        ttlMs: 1000,
        memoryTtlMs: 100,
        onRefreshError: (key, error) => failures.push(`${key}: ${(error as Error).message}`),
      });
      const learners = upstream<string[]>();
      const first = cache.get('learners', learners.load);
      await learners.answer(['L1']);
      await first;
      vi.advanceTimersByTime(1100);
      expect(await cache.get('learners', learners.load)).toEqual(['L1']);
      await learners.fail(new Error('Litmos answered 503'));
      await settle();
      expect(failures).toEqual(['learners: Litmos answered 503']);
      expect(await cache.get('learners', learners.load)).toEqual(['L1']);
      expect(learners.calls()).toBe(2);
      vi.advanceTimersByTime(150);
      expect(await cache.get('learners', learners.load)).toEqual(['L1']);
      await learners.answer(['L1', 'L2']);
      expect(learners.calls()).toBe(3);
      await settle();
      expect(await cache.get('learners', learners.load)).toEqual(['L1', 'L2']);
      expect(cache.stats().refreshFailures).toBe(1);

      // Not for ever: one more lifetime past the entry's, then a request waits for the upstream and meets its error.
      vi.advanceTimersByTime(2100);
      const late = cache.get('learners', learners.load);
      await learners.fail(new Error('still down'));
      await expect(late).rejects.toThrow('still down');
    });

    it('does not cache what a read under way when the key was invalidated brings back', async () => {
      const cache = createReadCache({ keyv: new Keyv(), prefix: 't' });
      const learners = upstream<string[]>();
      const before = cache.get('learners', learners.load);
      await cache.invalidate(['learners']);
      const after = cache.get('learners', learners.load);
      await learners.answer(['old']);
      await learners.answer(['new']);
      expect(await before).toEqual(['old']);
      expect(await after).toEqual(['new']);
      expect(await cache.get('learners', learners.load)).toEqual(['new']);
      expect(learners.calls()).toBe(2);
    });
  });
});
