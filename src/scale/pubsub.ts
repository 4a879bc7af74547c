/**
 * Redis pub/sub for the progress bus and cache invalidation, through graphql-redis-subscriptions: one
 * subscriber connection per `SharedRedis` (per process) multiplexes every channel either listens on,
 * and messages are published on the shared command connection.
 */
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { SharedRedis } from './redis.js';

const pubSubs = new WeakMap<SharedRedis, RedisPubSub>();

function pubSubOf(redis: SharedRedis): RedisPubSub {
  let pubsub = pubSubs.get(redis);
  if (!pubsub) {
    // `blocking`: SUBSCRIBE and UNSUBSCRIBE wait out an outage (ioredis subscribes again on reconnect)
    // rather than fail after a few retries; RedisPubSub drops UNSUBSCRIBE's promise, so that failure
    // would be an unhandled rejection. The connection closes with the SharedRedis, never through
    // RedisPubSub.close(), which would also quit the shared command connection.
    pubsub = new RedisPubSub({ publisher: redis.client, subscriber: redis.connect({ blocking: true }) });
    pubSubs.set(redis, pubsub);
  }
  return pubsub;
}

/**
 * Calls `onMessage` with each message on `channel` (JSON-decoded; a message that is not JSON comes as
 * its text) once it resolves, that is once Redis confirmed the subscription. Resolves to `stop`, which
 * may be called more than once; call it before closing the SharedRedis.
 */
export async function listen(redis: SharedRedis, channel: string, onMessage: (message: unknown) => void): Promise<() => void> {
  const pubsub = pubSubOf(redis);
  const id = await pubsub.subscribe<unknown>(channel, onMessage);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    // Once the connection has ended there is nothing left to unsubscribe from, and the command would fail unheard.
    if (pubsub.getSubscriber().status !== 'end') pubsub.unsubscribe(id);
  };
}
