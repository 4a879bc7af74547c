/**
 * The second-level cache for upstream reads: keyv (shared by every request, and by every gateway
 * replica when the store is Redis or PostgreSQL) plus in-flight deduplication, so a hundred
 * concurrent requests for the roster cost one upstream read, not a hundred. What it stores is HR
 * data; the store's cache keyv seals every value with the store's key (store/seal.ts), so this
 * module keeps personal data out of keys only.
 *
 * Stale while revalidate: once a decoded copy in memory is due for a check, requests keep getting it
 * while one background refresh (per key) reads keyv, or the upstream when the entry has expired. No
 * request waits for that refresh, and a failed one keeps the last good copy (reported through
 * `onRefreshError`) for up to one more lifetime. Only invalidation makes requests wait for a fresh read.
 */
import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';

export interface ReadCacheOptions {
  keyv: Keyv;
  /** Key prefix, so tenants never see each other's entries. */
  prefix: string;
  /** Entry lifetime, ms; 0 disables caching but keeps deduplication. @default 300_000 */
  ttlMs?: number;
  /**
   * How long this process serves its decoded copy before checking it against keyv in the background, ms
   * (capped by the entry's lifetime); 0 keeps no copy. Another replica's new entry reaches this one
   * within it; invalidations reach it at once through `peers`. @default 5_000
   */
  memoryTtlMs?: number;
  /**
   * The other replicas' caches over the same keyv (scale/invalidation.ts): an invalidation here reaches
   * them, and theirs reach this one. Without it only this process forgets.
   */
  peers?: CachePeers;
  /** Told when a background refresh fails; the last good copy is served meanwhile. @default ignore */
  onRefreshError?: (key: string, error: unknown) => void;
}

/**
 * How replicas tell each other of invalidations. Each replica keeps decoded copies in memory and is the
 * only one that knows which shared keyv entries it wrote, so every replica must forget for itself.
 */
export interface CachePeers {
  /** Tells every other replica that the key prefixes `keys` of the cache `prefix` were invalidated. Sends in the background; never throws. */
  announce(prefix: string, keys: readonly string[]): void;
  /**
   * Calls `forget` with the key prefixes another replica invalidated in the cache `prefix` (never this
   * replica's own announcements), reporting its failure rather than throwing it; returns the function
   * that stops listening.
   */
  listen(prefix: string, forget: (keys: readonly string[]) => Promise<void>): () => void;
}

export interface CacheStats {
  /** Answered from this process's memory, fresh. */
  memoryHits: number;
  /** Answered from memory while a background refresh was due or under way. */
  staleHits: number;
  hits: number;
  misses: number;
  deduplicated: number;
  /** Background refreshes that failed (the stale copy stayed). */
  refreshFailures: number;
}

export interface ReadCache {
  /** The cached value for `key`, or the result of `load`, stored for `ttlMs` (default: the cache's). */
  get<T>(key: string, load: () => Promise<T>, ttlMs?: number): Promise<T>;
  /** Drop entries whose key starts with any of the given prefixes (after this cache's own prefix), here and, with `peers`, on every replica. */
  invalidate(keys: readonly string[]): Promise<void>;
  /**
   * Changes whenever what this process serves may have changed: an invalidation (its own or a peer's)
   * or a copy replaced by a different one. Equal generations mean equal answers, so a response
   * computed under one may be reused under it (resolvers/response-cache.ts).
   */
  generation(): string;
  stats(): CacheStats;
  /** Stops hearing the peers' invalidations. */
  close(): void;
}

/** What keyv holds: the version names one upstream read, so a replica can tell a new entry from its own copy. */
interface Stored<T> {
  value: T;
  version?: string;
  /** Epoch ms the entry expires. */
  expiresAt?: number;
}

interface Kept extends Required<Stored<unknown>> {
  /** Served without a check until then. */
  freshUntil: number;
  /** Served at all until then (while refreshes fail): one more lifetime past `expiresAt`. */
  staleUntil: number;
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const ttlMs = options.ttlMs ?? 300_000;
  const memoryTtlMs = options.memoryTtlMs ?? 5_000;
  const inFlight = new Map<string, Promise<unknown>>();
  // Keys written since start: keyv cannot enumerate every backend cheaply, and invalidation only
  // needs the keys this process could have cached.
  const written = new Set<string>();
  const stats: CacheStats = { memoryHits: 0, staleHits: 0, hits: 0, misses: 0, deduplicated: 0, refreshFailures: 0 };
  const memory = new Map<string, Kept>();
  const instance = randomUUID();
  let changes = 0;
  // Counts invalidations: a read that began before one must not cache what it brought back.
  let invalidations = 0;
  const full = (key: string) => `${options.prefix}:${key}`;
  // Beside each entry, the version alone: the check every memory lifetime reads these few bytes, not
  // a roster of thousands to decrypt and parse on the event loop every requests waits on.
  const stampOf = (key: string) => `${key}#version`;

