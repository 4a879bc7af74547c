import KeyvRedis, { createClient } from '@keyv/redis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { ConfigError } from '../errors.js';
import { type Backend, CACHE_NAMESPACE, serverAddress, STATE_NAMESPACE, type StateSwap, strictKeyv, unreachable, withDeadline } from './connection.js';

/** Connection attempts before a store that has never connected gives up, so startup fails instead of hanging. */
const INITIAL_ATTEMPTS = 3;
/** Longest pause between reconnection attempts once the store has been connected, ms. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * GET, compare, SET in one script: Redis runs a script to the end before any other command, so no
 * writer can slip in between. ARGV: 'absent' or 'equal', the expected text, the new text. SET
 * without PX also drops any TTL, as state entries never expire.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1`;

/** The two commands compare-and-set needs, as the connected client offers them. */
interface RedisCommands {
  get(key: string): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Redis via @keyv/redis. Keys are `<prefix>:<namespace>::<key>`, the prefix (`?prefix=`, default
 * `rostergate`) keeping several deployments or test runs apart in one database. Expiry is
 * Redis's own (PX), so cache entries vanish without a purge.
 */
export async function openRedisBackend(url: URL, timeoutMs: number): Promise<Backend> {
  const prefix = url.searchParams.get('prefix') ?? 'rostergate';
  url.searchParams.delete('prefix');
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new ConfigError(`redis store URL parameter 'prefix' may hold only A-Z, a-z, 0-9, '_', '.', '-'; received '${prefix}'`);
  }
  const what = `Redis store at ${serverAddress(url)}`;
  let connected = false;
  const client = createClient({
    url: url.href,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries, cause) => {
        if (!connected && retries + 1 >= INITIAL_ATTEMPTS) return cause;
        return Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS);
      },
    },
  });
  // node-redis emits every failed reconnection attempt as 'error', which would end the process
  // without a listener; commands meanwhile wait in its offline queue and fail on their own.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(what, error);
  }
  connected = true;
  const stateAdapter = new KeyvRedis(client, { namespace: `${prefix}:${STATE_NAMESPACE}`, throwOnErrors: true });
  const state = strictKeyv(stateAdapter, `${prefix}:${STATE_NAMESPACE}`, false);
  const cacheAdapter = new KeyvRedis(client, { namespace: `${prefix}:${CACHE_NAMESPACE}`, throwOnErrors: true });
  return {
    state,
    cache: strictKeyv(cacheAdapter, `${prefix}:${CACHE_NAMESPACE}`, false),
    // The adapter, not keyv, adds the namespace here; its own prefixing spells the stored key.
    swap: redisSwap(client, (key) => stateAdapter.createKeyPrefix(state._getKeyPrefix(key), stateAdapter.namespace)),
    address: `redis ${serverAddress(url)} ${prefix}:*`,
    limiter: (options) =>
      new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: true,
        keyPrefix: `${prefix}:limit`,
        points: options.points,
        duration: options.durationSeconds,
      }),
    async ping() {
      await withDeadline(what, timeoutMs, client.ping());
    },
    async close() {
      // close() waits for queued commands, which never run while the server is away.
      if (client.isReady) await client.close();
      else client.destroy();
    },
  };
}

function redisSwap(client: RedisCommands, storedKey: (key: string) => string): StateSwap {
  return {
    async read(key) {
      return (await client.get(storedKey(key))) ?? undefined;
    },
    async write(key, expected, next) {
      const args = expected === undefined ? ['absent', '', next] : ['equal', expected, next];
      return (await client.eval(COMPARE_AND_SET, { keys: [storedKey(key)], arguments: args })) === 1;
    },
  };
}
