import type Keyv from 'keyv';
import { ConfigError, ConflictError } from '../errors.js';
import type { StateSwap } from './connection.js';

/** A state entry as read for a compare-and-set: its value, and the stored text a write must still find. */
export interface Versioned<T> {
  /** Undefined when the key holds nothing (or only an expired entry). */
  value: T | undefined;
  /** The entry exactly as stored; undefined when the key holds nothing. */
  stored: string | undefined;
}

/** What a decision makes of the current value: store `write` and answer `result`, or leave the entry as it is. */
export type Decision<T, R> = { write: T; result: R } | { keep: true; result: R };

/**
 * Rounds of read, decide, compare-and-set before giving up. A round is lost only when another writer
 * won it, so this bounds how many writers one change can wait behind, not how long it may take.
 */
const MAX_ROUNDS = 50;

/**
 * Read-decide-write on the state namespace that holds between processes: each write lands only if
 * the entry is still the one the decision was made on, else the decision is made again on what is
 * there now. Values go through the state keyv's own serializer (and so its sealing), and keys through
 * the backend's own prefixing, so what this writes reads back through the repositories' keyv.
 */
export class AtomicState {
  constructor(
    private readonly kv: Keyv,
    private readonly swap: StateSwap,
  ) {}

  async read<T>(key: string): Promise<Versioned<T>> {
    const stored = await this.swap.read(key);
    if (stored === undefined) return { value: undefined, stored };
    const entry = await this.kv.deserializeData<T>(stored);
    const expired = typeof entry?.expires === 'number' && entry.expires <= Date.now();
    return { value: expired ? undefined : entry?.value, stored };
  }

  /** Stores `value` only if the key holds nothing; whether it did. */
  async create(key: string, value: unknown): Promise<boolean> {
    return this.swap.write(key, undefined, await this.serialize(value));
  }

  /** Stores `value` if the key still holds what `seen` was read from; whether it did. */
  async replace<T>(key: string, seen: Versioned<T>, value: T): Promise<boolean> {
    return this.swap.write(key, seen.stored, await this.serialize(value));
  }

  /**
   * Decides on the current value and stores the decision, deciding again whenever another writer got
   * there first. `decide` may throw to refuse (say, `ConflictError` for a status that no longer allows
   * the change); it must not have effects of its own, since it can run more than once.
   */
  async decide<T, R>(key: string, decide: (current: T | undefined) => Decision<T, R>): Promise<R> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const seen = await this.read<T>(key);
      const decision = decide(seen.value);
      if ('keep' in decision) return decision.result;
      if (await this.replace(key, seen, decision.write)) return decision.result;
    }
    throw new ConflictError(`state entry '${key}' changed under each of ${MAX_ROUNDS} attempts to update it`, { key });
  }

  /** `decide` for the common case: store what `next` makes of the current value, and answer it. */
  async change<T>(key: string, next: (current: T | undefined) => T): Promise<T> {
    return this.decide<T, T>(key, (current) => {
      const value = next(current);
      return { write: value, result: value };
    });
  }

  private async serialize(value: unknown): Promise<string> {
    const text = await this.kv.serializeData({ value, expires: undefined });
    if (typeof text !== 'string') {
      // Only a keyv built without a serializer hands back objects; the backends never build one.
      throw new ConfigError('the state namespace must serialize entries to text for compare-and-set');
    }
    return text;
  }
}
