import type Keyv from 'keyv';
import { setTimeout } from 'node:timers/promises';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AtomicState } from './atomic.js';
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

/** A change of a run that only applies while it is in one of the given statuses. */
export interface RunTransition<TRun extends RunShape> {
  /** Statuses the stored run may be in; any other refuses the change with `ConflictError`. */
  from: readonly string[];
  patch: RunPatch<TRun>;
}

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

/** The run a source's slot was last given to, and when (epoch ms, the taker's clock). */
interface ActiveSlot {
  runId: string;
  takenAt: number;
}

/** A slot naming a run that still does not exist this long after it was taken is an orphan: its taker died before writing the run. */
const ORPHANED_SLOT_MS = 10_000;
/** How often a caller that found a slot whose run is being written looks again, ms. */
const SLOT_POLL_MS = 20;

/** One line of a tenant's run index: enough to filter and order without loading the runs. */
type IndexEntry = Pick<RunShape, 'id' | 'source' | 'status' | 'createdAt'>;

const CURSOR = 'run';

/**
 * Sync runs, one key each, plus one index per tenant kept newest first. Every write of a run is a
 * compare-and-set on the backend, so writers in different processes never undo each other's changes
 * and a status transition happens once. The index is written after the run and can lag behind it
 * (a crash between the two, or two processes' index writes landing out of order); each transition
 * rewrites the run's line, and `findActive` checks the runs themselves.
 */
export class RunRepository<TRun extends RunShape> {
  constructor(
    private readonly kv: Keyv,
    private readonly atomic: AtomicState,
    private readonly locks: KeyedMutex,
  ) {}

  /** Stores a new run; `ConflictError` when the id exists, even when another process created it a moment ago. */
  async create(run: TRun): Promise<TRun> {
    const runKey = tenantKey(run.tenant, 'run', run.id);
    if (!(await this.atomic.create(runKey, run))) {
      throw new ConflictError(`run '${run.id}' already exists for tenant '${run.tenant}'`, { runId: run.id });
    }
    await this.indexStatus(run);
    return run;
  }

  /**
   * Stores `run` unless its source already has a run in one of `active`: of any number of concurrent
   * calls, in this process or another, exactly one creates and the others get the run it created.
   *
   * A per-source slot names the source's current run and is taken by compare-and-set — the store's one
   * cross-process primitive, on every backend — before the run is written. The slot is free again
   * once the run it names has left `active`, so nothing has to release it. Between taking the slot and
   * writing the run the run does not exist yet: a caller that finds the slot so waits for it, and only
   * a slot left that way for ORPHANED_SLOT_MS (its writer died in between) is taken over.
   */
  async createExclusive(run: TRun, active: readonly string[]): Promise<{ run: TRun; created: boolean }> {
    const slotKey = tenantKey(run.tenant, 'active-run', run.source);
    for (;;) {
      const seen = await this.atomic.read<ActiveSlot>(slotKey);
      const holder = seen.value ? await this.get(run.tenant, seen.value.runId) : await this.findActive(run.tenant, run.source, active);
      // Without a slot, a run started before slots existed still holds its source (found through the index).
      if (holder && active.includes(holder.status)) return { run: holder, created: false };
      if (seen.value && !holder && Date.now() - seen.value.takenAt < ORPHANED_SLOT_MS) {
        await setTimeout(SLOT_POLL_MS);
        continue;
      }
      if (await this.atomic.replace(slotKey, seen, { runId: run.id, takenAt: Date.now() })) return { run: await this.create(run), created: true };
    }
  }

  async get(tenant: string, id: string): Promise<TRun | null> {
    return (await this.kv.get<TRun>(tenantKey(tenant, 'run', id))) ?? null;
  }

  /** Merges `patch` into the stored run, whatever its status, and returns the result; `NotFoundError` for an unknown id. */
  async update(tenant: string, id: string, patch: RunPatch<TRun>): Promise<TRun> {
    let before: string | undefined;
    const updated = await this.atomic.change<TRun>(tenantKey(tenant, 'run', id), (current) => {
      const run = found(current, tenant, id);
      before = run.status;
      return merged(run, patch);
    });
    if (updated.status !== before) await this.indexStatus(updated);
    return updated;
  }

