import type Keyv from 'keyv';
import { ConfigError } from '../errors.js';
import { tenantKey } from './keys.js';

/** What the store needs of a plan: its long lists. The sync engine's plan type adds the rest. */
export interface PlanShape {
  actions: unknown[];
  skips: unknown[];
  unchanged: unknown[];
}

type ListName = keyof PlanShape;
const LISTS: readonly ListName[] = ['actions', 'skips', 'unchanged'];

/** Written after the chunks: a plan whose manifest is absent or names another write is not there. */
interface Manifest<TPlan> {
  /** The plan without its lists. */
  rest: Omit<TPlan, ListName>;
  /** Items per list; chunks past them are left from an earlier write of the same run. */
  lengths: Record<ListName, number>;
  chunkSize: number;
}

/**
 * Items per key. A 50,000-employee initial plan (creates and team additions) is about 100 chunks,
 * each serialized and sealed on its own: as one value its text, sealed text and envelope would be
 * tens of megabytes each, all alive at once, on every write and read.
 */
const CHUNK_SIZE = 1000;
/** Chunks written or read per round trip, which bounds the serialized text in memory at once. */
const CHUNKS_PER_BATCH = 8;

/**
 * A run's plan, stored in chunks of its lists beside a manifest. `put` replaces a plan whole: it takes
 * the manifest away first and writes it last, so a plan being written again (a run planned afresh
 * after a restart) reads as absent until it is all there, never as a mix of the two.
 */
export class PlanRepository {
  constructor(private readonly kv: Keyv) {}

  /** The plan as written; the caller's type, as settings are. */
  async get<TPlan extends PlanShape>(tenant: string, runId: string): Promise<TPlan | null> {
    const manifest = await this.kv.get<Manifest<TPlan>>(this.key(tenant, runId));
    if (manifest === undefined) return null;
    const lists = {} as Record<ListName, unknown[]>;
    for (const list of LISTS) {
      const keys = Array.from({ length: Math.ceil(manifest.lengths[list] / manifest.chunkSize) }, (_, index) => this.key(tenant, runId, list, index));
      const items: unknown[] = [];
      for (let start = 0; start < keys.length; start += CHUNKS_PER_BATCH) {
        for (const chunk of await this.kv.getMany<unknown[]>(keys.slice(start, start + CHUNKS_PER_BATCH))) {
          if (chunk === undefined) throw new ConfigError(`the store has lost part of run ${runId}'s plan (a chunk of its ${list})`, { runId });
          for (const item of chunk) items.push(item);
        }
      }
      lists[list] = items.slice(0, manifest.lengths[list]);
    }
    return { ...manifest.rest, ...lists } as TPlan;
  }

  async put(tenant: string, runId: string, plan: PlanShape): Promise<void> {
    const { actions, skips, unchanged, ...rest } = plan;
    await this.kv.delete(this.key(tenant, runId));
    const lists: Record<ListName, unknown[]> = { actions, skips, unchanged };
    const writes: { key: string; value: unknown }[] = [];
    const flush = async () => {
      if (writes.length > 0) await this.kv.setMany(writes.splice(0));
    };
    for (const list of LISTS) {
      const items = lists[list];
      for (let index = 0; index * CHUNK_SIZE < items.length; index += 1) {
        writes.push({ key: this.key(tenant, runId, list, index), value: items.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE) });
        if (writes.length === CHUNKS_PER_BATCH) await flush();
      }
    }
    await flush();
    const manifest: Manifest<PlanShape> = {
      rest,
      lengths: { actions: actions.length, skips: skips.length, unchanged: unchanged.length },
      chunkSize: CHUNK_SIZE,
    };
    await this.kv.set(this.key(tenant, runId), manifest);
  }

  private key(tenant: string, runId: string, list?: ListName, index?: number): string {
    return list === undefined ? tenantKey(tenant, 'plan', runId) : tenantKey(tenant, 'plan', runId, list, String(index ?? 0));
  }
}
