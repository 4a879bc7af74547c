/**
 * Identifiers the simulated account hands out, all drawn from one seeded source so that a reseed
 * hands out the same ones again.
 */
import { createRandom, type Random } from '../random.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FIRST_ORIGINAL_ID = 5_090_000;

export class LitmosIds {
  private readonly issued = new Set<string>();
  private readonly random: Random;
  private nextOriginalId = FIRST_ORIGINAL_ID;

  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  /** Litmos ids: 11 URL-safe base64 characters and a trailing `1` (they may start with `-` or `_`). */
  id(): string {
    for (;;) {
      let id = '';
      for (let i = 0; i < 11; i++) id += ID_ALPHABET.charAt(this.random.int(0, ID_ALPHABET.length - 1));
      id += '1';
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }

  /** Litmos's integer `OriginalId`, also used for result ids: one rising sequence. */
  originalId(): number {
    return this.nextOriginalId++;
  }

  /** The GUID in a user's login key. */
  uuid(): string {
    const hex = () => this.random.int(0, 15).toString(16);
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => (c === 'y' ? '8' : hex()));
  }
}