  /**
   * Merges `patch` only while the stored run's status is one of `from`: of any number of concurrent
   * transitions out of a status, in this process or another, exactly one applies and the others get
   * `ConflictError` naming the status they found. `NotFoundError` for an unknown id.
   */
  async transition(tenant: string, id: string, change: RunTransition<TRun>): Promise<TRun> {
    const updated = await this.atomic.change<TRun>(tenantKey(tenant, 'run', id), (current) => {
      const run = found(current, tenant, id);
      if (!change.from.includes(run.status)) {
        throw new ConflictError(`run '${id}' is ${run.status}; this change needs it ${change.from.join(' or ')}`, {
          runId: id,
          status: run.status,
          expected: [...change.from],
        });
      }
      return merged(run, change.patch);
    });
    // Also when the status stayed: the transition is where a lagging index line is put right.
    await this.indexStatus(updated);
    return updated;
  }

  /** Newest first; the cursor is a position in that order, so runs created meanwhile do not shift later pages. */
  async list(tenant: string, options: RunListOptions): Promise<RunPage<TRun>> {
    assertPageSize(options.first);
    const index = (await this.kv.get<IndexEntry[]>(tenantKey(tenant, 'runs'))) ?? [];
    const matching = index.filter(
      (entry) => (options.source === undefined || entry.source === options.source) && (options.status === undefined || entry.status === options.status),
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

  /**
   * The newest run of `source` whose status is one of `statuses`, or null: a guard against starting a
   * second one. The index only nominates candidates; each is read, so a line that still shows a
   * finished run as active cannot hold the source forever.
   */
  async findActive(tenant: string, source: string, statuses: readonly string[]): Promise<TRun | null> {
    const index = (await this.kv.get<IndexEntry[]>(tenantKey(tenant, 'runs'))) ?? [];
    const candidates = index.filter((entry) => entry.source === source && statuses.includes(entry.status));
    for (const candidate of candidates) {
      const run = await this.get(tenant, candidate.id);
      if (run !== null && statuses.includes(run.status)) return run;
    }
    return null;
  }

  /**
   * Puts the run's line in its tenant's index, with the status the run has now (read again, so that
   * of two processes' index writes the later one carries the later status). Leaves the index
   * untouched when the line is already right.
   */
  private async indexStatus(written: TRun): Promise<void> {
    const indexKey = tenantKey(written.tenant, 'runs');
    // Queued within the process, so its own writers do not spend compare-and-set rounds on each other.
    await this.locks.run(indexKey, async () => {
      const run = (await this.get(written.tenant, written.id)) ?? written;
      await this.atomic.decide<IndexEntry[], undefined>(indexKey, (current) => {
        const index = current ?? [];
        const entry = index.find((candidate) => candidate.id === run.id);
        if (entry?.status === run.status) return { keep: true, result: undefined };
        const others = index.filter((candidate) => candidate.id !== run.id);
        return { write: [...others, indexEntry(run)].sort(newestFirst), result: undefined };
      });
    });
  }

  private async load(tenant: string, entries: IndexEntry[]): Promise<TRun[]> {
    if (entries.length === 0) return [];
    const runs = await this.kv.getMany<TRun>(entries.map((entry) => tenantKey(tenant, 'run', entry.id)));
    return runs.filter((run): run is TRun => run !== undefined);
  }
}

function found<TRun extends RunShape>(run: TRun | undefined, tenant: string, id: string): TRun {
  if (run === undefined) throw new NotFoundError(`no run '${id}' for tenant '${tenant}'`, { runId: id });
  return run;
}

/** The identity and the fields the index is keyed on never change. */
function merged<TRun extends RunShape>(current: TRun, patch: RunPatch<TRun>): TRun {
  const { id, tenant, source, createdAt } = current;
  return { ...current, ...patch, id, tenant, source, createdAt };
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
