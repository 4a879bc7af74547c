import type Keyv from 'keyv';
import { ConflictError, NotFoundError } from '../errors.js';
import { tenantKey } from './keys.js';
import type { KeyedMutex } from './lock.js';

export type JournalState = 'STARTED' | 'DONE' | 'FAILED';

export interface JournalEntry {
  state: JournalState;
  /** What the action set out to do, recorded before any upstream call. */
  intent: unknown;
  result?: unknown;
  error?: string;
  /** ISO 8601 instant of the last transition. */
  at: string;
}

/**
 * The apply journal: each action is written STARTED before its upstream call and DONE or FAILED
 * after, one key per action. A resumed run reads the entries of its plan's actions and skips the
 * DONE ones; a STARTED one crashed mid-call and must be reconciled against the upstream first.
 */
export class JournalRepository {
  constructor(
    private readonly kv: Keyv,
    private readonly locks: KeyedMutex,
  ) {}

  /** Records the intent; `ConflictError` when the action is already DONE, so it is never performed twice. */
  async begin(tenant: string, runId: string, actionId: string, intent: unknown): Promise<JournalEntry> {
    const key = tenantKey(tenant, 'journal', runId, actionId);
    return this.locks.run(key, async () => {
      const current = await this.kv.get<JournalEntry>(key);
      if (current?.state === 'DONE') {
        throw new ConflictError(`action '${actionId}' of run '${runId}' is already done`, { runId, actionId });
      }
      const entry: JournalEntry = { state: 'STARTED', intent, at: new Date().toISOString() };
      await this.kv.set(key, entry);
      return entry;
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

  private async finish(
    tenant: string,
    runId: string,
    actionId: string,
    outcome: Pick<JournalEntry, 'state' | 'result' | 'error'>,
  ): Promise<JournalEntry> {
    const key = tenantKey(tenant, 'journal', runId, actionId);
    return this.locks.run(key, async () => {
      const current = await this.kv.get<JournalEntry>(key);
      if (current === undefined) {
        throw new NotFoundError(`action '${actionId}' of run '${runId}' was never begun`, { runId, actionId });
      }
      const entry: JournalEntry = { intent: current.intent, ...outcome, at: new Date().toISOString() };
      await this.kv.set(key, entry);
      return entry;
    });
  }
}
