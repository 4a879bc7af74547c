import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
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

    await a.invalidate(['team-members:']);
    await heard();
    expect(announced()).toBe(1);
    expect(await keyv.get('t:team-members:T1')).toBeUndefined();
    await b.get('team-members:T1', members.load);
    expect(members.calls()).toBe(3);
    // Another prefix (tenant) heard nothing.
    await other.get('team-members:T1', members.load);
    expect(members.calls()).toBe(3);

    for (const cache of [a, b, other]) cache.close();
    expect(listening()).toBe(0);
  });
});
