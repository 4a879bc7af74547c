/**
 * A rollback run's planning step, in place of the read and plan of an ordinary run: what the run it
 * rolls back did (its stored plan and journal), what later runs wrote, and how Litmos stands now for
 * the learners concerned, handed to the pure reversal (core/rollback.ts). Everything after — the
 * safeguard, approval, apply with its journal, retries and resume, the report — is the ordinary run's.
 */
import type { LitmosClient } from '../datasources/litmos/client.js';
import type { Learner, LocalDate } from '../model.js';
import type { SyncPlan } from '../core/plan-types.js';
import { holdsInForce } from '../core/holds.js';
import type { Policy } from '../core/policy.js';
import { learnersToRead, planRollback, type DoneAction, type LearnerNow } from '../core/rollback.js';
import type { SyncRun } from '../core/run.js';
import type { JournalEntry, RunDraft, SyncStore } from './ports.js';

export interface RollbackPlanOptions {
  tenant: string;
  store: SyncStore;
  litmos: LitmosClient;
  /** The rollback run itself: its `rollbackOf` names the run rolled back. */
  run: SyncRun;
  policy: Policy;
  today: LocalDate;
}

/** Later runs read per page while looking for those after the rolled-back one (the list is newest first). */
const PAGE = 50;

export async function planRollbackRun(options: RollbackPlanOptions): Promise<{ plan: SyncPlan; draft: RunDraft }> {
  const { tenant, store, run } = options;
  const targetId = run.rollbackOf ?? '';
  const target = await store.runs.get(tenant, targetId);
  const targetPlan = await store.plans.get(tenant, targetId);
  if (!target || !targetPlan) throw new Error(`run ${targetId} has no stored plan to roll back`);
  const done = await doneActions(store, tenant, targetId, targetPlan);
  const [listed, touchedLater] = await Promise.all([options.litmos.listLearners(), learnersTouchedAfter(store, tenant, target, run.id)]);
  const current = await currentLearners(options.litmos, done, listed);
  const activeLearners = listed.filter((learner) => learner.active).length;
  const plan = planRollback({
    source: run.source,
    today: options.today,
    done,
    current,
    touchedLater,
    held: new Set(holdsInForce(await store.holds.list(tenant), run.source, options.today).keys()),
    safeguard: options.policy.safeguard,
    activeLearners,
  });
  const people = (await store.plans.draft(tenant, targetId))?.people ?? {};
  return { plan, draft: { people, notFound: [] } };
}

/** The run's actions journaled DONE, with the learner and team each ended on. */
async function doneActions(store: SyncStore, tenant: string, runId: string, plan: SyncPlan): Promise<DoneAction[]> {
  const journal = await store.journal.getMany(
    tenant,
    runId,
    plan.actions.map((action) => action.id),
  );
  return plan.actions.flatMap((action) => {
    const entry = journal.get(action.id);
    if (entry?.state !== 'DONE') return [];
    return [{ action, ...endedOn(entry) }];
  });
}

/** What apply journaled on DONE (sync/apply.ts's DoneResult), read defensively: entries outlive versions. */
function endedOn(entry: JournalEntry): Omit<DoneAction, 'action'> {
  const result = (entry.result ?? {}) as { learnerId?: unknown; teamId?: unknown; before?: unknown };
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const ended = { learnerId: text(result.learnerId), teamId: text(result.teamId) };
  if (typeof result.before !== 'object' || result.before === null) return ended;
  const before = Object.fromEntries(Object.entries(result.before).map(([field, value]) => [field, typeof value === 'string' ? value : null]));
  return { ...ended, before };
}

/**
 * The listed learners, with the full profile of those whose fields are restored and the teams of those
 * moved back: a call per such learner, none for the many a large run only created or deactivated.
 */
async function currentLearners(litmos: LitmosClient, done: readonly DoneAction[], listed: readonly Learner[]): Promise<Map<string, LearnerNow>> {
  const { withProfiles, withTeams } = learnersToRead(done);
  const current = new Map<string, LearnerNow>(listed.map((learner) => [learner.id, { learner, teamIds: [] }]));
  await Promise.all([
    ...withProfiles.map(async (id) => {
      const learner = await litmos.getLearner(id);
      if (learner) current.set(id, { learner, teamIds: current.get(id)?.teamIds ?? [] });
      else current.delete(id);
    }),
    ...withTeams.map(async (id) => {
      const teamIds = (await litmos.learnerTeams(id)).map((team) => team.id);
      const now = current.get(id);
      if (now) current.set(id, { ...now, teamIds });
    }),
  ]);
  return current;
}

/**
 * Learners that runs created after `target` wrote to in Litmos (links write nothing there), whatever
 * their source: their state is no longer the rolled-back run's doing. Dry runs wrote nothing.
 */
async function learnersTouchedAfter(store: SyncStore, tenant: string, target: SyncRun, rollbackId: string): Promise<Set<string>> {
  const touched = new Set<string>();
  for (const later of await runsAfter(store, tenant, target)) {
    if (later.id === rollbackId || later.dryRun) continue;
    const plan = await store.plans.get(tenant, later.id);
    if (!plan) continue;
    for (const { action, learnerId } of await doneActions(store, tenant, later.id, plan)) {
      const id = learnerId ?? ('learnerId' in action ? action.learnerId : null);
      if (id !== null && action.kind !== 'LINK') touched.add(id);
    }
  }
  return touched;
}

async function runsAfter(store: SyncStore, tenant: string, target: SyncRun): Promise<SyncRun[]> {
  const later: SyncRun[] = [];
  for (let after: string | null = null; ;) {
    const page = await store.runs.list(tenant, { first: PAGE, after });
    const newer = page.runs.filter((run) => run.createdAt > target.createdAt);
    later.push(...newer);
    if (newer.length < page.runs.length || !page.hasNextPage) return later;
    after = page.endCursor;
  }
}
