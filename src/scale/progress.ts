/**
 * The progress bus of the distributed mode: a run executes in a worker process while its subscribers
 * sit on any gateway replica, so events go through Redis. Per run, under `<prefix>progress:<runId>`:
 * the sequence counter (`…:sequence`), the latest event (`…:latest`) and the pub/sub channel (the bare
 * name). The events are ProgressEvent's JSON as it is.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import { eventsOf, type ProgressBus, type ProgressEvent } from '../sync/progress.js';
import { listen } from './pubsub.js';
import type { SharedRedis } from './redis.js';

/**
 * One script, so numbering, storing and sending are one atomic step: however many processes publish to
 * a run, sequences are unique and increasing, and every subscriber receives them in sequence order.
 * KEYS: the sequence counter, the latest event. ARGV: the event's JSON without its sequence, the
 * channel, the keys' lifetime in ms (renewed on each event, so a long run keeps them). The sequence is
 * spliced in as the JSON's last member, leaving the rest of the serialized event untouched.
 */
const PUBLISH = `
local sequence = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local event = string.sub(ARGV[1], 1, -2) .. ',"sequence":' .. sequence .. '}'
redis.call('SET', KEYS[2], event, 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[2], event)
return sequence
`;

export interface RedisProgressBusOptions {
  /** Told of a publish that failed (or of `observe` throwing); the run carries on either way. @default ignore */
  onError?: (error: unknown, event: Omit<ProgressEvent, 'sequence'>) => void;
  /** How long a run's sequence and latest event stay after its last event, ms. @default one day */
  ttlMs?: number;
}

export type RedisProgressBus = ProgressBus & {
  /** Waits for the events already published to be sent, and ends every subscription of this bus. Call it before closing the SharedRedis. */
  close(): Promise<void>;
};

const isEvent = (message: unknown): message is ProgressEvent => typeof message === 'object' && message !== null && 'sequence' in message;

/** `clock` stamps each event's `at`; `observe` sees, in the publishing process, every event this bus publishes, once it has its sequence. */
export function createRedisProgressBus(
  redis: SharedRedis,
  clock: Clock,
  observe?: (event: ProgressEvent) => void,
  options: RedisProgressBusOptions = {},
): RedisProgressBus {
  const ttlMs = options.ttlMs ?? 86_400_000;
  const channel = (runId: string) => `${redis.prefix}progress:${runId}`;
  // Publishes go out in call order on the one command connection and settle in that order, so the
  // last one settling means all have.
  let sent: Promise<void> = Promise.resolve();
  // Aborted by close(), ending every subscription of this bus: one listener per live subscription, so no cap.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);

  return {
    publish(partial) {
      const event = { ...partial, at: clock().toISOString() };
      const name = channel(event.runId);
      sent = redis.client
        .eval(PUBLISH, 2, `${name}:sequence`, `${name}:latest`, JSON.stringify(event), name, ttlMs)
        .then((sequence) => observe?.({ ...event, sequence: Number(sequence) }))
        // Progress is a report on the run, not the run: a lost event must not fail it.
        .catch((error: unknown) => options.onError?.(error, event));
    },
    async latest(runId) {
      const stored = await redis.client.get(`${channel(runId)}:latest`);
      return stored === null ? undefined : (JSON.parse(stored) as ProgressEvent);
    },
    async subscribe(runId, signal) {
      closing.signal.throwIfAborted();
      // Ends with `signal` or with close(). A relay per subscription, since RedisPubSub hands every
      // message on the channel to each subscription's handler; listened to before subscribing, as
      // the confirmation and the first message can arrive in one read from the socket.
      const end = new AbortController();
      const relay = new EventEmitter();
      let stop: (() => void) | undefined;
      const finish = () => {
        stop?.();
        for (const source of [signal, closing.signal]) source.removeEventListener('abort', finish);
        end.abort();
      };
      // A consumer that stops reading early (break) unsubscribes too, without waiting for `signal`.
      const events = eventsOf<ProgressEvent>(relay, 'event', end.signal, finish);
      try {
        stop = await listen(redis, channel(runId), (message) => {
          if (isEvent(message)) relay.emit('event', message);
        });
      } catch (error) {
        finish();
        throw error;
      }
      if (signal.aborted || closing.signal.aborted) finish();
      else for (const source of [signal, closing.signal]) source.addEventListener('abort', finish, { once: true });
      return events;
    },
    async close() {
      closing.abort(new Error('the progress bus is closed'));
      await sent;
    },
  };
}
