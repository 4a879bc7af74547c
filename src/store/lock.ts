/**
 * Serializes read-modify-write sections per key within this process. Keyv offers no
 * compare-and-set, so two interleaved `get → set` sequences on one index would lose an update;
 * queueing them here makes each section see the previous one's write. It does not coordinate
 * separate processes: one tenant's index must have one writing process at a time.
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
