import KeyvRedis, { createClient } from '@keyv/redis';
import { ConfigError } from '../errors.js';
import {
  type Backend,
  CACHE_NAMESPACE,
  serverAddress,
  STATE_NAMESPACE,
  strictKeyv,
  unreachable,
  withDeadline,
} from './connection.js';

/** Connection attempts before a store that has never connected gives up, so startup fails instead of hanging. */
const INITIAL_ATTEMPTS = 3;
/** Longest pause between reconnection attempts once the store has been connected, ms. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Redis via @keyv/redis. Keys are `<prefix>:<namespace>::<key>`, the prefix (`?prefix=`, default
 * `rostergate`) keeping several deployments or test runs apart in one database. Expiry is
 * Redis's own (PX), so cache entries vanish without a purge.
 */
export async function openRedisBackend(url: URL, timeoutMs: number): Promise<Backend> {
  const prefix = url.searchParams.get('prefix') ?? 'rostergate';
  url.searchParams.delete('prefix');
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new ConfigError(
      `redis store URL parameter 'prefix' may hold only A-Z, a-z, 0-9, '_', '.', '-'; received '${prefix}'`,
    );
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
  const adapter = (namespace: string) =>
    strictKeyv(new KeyvRedis(client, { namespace, throwOnErrors: true }), namespace, false);
  return {
    state: adapter(`${prefix}:${STATE_NAMESPACE}`),
    cache: adapter(`${prefix}:${CACHE_NAMESPACE}`),
    address: `redis ${serverAddress(url)} ${prefix}:*`,
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
