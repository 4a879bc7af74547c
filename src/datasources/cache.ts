/**
 * The second-level cache for upstream reads: keyv (shared by every request, and by every gateway
 * replica when the store is Redis or PostgreSQL) plus in-flight deduplication, so a hundred
 * concurrent requests for the roster cost one upstream read, not a hundred. What it stores is HR
 * data; the store's cache keyv seals every value with the store's key (store/seal.ts), so this
 * module keeps personal data out of keys only.
 */
import type Keyv from 'keyv';

export interface ReadCacheOptions {
  keyv: Keyv;
  /** Key prefix, so tenants never see each other's entries. */
  prefix: string;
  /** Entry lifetime, ms; 0 disables caching but keeps deduplication. @default 300_000 */
  ttlMs?: number;
  /**
   * How long this process keeps a decoded copy in memory, ms (capped by the entry's lifetime). A roster
   * of thousands is costly to read back from keyv and parse on every request; a short memory keeps the
   * hot path off the store while another replica's invalidation still reaches this one quickly. @default 5_000
   */
  memoryTtlMs?: number;
  /**
   * The other replicas' caches over the same keyv (scale/invalidation.ts): an invalidation here reaches
   * them, and theirs reach this one. Without it only this process forgets.
   */
  peers?: CachePeers;
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
  /** Answered from this process's memory. */
  memoryHits: number;
  hits: number;
  misses: number;
  deduplicated: number;
}

export interface ReadCache {
  /** The cached value for `key`, or the result of `load`, stored for `ttlMs` (default: the cache's). */
  get<T>(key: string, load: () => Promise<T>, ttlMs?: number): Promise<T>;
  /** Drop entries whose key starts with any of the given prefixes (after this cache's own prefix), here and, with `peers`, on every replica. */
  invalidate(keys: readonly string[]): Promise<void>;
  stats(): CacheStats;
  /** Stops hearing the peers' invalidations. */
  close(): void;
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const ttlMs = options.ttlMs ?? 300_000;
  const inFlight = new Map<string, Promise<unknown>>();
  // Keys written since start: keyv cannot enumerate every backend cheaply, and invalidation only
  // needs the keys this process could have cached.
  const written = new Set<string>();
  const stats: CacheStats = { memoryHits: 0, hits: 0, misses: 0, deduplicated: 0 };
  const memory = new Map<string, { value: unknown; until: number }>();
  const memoryTtlMs = options.memoryTtlMs ?? 5_000;
  const full = (key: string) => `${options.prefix}:${key}`;
  const remember = (key: string, value: unknown, ttl: number) => {
    if (ttl > 0 && memoryTtlMs > 0) memory.set(key, { value, until: Date.now() + Math.min(ttl, memoryTtlMs) });
  };

  /** Drops what matches `prefixes` from memory, and from keyv the matching keys this process wrote and `exact`. */
  async function forget(prefixes: readonly string[], exact: readonly string[] = []): Promise<void> {
    const matches = (key: string) => prefixes.some((prefix) => key.startsWith(prefix));
    const dropMemory = () => {
      for (const key of memory.keys()) if (matches(key)) memory.delete(key);
    };
    const doomed = new Set([...exact, ...[...written].filter(matches)]);
    dropMemory();
    await Promise.all([...doomed].map((key) => options.keyv.delete(full(key))));
    for (const key of doomed) written.delete(key);
    // Again: a read while the deletes were under way may have brought the old entry back into memory.
    dropMemory();
  }
  // Another replica's invalidation: forgotten here without announcing it again.
  const unlisten = options.peers?.listen(options.prefix, (keys) => forget(keys));

  async function read<T>(key: string, load: () => Promise<T>, ttlMs: number): Promise<T> {
    if (ttlMs > 0) {
      const cached = (await options.keyv.get(full(key))) as { value: T } | undefined;
      if (cached !== undefined) {
        stats.hits += 1;
        remember(key, cached.value, ttlMs);
        return cached.value;
      }
    }
    stats.misses += 1;
    const value = await load();
    if (ttlMs > 0) {
      // Wrapped, so a legitimately null or undefined upstream answer is still a hit next time.
      await options.keyv.set(full(key), { value }, ttlMs);
      written.add(key);
      remember(key, value, ttlMs);
    }
    return value;
  }

  return {
    get<T>(key: string, load: () => Promise<T>, entryTtlMs = ttlMs): Promise<T> {
      const kept = memory.get(key);
      if (kept && kept.until > Date.now()) {
        stats.memoryHits += 1;
        // The same instance every time: callers may memoise what they derive from it by identity.
        return Promise.resolve(kept.value as T);
      }
      const pending = inFlight.get(key);
      if (pending) {
        stats.deduplicated += 1;
        return pending as Promise<T>;
      }
      const promise = read(key, load, entryTtlMs).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      return promise;
    },
    async invalidate(keys) {
      if (keys.length === 0) return;
      options.peers?.announce(options.prefix, keys);
      // The keys themselves too: an entry another replica wrote under exactly that key goes at once.
      await forget(keys, keys);
    },
    stats: () => ({ ...stats }),
    close: () => unlisten?.(),
  };
}
