/**
 * The progress bus over Redis, as two gateway replicas see it: two buses on connections of their own,
 * publishing and subscribing across each other. Needs Redis at 127.0.0.1:6379 (test/support/redis.ts).
 */
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emptyCounts } from '../../src/core/run.js';
import { createRedisProgressBus, type RedisProgressBus } from '../../src/scale/progress.js';
import type { SharedRedis } from '../../src/scale/redis.js';
import type { ProgressEvent } from '../../src/sync/progress.js';
import { dropKeys, openTestRedis, subscribers, testPrefix } from '../support/redis.js';

const clock = () => new Date('2026-03-01T09:00:00.000Z');
const prefix = testPrefix();
let a: SharedRedis;
let b: SharedRedis;
let busA: RedisProgressBus;
let busB: RedisProgressBus;

beforeAll(async () => {
  a = await openTestRedis(prefix);
  b = await openTestRedis(prefix);
  busA = createRedisProgressBus(a, clock);
  busB = createRedisProgressBus(b, clock);
});

afterAll(async () => {
  await Promise.all([busA?.close(), busB?.close()]);
  if (a) await dropKeys(a);
  await Promise.all([a?.close(), b?.close()]);
});

/** An event of `runId` whose `message` names it, so a test can tell each one apart. */
function step(runId: string, message: string, done = 0): Omit<ProgressEvent, 'sequence' | 'at'> {
  return {
    runId,
    status: 'APPLYING',
    phase: 'APPLYING',
    done,
    total: 100,
    counts: { ...emptyCounts(), created: done },
    budget: { limit: 100, windowMs: 60_000, used: done, remaining: 100 - done },
    etaMs: null,
    message,
  };
}

