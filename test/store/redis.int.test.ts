import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeStoreConformance, openTarget } from './conformance.js';

const ADDRESS = '127.0.0.1:6379';
const START = 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';
const prefix = `rg-test-${randomBytes(6).toString('hex')}`;
const target = { server: `Redis at ${ADDRESS} (start it with: ${START})`, url: `redis://${ADDRESS}?prefix=${prefix}` };

/** Calls `body` with every batch of this run's keys, on a connection of its own. */
async function eachKeyBatch(body: (client: RedisClient, keys: string[]) => Promise<void>): Promise<void> {
  const client = createClient({ url: `redis://${ADDRESS}` });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await body(client, keys);
    }
  } finally {
    await client.close();
  }
}
/** What the callbacks use of the client. */
interface RedisClient {
  del(keys: string[]): Promise<number>;
  mGet(keys: string[]): Promise<(string | null)[]>;
}

describeStoreConformance({
  ...target,
  cleanup: async () => {
    await eachKeyBatch(async (client, keys) => {
      await client.del(keys);
    });
  },
  rawContents: async () => {
    const lines: string[] = [];
    await eachKeyBatch(async (client, keys) => {
      const values = await client.mGet(keys);
      for (const [index, key] of keys.entries()) lines.push(`${key}\t${values[index] ?? ''}`);
    });
    return lines.join('\n');
  },
});

describe('Redis store', () => {
  it('fails fast with CONFIG_INVALID naming the address when nothing listens there', async () => {
    await expect(openStore({ url: 'redis://127.0.0.1:1', secretKey: randomBytes(32) })).rejects.toThrow(
      /^Redis store at 127\.0\.0\.1:1 is unreachable: .*ECONNREFUSED/,
    );
  });

  it('lets cache entries expire in Redis itself', async () => {
    const store = await openTarget(target, randomBytes(32));
    const client = createClient({ url: `redis://${ADDRESS}` });
    await client.connect();
    try {
      await store.cache.set('acme:learners', ['L1'], 60_000);
      const ttl = await client.pTTL(`${prefix}:cache::acme:learners`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await client.del(`${prefix}:cache::acme:learners`);
      await client.close();
      await store.close();
    }
  });
});
