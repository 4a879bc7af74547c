import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AtomicState } from './atomic.js';
import { tenantKey } from './keys.js';

export type JournalState = 'STARTED' | 'DONE' | 'FAILED';

export interface JournalEntry {
  state: JournalState;
  /** What the action set out to do, recorded before any upstream call. */
  intent: unknown;
  result?: unknown;
  error?: string;
  /** ISO 8601 instant of the last transition. */
  at: string;
  /**
   * Names the attempt that wrote STARTED, so an attempt that resumes can tell its own crashed claim
   * (the entry it read before) from another attempt's live one. Absent on entries from before claims.
   */
  claim?: string;
}

export interface ClaimOptions {
  /**
   * The entry the caller read when it decided to act (`getMany`), or null when it found none. A
   * STARTED entry is another attempt's claim and is taken over only when it is this very entry: the
   * caller's earlier attempt, which died mid-call. @default null
   */
  seen?: JournalEntry | null;
}

/** Whether this caller claimed the action; `entry` is then its own claim, else whatever holds the action. */
export type JournalClaim = { claimed: true; entry: JournalEntry } | { claimed: false; entry: JournalEntry };

/**
 * The apply journal: each action is written STARTED before its upstream call and DONE or FAILED
 * after, one key per action. A resumed run reads the entries of its plan's actions and skips the
 * DONE ones; a STARTED one crashed mid-call and must be reconciled against the upstream first.
 */
export class JournalRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly atomic: AtomicState,
  ) {}

  /**
   * Records the intent as STARTED if the action is free: never begun, FAILED (a retry), or STARTED by
   * the attempt `options.seen` names. Of any number of concurrent claims, in this process or another,
   * exactly one gets it; the others learn who holds it, and must not perform the action.
   */
  async claim(tenant: string, runId: string, actionId: string, intent: unknown, options: ClaimOptions = {}): Promise<JournalClaim> {
    const seen = options.seen ?? null;
    return this.atomic.decide<JournalEntry, JournalClaim>(this.key(tenant, runId, actionId), (current) => {
      if (current !== undefined && !claimable(current, seen)) {
        return { keep: true, result: { claimed: false, entry: current } };
      }
      const entry: JournalEntry = { state: 'STARTED', intent, at: new Date().toISOString(), claim: randomUUID() };
      return { write: entry, result: { claimed: true, entry } };
    });
  }

  /**
   * `claim`, failing with `ConflictError` when the caller did not get the action (DONE, so it is never
   * performed twice, or claimed by a concurrent attempt). Without `options.seen`, a STARTED entry
   * found now counts as the caller's own crashed attempt, as a resume that did not read first needs.
   */
  async begin(tenant: string, runId: string, actionId: string, intent: unknown, options: ClaimOptions = {}): Promise<JournalEntry> {
    const found = async () => (await this.atomic.read<JournalEntry>(this.key(tenant, runId, actionId))).value ?? null;
    const seen = options.seen !== undefined ? options.seen : await found();
    const outcome = await this.claim(tenant, runId, actionId, intent, { seen });
    if (outcome.claimed) return outcome.entry;
    const reason = outcome.entry.state === 'DONE' ? 'is already done' : 'was claimed by another attempt';
    throw new ConflictError(`action '${actionId}' of run '${runId}' ${reason}`, {
      runId,
      actionId,
      state: outcome.entry.state,
    });
  }

  async complete(tenant: string, runId: string, actionId: string, result: unknown): Promise<JournalEntry> {
    return this.finish(tenant, runId, actionId, { state: 'DONE', result });
  }

  async fail(tenant: string, runId: string, actionId: string, error: string): Promise<JournalEntry> {
    return this.finish(tenant, runId, actionId, { state: 'FAILED', error });
  }

  /** Entries of the given actions; actions never begun are absent from the map. */
  async getMany(tenant: string, runId: string, actionIds: readonly string[]): Promise<Map<string, JournalEntry>> {
    const entries = new Map<string, JournalEntry>();
    if (actionIds.length === 0) return entries;
    const values = await this.kv.getMany<JournalEntry>(actionIds.map((id) => tenantKey(tenant, 'journal', runId, id)));
    for (const [index, entry] of values.entries()) {
      const actionId = actionIds[index];
      if (entry !== undefined && actionId !== undefined) entries.set(actionId, entry);
    }
    return entries;
  }

  private async finish(tenant: string, runId: string, actionId: string, outcome: Pick<JournalEntry, 'state' | 'result' | 'error'>): Promise<JournalEntry> {
    return this.atomic.change<JournalEntry>(this.key(tenant, runId, actionId), (current) => {
      if (current === undefined) {
        throw new NotFoundError(`action '${actionId}' of run '${runId}' was never begun`, { runId, actionId });
      }
      return { intent: current.intent, ...outcome, at: new Date().toISOString() };
    });
  }

  private key(tenant: string, runId: string, actionId: string): string {
    return tenantKey(tenant, 'journal', runId, actionId);
  }
}

/** DONE never; FAILED always (a retry); STARTED only when it is the attempt the caller saw, taken over. */
function claimable(current: JournalEntry, seen: JournalEntry | null): boolean {
  if (current.state === 'DONE') return false;
  if (current.state === 'FAILED') return true;
  return seen !== null && sameAttempt(current, seen);
}

function sameAttempt(a: JournalEntry, b: JournalEntry): boolean {
  // Entries from before claims carry no token; their instant is the closest thing to one.
  return a.claim !== undefined || b.claim !== undefined ? a.claim === b.claim : a.state === b.state && a.at === b.at;
}