/** The first `count` events of `events`, failing after a few seconds rather than hanging. */
async function take(events: AsyncIterable<ProgressEvent>, count: number): Promise<ProgressEvent[]> {
  const taken: ProgressEvent[] = [];
  if (count === 0) return taken;
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${taken.length} of ${count} events came`)), 5_000).unref());
  const reading = (async () => {
    for await (const event of events) {
      taken.push(event);
      if (taken.length === count) break;
    }
    return taken;
  })();
  return Promise.race([reading, timeout]);
}

const channel = (runId: string) => `${prefix}progress:${runId}`;

describe('the progress bus over Redis', () => {
  it("gives a subscriber on one replica another replica's events in order, numbered 1..n, and the latest to a late reader", async () => {
    const runId = randomUUID();
    const abort = new AbortController();
    const events = await busB.subscribe(runId, abort.signal);
    for (let i = 1; i <= 20; i += 1) busA.publish(step(runId, `A${i}`, i));
    const received = await take(events, 20);
    abort.abort();
    expect(received.map((event) => event.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(received.map((event) => event.message)).toEqual(Array.from({ length: 20 }, (_, i) => `A${i + 1}`));
    expect(received[19]).toEqual({ ...step(runId, 'A20', 20), sequence: 20, at: '2026-03-01T09:00:00.000Z' });
    expect(await busB.latest(runId)).toEqual(received[19]);
    expect(await busB.latest(randomUUID())).toBeUndefined();
  });

  it('numbers the events of two publishers to one run uniquely and in the order subscribers receive them, losing none', async () => {
    const runId = randomUUID();
    const abort = new AbortController();
    const onA = await busA.subscribe(runId, abort.signal);
    const onB = await busB.subscribe(runId, abort.signal);
    for (let i = 1; i <= 50; i += 1) {
      busA.publish(step(runId, `A${i}`));
      busB.publish(step(runId, `B${i}`));
    }
    const [seenOnA, seenOnB] = await Promise.all([take(onA, 100), take(onB, 100)]);
    abort.abort();
    for (const seen of [seenOnA, seenOnB]) {
      expect(seen.map((event) => event.sequence)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const messages = seen.map((event) => event.message ?? '');
      expect(new Set(messages).size).toBe(100);
      // Each publisher's events keep the order it published them in.
      for (const publisher of ['A', 'B']) {
        expect(messages.filter((message) => message.startsWith(publisher))).toEqual(Array.from({ length: 50 }, (_, i) => `${publisher}${i + 1}`));
      }
    }
    expect(seenOnB).toEqual(seenOnA);
  });

  it('ends the iteration when the signal aborts and unsubscribes, leaving other subscriptions to the run alone', async () => {
    const runId = randomUUID();
    const kept = new AbortController();
    const stays = await busB.subscribe(runId, kept.signal);
    const abort = new AbortController();
    const ends = (await busB.subscribe(runId, abort.signal))[Symbol.asyncIterator]();
    // One subscriber connection per process, however many subscriptions.
    expect(await subscribers(a, channel(runId))).toBe(1);

    const pending = ends.next();
    abort.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    busA.publish(step(runId, 'after'));
    expect((await take(stays, 1))[0]?.message).toBe('after');

    kept.abort();
    await vi.waitFor(async () => expect(await subscribers(a, channel(runId))).toBe(0));
  });

  it('unsubscribes a consumer that stops reading, before its signal aborts', async () => {
    const runId = randomUUID();
    const abort = new AbortController();
    const events = await busB.subscribe(runId, abort.signal);
    busA.publish(step(runId, 'one'));
    await take(events, 1);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    await vi.waitFor(async () => expect(await subscribers(a, channel(runId))).toBe(0));
  });

  it("never gives a subscriber to one run another run's events", async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const abort = new AbortController();
    const events = await busB.subscribe(x, abort.signal);
    for (let i = 1; i <= 5; i += 1) busA.publish(step(y, `Y${i}`));
    busA.publish(step(x, 'X1'));
    const [first] = await take(events, 1);
    abort.abort();
    expect(first).toMatchObject({ runId: x, message: 'X1', sequence: 1 });
    expect(await busB.latest(y)).toMatchObject({ runId: y, sequence: 5 });
  });

  it('calls observe once per event, in the publishing process only, with the event as stamped', async () => {
    const runId = randomUUID();
    const [seenA, seenB] = [[] as ProgressEvent[], [] as ProgressEvent[]];
    const observedA = createRedisProgressBus(a, clock, (event) => seenA.push(event));
    const observedB = createRedisProgressBus(b, clock, (event) => seenB.push(event));
    const abort = new AbortController();
    const events = await observedB.subscribe(runId, abort.signal);
    for (let i = 1; i <= 5; i += 1) observedA.publish(step(runId, `A${i}`));
    const received = await take(events, 5);
    await Promise.all([observedA.close(), observedB.close()]);
    expect(seenA).toEqual(received);
    expect(seenB).toEqual([]);
  });

  it('ends the subscriptions of a closed bus, and reports a failed publish instead of throwing it', async () => {
    const runId = randomUUID();
    const c = await openTestRedis(prefix);
    const errors: unknown[] = [];
    const bus = createRedisProgressBus(c, clock, undefined, { onError: (error) => errors.push(error) });
    const warnings: Error[] = [];
    const warned = (warning: Error) => warnings.push(warning);
    process.on('warning', warned);
    // More than EventTarget's default 10 listeners, which would warn of a leak.
    const subscriptions = await Promise.all(Array.from({ length: 12 }, () => bus.subscribe(runId, new AbortController().signal)));
    const pending = subscriptions.map((events) => events[Symbol.asyncIterator]().next());
    await bus.close();
    expect(await Promise.all(pending)).toEqual(pending.map(() => ({ done: true, value: undefined })));
    // Node emits a warning a moment after its cause.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', warned);
    expect(warnings).toEqual([]);
    await vi.waitFor(async () => expect(await subscribers(a, channel(runId))).toBe(0));
    await expect(bus.subscribe(runId, new AbortController().signal)).rejects.toThrow(/closed/);
    await c.close();
    expect(() => bus.publish(step(runId, 'lost'))).not.toThrow();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(await busA.latest(runId)).toBeUndefined();
  });
});
