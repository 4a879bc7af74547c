import type Keyv from 'keyv';
import { tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';
import { assertPageSize, decodeCursor, encodeCursor, invalidCursor, type PageInfo } from './paging.js';

/** What the store needs of a per-record result; the sync engine's record type adds the rest. */
export interface RunRecordShape {
  outcome: string;
}

export interface RunRecordListOptions {
  outcome?: string;
  first: number;
  /** `endCursor` of the previous page. */
  after?: string | null;
}

export interface RunRecordPage<TRecord> extends PageInfo {
  records: TRecord[];
}

/** Written after the chunks, in the same batch; readers trust `count` over a chunk's length. */
interface Manifest {
  count: number;
  chunkSize: number;
  outcomes: Record<string, number>;
}

/**
 * Records per key. A 50,000-record run is 100 keys: appending rewrites at most the one partly filled
 * chunk, and a filtered page reads a few chunks rather than 50,000 keys.
 */
const CHUNK_SIZE = 500;
/** Chunks fetched per round trip while a filtered page scans for matches. */
const CHUNKS_PER_READ = 4;
const CURSOR = 'record';

/** The per-record results of a run, in the order they were appended. */
export class RunRecordRepository<TRecord extends RunRecordShape> {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
  ) {}

  /** Appends in order and returns the run's new record count. */
  async append(tenant: string, runId: string, records: readonly TRecord[]): Promise<number> {
    const manifestKey = tenantKey(tenant, 'records', runId);
    return this.locks.run(manifestKey, async () => {
      const manifest = (await this.kv.get<Manifest>(manifestKey)) ?? { count: 0, chunkSize: CHUNK_SIZE, outcomes: {} };
      if (records.length === 0) return manifest.count;
      const { chunkSize } = manifest;
      let chunkIndex = Math.floor(manifest.count / chunkSize);
      const filled = manifest.count % chunkSize;
      // The manifest is the only truth about what a run holds: a chunk never shows a record it
      // does not count.
      const partial = filled === 0 ? undefined : await this.kv.get<TRecord[]>(this.chunkKey(tenant, runId, chunkIndex));
      let chunk = (partial ?? []).slice(0, filled);
      const writes: { key: string; value: unknown }[] = [];
      for (const record of records) {
        chunk.push(record);
        manifest.outcomes[record.outcome] = (manifest.outcomes[record.outcome] ?? 0) + 1;
        if (chunk.length === chunkSize) {
          writes.push({ key: this.chunkKey(tenant, runId, chunkIndex), value: chunk });
          chunkIndex += 1;
          chunk = [];
        }
      }
      if (chunk.length > 0) writes.push({ key: this.chunkKey(tenant, runId, chunkIndex), value: chunk });
      manifest.count += records.length;
      writes.push({ key: manifestKey, value: manifest });
      await this.kv.setMany(writes);
      return manifest.count;
    });
  }

  /** A page in append order; `totalCount` counts the records matching `outcome`, without reading them. */
  async list(tenant: string, runId: string, options: RunRecordListOptions): Promise<RunRecordPage<TRecord>> {
    assertPageSize(options.first);
    const manifest = await this.kv.get<Manifest>(tenantKey(tenant, 'records', runId));
    if (manifest === undefined) return { records: [], totalCount: 0, hasNextPage: false, endCursor: null };
    const { outcome, first } = options;
    const totalCount = outcome === undefined ? manifest.count : (manifest.outcomes[outcome] ?? 0);
    const found: { record: TRecord; position: number }[] = [];
    const { chunkSize } = manifest;
    const next = options.after ? parseRecordCursor(options.after) + 1 : 0;
    const chunkCount = Math.ceil(manifest.count / chunkSize);
    // Unfiltered, one read covers the page; filtered, matches may be sparse, so read a few chunks at a time.
    const perRead = outcome === undefined ? Math.floor((next + first) / chunkSize) - Math.floor(next / chunkSize) + 1 : CHUNKS_PER_READ;
    scan: for (let chunkIndex = Math.floor(next / chunkSize); chunkIndex < chunkCount; chunkIndex += perRead) {
      const chunks = await this.readChunks(tenant, runId, manifest, chunkIndex, perRead);
      for (const [offset, chunk] of chunks.entries()) {
        const base = (chunkIndex + offset) * chunkSize;
        const start = Math.max(0, next - base);
        for (const [index, record] of chunk.slice(start).entries()) {
          if (outcome === undefined || record.outcome === outcome) {
            found.push({ record, position: base + start + index });
          }
          // One match beyond the page answers hasNextPage.
          if (found.length > first) break scan;
        }
      }
    }
    const page = found.slice(0, first);
    const last = page.at(-1);
    return {
      records: page.map((entry) => entry.record),
      totalCount,
      hasNextPage: found.length > first,
      endCursor: last === undefined ? null : encodeCursor(CURSOR, String(last.position)),
    };
  }

  /** Every record of the run, in append order (for the CSV report). */
  async all(tenant: string, runId: string): Promise<TRecord[]> {
    const manifest = await this.kv.get<Manifest>(tenantKey(tenant, 'records', runId));
    if (manifest === undefined) return [];
    const chunks = await this.readChunks(tenant, runId, manifest, 0, Math.ceil(manifest.count / manifest.chunkSize));
    return chunks.flat();
  }

  /** `count` chunks from `firstChunk`, each cut at the manifest's count. */
  private async readChunks(tenant: string, runId: string, manifest: Manifest, firstChunk: number, count: number): Promise<TRecord[][]> {
    const end = Math.min(firstChunk + count, Math.ceil(manifest.count / manifest.chunkSize));
    const keys: string[] = [];
    for (let index = firstChunk; index < end; index += 1) keys.push(this.chunkKey(tenant, runId, index));
    if (keys.length === 0) return [];
    const chunks = await this.kv.getMany<TRecord[]>(keys);
    return chunks.map((chunk, offset) => (chunk ?? []).slice(0, manifest.count - (firstChunk + offset) * manifest.chunkSize));
  }

  private chunkKey(tenant: string, runId: string, index: number): string {
    return tenantKey(tenant, 'records', runId, String(index));
  }
}

function parseRecordCursor(cursor: string): number {
  const payload = decodeCursor(CURSOR, cursor);
  const position = Number(payload);
  if (!/^\d+$/.test(payload) || !Number.isSafeInteger(position)) throw invalidCursor(CURSOR, cursor);
  return position;
}
