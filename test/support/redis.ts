/**
 * The local Redis the distributed mode's tests run against, under a random key prefix per test file,
 * so files running at once (and leftovers of a crashed run) never meet.
 */
import { randomBytes } from 'node:crypto';
import { openRedis, type SharedRedis } from '../../src/scale/redis.js';

export const REDIS_ADDRESS = '127.0.0.1:6379';
export const REDIS_URL = `redis://${REDIS_ADDRESS}`;
const START = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

/** `rg-test-<hex>:`, a SharedRedis prefix of this file's own. */
export function testPrefix(): string {
  return `rg-test-${randomBytes(6).toString('hex')}:`;
}

/** A connection under `prefix`, or an error saying Redis is not there and how to start it. */
export async function openTestRedis(prefix: string): Promise<SharedRedis> {
  try {
    return await openRedis({ url: REDIS_URL, prefix }, 2_000);
  } catch (error) {
    throw new Error(`these tests need Redis at ${REDIS_ADDRESS}, which is not usable (${(error as Error).message}); start it with: ${START}`, {
      cause: error,
    });
  }
}

/** Deletes every key under `redis.prefix`, found with SCAN (KEYS would block the server). */
export async function dropKeys(redis: SharedRedis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.client.scan(cursor, 'MATCH', `${redis.prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** How many connections are subscribed to `channel`. */
export async function subscribers(redis: SharedRedis, channel: string): Promise<number> {
  const [, count] = (await redis.client.pubsub('NUMSUB', channel)) as [string, number];
  return count;
}