  /**
   * Keeps `stored` as the memory copy. Replacing a different version is a change, and so is dropping a
   * copy (see `get`): so a key's first copy is not, and an answer computed while it was being read holds.
   */
  function keep<T>(key: string, stored: Stored<T>, entryTtlMs: number): T {
    if (entryTtlMs <= 0 || memoryTtlMs <= 0) {
      // Nothing kept, nothing to compare with: every read may be new.
      changes += 1;
      return stored.value;
    }
    const now = Date.now();
    const expiresAt = stored.expiresAt ?? now + entryTtlMs;
    const current = memory.get(key);
    const freshUntil = Math.min(expiresAt, now + memoryTtlMs);
    if (current && stored.version !== undefined && current.version === stored.version) {
      // The same read: keep the instance, so whatever callers derived from it by identity stays valid.
      Object.assign(current, { freshUntil, expiresAt, staleUntil: expiresAt + entryTtlMs });
      return current.value as T;
    }
    memory.set(key, { value: stored.value, version: stored.version ?? randomUUID(), expiresAt, freshUntil, staleUntil: expiresAt + entryTtlMs });
    if (current) changes += 1;
    return stored.value;
  }

  /** Drops what matches `prefixes` from memory, and from keyv the matching keys this process wrote and `exact`. */
  async function forget(prefixes: readonly string[], exact: readonly string[] = []): Promise<void> {
    const matches = (key: string) => prefixes.some((prefix) => key.startsWith(prefix));
    const drop = () => {
      invalidations += 1;
      for (const key of memory.keys()) if (matches(key)) memory.delete(key);
      // A read under way brings back what was there before: later requests start their own.
      for (const key of inFlight.keys()) if (matches(key)) inFlight.delete(key);
    };
    const doomed = new Set([...exact, ...[...written].filter(matches)]);
    drop();
    await Promise.all([...doomed].flatMap((key) => [options.keyv.delete(full(key)), options.keyv.delete(full(stampOf(key)))]));
    for (const key of doomed) written.delete(key);
    // Again, and only then a new generation: a response computed until now may hold the old values.
    drop();
    changes += 1;
  }
  // Another replica's invalidation: forgotten here without announcing it again.
  const unlisten = options.peers?.listen(options.prefix, (keys) => forget(keys));

  async function read<T>(key: string, load: () => Promise<T>, entryTtlMs: number): Promise<T> {
    const epoch = invalidations;
    const kept = memory.get(key);
    if (kept && entryTtlMs > 0 && (await options.keyv.get(full(stampOf(key)))) === kept.version && epoch === invalidations) {
      stats.hits += 1;
      kept.freshUntil = Math.min(kept.expiresAt, Date.now() + memoryTtlMs);
      return kept.value as T;
    }
    if (entryTtlMs > 0) {
      const cached = (await options.keyv.get(full(key))) as Stored<T> | undefined;
      if (cached !== undefined && (cached.expiresAt ?? Infinity) > Date.now()) {
        stats.hits += 1;
        return epoch === invalidations ? keep(key, cached, entryTtlMs) : cached.value;
      }
    }
    stats.misses += 1;
    const value = await load();
    if (entryTtlMs <= 0 || epoch !== invalidations) return value;
    // Wrapped, so a legitimately null or undefined upstream answer is still a hit next time.
    const stored: Stored<T> = { value, version: randomUUID(), expiresAt: Date.now() + entryTtlMs };
    await Promise.all([options.keyv.set(full(key), stored, entryTtlMs), options.keyv.set(full(stampOf(key)), stored.version, entryTtlMs)]);
    if (epoch !== invalidations) {
      await Promise.all([options.keyv.delete(full(key)), options.keyv.delete(full(stampOf(key)))]);
      return value;
    }
    written.add(key);
    return keep(key, stored, entryTtlMs);
  }

  /** One read per key at a time; callers arriving meanwhile share it. */
  function shared<T>(key: string, load: () => Promise<T>, entryTtlMs: number): Promise<T> {
    const pending = inFlight.get(key);
    if (pending) {
      stats.deduplicated += 1;
      return pending as Promise<T>;
    }
    const promise: Promise<T> = read(key, load, entryTtlMs).finally(() => {
      if (inFlight.get(key) === promise) inFlight.delete(key);
    });
    inFlight.set(key, promise);
    return promise;
  }

  function refresh(key: string, kept: Kept, load: () => Promise<unknown>, entryTtlMs: number): void {
    if (inFlight.has(key)) return;
    shared(key, load, entryTtlMs).catch((error: unknown) => {
      stats.refreshFailures += 1;
      // Not again before the next check is due: a failing upstream is not asked on every request.
      kept.freshUntil = Date.now() + memoryTtlMs;
      options.onRefreshError?.(key, error);
    });
  }

  return {
    get<T>(key: string, load: () => Promise<T>, entryTtlMs = ttlMs): Promise<T> {
      const kept = memory.get(key);
      const now = Date.now();
      if (kept && now < kept.freshUntil) {
        stats.memoryHits += 1;
        // The same instance every time: callers may memoise what they derive from it by identity.
        return Promise.resolve(kept.value as T);
      }
      if (kept && now < kept.staleUntil) {
        stats.staleHits += 1;
        refresh(key, kept, load, entryTtlMs);
        return Promise.resolve(kept.value as T);
      }
      if (kept) {
        memory.delete(key);
        changes += 1;
      }
      return shared(key, load, entryTtlMs);
    },
    async invalidate(keys) {
      if (keys.length === 0) return;
      options.peers?.announce(options.prefix, keys);
      // The keys themselves too: an entry another replica wrote under exactly that key goes at once.
      await forget(keys, keys);
    },
    generation: () => `${instance}:${changes}`,
    stats: () => ({ ...stats }),
    close: () => unlisten?.(),
  };
}
