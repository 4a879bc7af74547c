import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createReadCache } from '../../src/datasources/cache.js';

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
    expect(cache.stats()).toEqual({ memoryHits: 1, hits: 0, misses: 1, deduplicated: 4 });

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
});
