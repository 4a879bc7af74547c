/**
 * The distributed mode's Redis (ROSTERGATE_REDIS_URL): connections under one key prefix
 * (ROSTERGATE_REDIS_PREFIX), so several deployments or test runs share one Redis without meeting.
 * The run queue (BullMQ), the shared rate budgets, the progress bus and cache invalidation all take
 * their connections from here; ioredis because BullMQ and graphql-redis-subscriptions are built on it.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors.js';
import { serverAddress, unreachable, withDeadline } from '../store/connection.js';

export interface RedisSettings {
  url: string;
  /** Every key starts with it; ends with ':' by convention. @default "rostergate:" */
  prefix: string;
}

export interface SharedRedis {
  /** The key prefix, e.g. `rostergate:`. */
  prefix: string;
  /** The connection for ordinary commands and scripts, shared by everything of this process. */
  client: Redis;
  /**
   * A connection of its own: a pub/sub subscriber, or BullMQ's blocking worker connection
   * (`blocking`: commands wait for the server forever instead of failing after a few retries).
   */
  connect(options?: { blocking?: boolean }): Redis;
  /** `host:port` and prefix, never a password: for logs and errors. */
  address: string;
  close(): Promise<void>;
}

const PREFIX_SYNTAX = /^[A-Za-z0-9_.:-]+$/;

/** Connects and checks the server answers, failing with `ConfigError` naming the address when it does not. */
export async function openRedis(settings: RedisSettings, timeoutMs = 5_000): Promise<SharedRedis> {
  if (!PREFIX_SYNTAX.test(settings.prefix)) {
    throw new ConfigError(`ROSTERGATE_REDIS_PREFIX may hold only A-Z, a-z, 0-9, '_', '.', ':', '-'; received '${settings.prefix}'`, {
      variable: 'ROSTERGATE_REDIS_PREFIX',
    });
  }
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    throw new ConfigError('ROSTERGATE_REDIS_URL is not a URL (redis://host:port)', { variable: 'ROSTERGATE_REDIS_URL' });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`ROSTERGATE_REDIS_URL must be redis:// or rediss://, received ${url.protocol}//`, { variable: 'ROSTERGATE_REDIS_URL' });
  }
  const address = `redis ${serverAddress(url)} ${settings.prefix}*`;
  const what = `Redis at ${serverAddress(url)} (ROSTERGATE_REDIS_URL)`;
  const opened: Redis[] = [];
  const connect = (options: { blocking?: boolean } = {}): Redis => {
    const redisOptions: RedisOptions = {
      connectTimeout: timeoutMs,
      // BullMQ requires it on the connections its workers block on; elsewhere a command fails after a few reconnects.
      ...(options.blocking ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 3 }),
    };
    const connection = new Redis(settings.url, redisOptions);
    // ioredis emits each failed reconnection as 'error'; unheard, that would end the process.
    connection.on('error', () => undefined);
    opened.push(connection);
    return connection;
  };
  const client = connect();
  try {
    await withDeadline(what, timeoutMs, client.ping());
  } catch (error) {
    client.disconnect();
    throw error instanceof ConfigError ? error : unreachable(what, error);
  }
  return {
    prefix: settings.prefix,
    client,
    connect,
    address,
    async close() {
      await Promise.all(opened.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}
