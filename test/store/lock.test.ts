import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/store/lock.js';

/** A read-modify-write with a turn of the event loop between the read and the write, like a keyv round trip. */
async function increment(counters: Map<string, number>, key: string): Promise<void> {
  const value = counters.get(key) ?? 0;
  await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
  counters.set(key, value + 1);
}

describe('KeyedMutex', () => {
  it('loses updates without it and none with it', async () => {
    const unguarded = new Map<string, number>();
    await Promise.all(Array.from({ length: 20 }, async () => increment(unguarded, 'a')));
    expect(unguarded.get('a')).toBeLessThan(20);

    const locks = new KeyedMutex();
    const guarded = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 20 }, async (_, index) => locks.run(index % 2 === 0 ? 'a' : 'b', async () => increment(guarded, index % 2 === 0 ? 'a' : 'b'))),
    );
    expect(guarded).toEqual(
      new Map([
        ['a', 10],
        ['b', 10],
      ]),
    );
  });

  it('releases the key when the section throws', async () => {
    const locks = new KeyedMutex();
    await expect(locks.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.run('k', async () => 'next')).resolves.toBe('next');
  });
});
