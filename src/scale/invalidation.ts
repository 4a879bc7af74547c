/**
 * Cache invalidation across gateway replicas: each replica keeps decoded copies of upstream reads in
 * memory and alone knows which shared keyv entries it wrote, so an invalidation on one is announced
 * to all on `<prefix>cache-invalidate` (Redis pub/sub), and each forgets for itself.
 */
import { randomUUID } from 'node:crypto';
import type { CachePeers } from '../datasources/cache.js';
import { listen } from './pubsub.js';
import type { SharedRedis } from './redis.js';

/** What goes over the channel. */
interface Announcement {
  /** The announcing CachePeers, so it does not act on its own announcements. */
  origin: string;
  /** The cache's prefix (its tenant). */
  prefix: string;
  /** The key prefixes invalidated there. */
  keys: string[];
}

const isAnnouncement = (message: unknown): message is Announcement => {
  if (typeof message !== 'object' || message === null) return false;
  const { origin, prefix, keys } = message as Record<string, unknown>;
  return typeof origin === 'string' && typeof prefix === 'string' && Array.isArray(keys) && keys.every((key) => typeof key === 'string');
};

export interface CachePeersOptions {
  /** Told of an announcement that could not be sent, a subscription that failed, or a `forget` that failed. @default ignore */
  onError?: (error: unknown) => void;
}

export type RedisCachePeers = CachePeers & {
  /** Resolves once this process hears the other replicas' announcements. Never rejects (a failure goes to `onError`). */
  listening: Promise<void>;
  /** Waits for the announcements already made to be sent and stops listening. Call it before closing the SharedRedis. */
  close(): Promise<void>;
};

/** One per process, shared by every tenant's read cache (each listens under its own prefix). */
export function createCachePeers(redis: SharedRedis, options: CachePeersOptions = {}): RedisCachePeers {
  const channel = `${redis.prefix}cache-invalidate`;
  const origin = randomUUID();
  const report = (error: unknown) => options.onError?.(error);
  const caches = new Map<string, Set<(keys: readonly string[]) => Promise<void>>>();
  // Announcements go out in order on the one command connection, so the last one settling means all have.
  let sent: Promise<unknown> = Promise.resolve();
  // Subscribed at once rather than at the first cache's listen, so a cache made later hears the other
  // replicas from its first moment, without a wait of its own.
  const stop = listen(redis, channel, (message) => {
    if (!isAnnouncement(message) || message.origin === origin) return;
    for (const forget of caches.get(message.prefix) ?? []) forget(message.keys).catch(report);
  });
  const listening = stop.then(
    () => undefined,
    (error: unknown) => report(error),
  );

  return {
    announce(prefix, keys) {
      const announcement: Announcement = { origin, prefix, keys: [...keys] };
      sent = redis.client.publish(channel, JSON.stringify(announcement)).catch(report);
    },
    listen(prefix, forget) {
      const listeners = caches.get(prefix) ?? new Set();
      caches.set(prefix, listeners);
      // A wrapper of its own, so a cache listening twice with one function stops only what it asked for.
      const listener = (keys: readonly string[]) => forget(keys);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && caches.get(prefix) === listeners) caches.delete(prefix);
      };
    },
    listening,
    async close() {
      caches.clear();
      await sent;
      const unsubscribe = await stop.catch(() => undefined);
      unsubscribe?.();
    },
  };
}
