import type Keyv from 'keyv';
import { ConflictError, NotFoundError } from '../errors.js';
import { tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';
import { assertPageSize, decodeCursor, encodeCursor, invalidCursor, type PageInfo } from './paging.js';

/** What the store needs of a run; the sync engine's run type adds the rest. */
export interface RunShape {
  id: string;
  tenant: string;
  source: string;
  status: string;
  /** ISO 8601 instant, UTC; listing orders by it. */
  createdAt: string;
}

/** Everything but the identity and the fields the listing index is keyed on. */
export type RunPatch<TRun extends RunShape> = Partial<Omit<TRun, 'id' | 'tenant' | 'source' | 'createdAt'>>;

export interface RunListOptions {
  source?: string;
  status?: string;
  first: number;
  /** `endCursor` of the previous page. */
  after?: string | null;
}

export interface RunPage<TRun> extends PageInfo {
  runs: TRun[];
}

/** One line of a tenant's run index: enough to filter and order without loading the runs. */
type IndexEntry = Pick<RunShape, 'id' | 'source' | 'status' | 'createdAt'>;

const CURSOR = 'run';

/** Sync runs, one key each, plus one index per tenant kept newest first. */
export class RunRepository<TRun extends RunShape> {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
  ) {}

  async create(run: TRun): Promise<TRun> {
    const indexKey = tenantKey(run.tenant, 'runs');
    return this.locks.run(indexKey, async () => {
      const runKey = tenantKey(run.tenant, 'run', run.id);
      if ((await this.kv.get(runKey)) !== undefined) {
        throw new ConflictError(`run '${run.id}' already exists for tenant '${run.tenant}'`, { runId: run.id });
      }
      const index = (await this.kv.get<IndexEntry[]>(indexKey)) ?? [];
      index.push(indexEntry(run));
      index.sort(newestFirst);
      await this.kv.setMany([
        { key: runKey, value: run },
        { key: indexKey, value: index },
      ]);
      return run;
    });
  }

  async get(tenant: string, id: string): Promise<TRun | null> {
    return (await this.kv.get<TRun>(tenantKey(tenant, 'run', id))) ?? null;
  }

  /** Merges `patch` into the stored run and returns the result; `NotFoundError` for an unknown id. */
  async update(tenant: string, id: string, patch: RunPatch<TRun>): Promise<TRun> {
    const indexKey = tenantKey(tenant, 'runs');
    return this.locks.run(indexKey, async () => {
      const runKey = tenantKey(tenant, 'run', id);
      const current = await this.kv.get<TRun>(runKey);
      if (current === undefined) throw new NotFoundError(`no run '${id}' for tenant '${tenant}'`, { runId: id });
      const updated: TRun = { ...current, ...patch, id, tenant, source: current.source, createdAt: current.createdAt };
      if (updated.status === current.status) {
        await this.kv.set(runKey, updated);
        return updated;
      }
      const index = (await this.kv.get<IndexEntry[]>(indexKey)) ?? [];
      const entry = index.find((candidate) => candidate.id === id);
      if (entry !== undefined) {
        entry.status = updated.status;
      } else {
        // Two processes creating runs for one tenant at once can drop each other's index line;
        // the run's next transition puts it back.
        index.push(indexEntry(updated));
        index.sort(newestFirst);
      }
      await this.kv.setMany([
        { key: runKey, value: updated },
        { key: indexKey, value: index },
      ]);
      return updated;
    });
  }

  /** Newest first; the cursor is a position in that order, so runs created meanwhile do not shift later pages. */
  async list(tenant: string, options: RunListOptions): Promise<RunPage<TRun>> {
    assertPageSize(options.first);
    const index = (await this.kv.get<IndexEntry[]>(tenantKey(tenant, 'runs'))) ?? [];
    const matching = index.filter(
      (entry) =>
        (options.source === undefined || entry.source === options.source) &&
        (options.status === undefined || entry.status === options.status),
    );
    const after = options.after ? parseRunCursor(options.after) : undefined;
    const rest = after === undefined ? matching : matching.filter((entry) => newestFirst(entry, after) > 0);
    const page = rest.slice(0, options.first);
    const runs = await this.load(tenant, page);
    const last = page.at(-1);
    return {
      runs,
      totalCount: matching.length,
      hasNextPage: rest.length > page.length,
      endCursor: last === undefined ? null : runCursor(last),
    };
  }

  /** The newest run of `source` whose status is one of `statuses`, or null: a guard against starting a second one. */
  async findActive(tenant: string, source: string, statuses: readonly string[]): Promise<TRun | null> {
    const index = (await this.kv.get<IndexEntry[]>(tenantKey(tenant, 'runs'))) ?? [];
    const entry = index.find((candidate) => candidate.source === source && statuses.includes(candidate.status));
    return entry === undefined ? null : this.get(tenant, entry.id);
  }

  private async load(tenant: string, entries: IndexEntry[]): Promise<TRun[]> {
    if (entries.length === 0) return [];
    const runs = await this.kv.getMany<TRun>(entries.map((entry) => tenantKey(tenant, 'run', entry.id)));
    return runs.filter((run): run is TRun => run !== undefined);
  }
}

function indexEntry(run: RunShape): IndexEntry {
  return { id: run.id, source: run.source, status: run.status, createdAt: run.createdAt };
}

/** Negative when `a` comes before `b` in the listing: later `createdAt` first, then higher id. */
function newestFirst(a: Pick<RunShape, 'id' | 'createdAt'>, b: Pick<RunShape, 'id' | 'createdAt'>): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

function runCursor(entry: Pick<RunShape, 'id' | 'createdAt'>): string {
  return encodeCursor(CURSOR, JSON.stringify([entry.createdAt, entry.id]));
}

function parseRunCursor(cursor: string): Pick<RunShape, 'id' | 'createdAt'> {
  const payload = decodeCursor(CURSOR, cursor);
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) {
    throw invalidCursor(CURSOR, cursor);
  }
  const [createdAt, id] = parsed as [string, string];
  return { createdAt, id };
}
