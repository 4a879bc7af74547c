/**
 * Serializes read-modify-write sections per key within this process: two interleaved `get → set`
 * sequences on one index would lose an update; queueing them here makes each section see the
 * previous one's write. It does not coordinate separate processes, so it serves only writes that
 * one process makes at a time (records of a run, links, tokens, the outbox). State transitions,
 * which replicas race for, use the backend's compare-and-set (`AtomicState`); there it only spares
 * one process's writers compare-and-set rounds lost to each other.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await critical();
    } finally {
      release();
      // The last section out removes the entry, so the map holds only keys with work queued.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
