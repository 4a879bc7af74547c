/**
 * Executes a plan against Litmos, one action kind after another in the plan's order, journaling
 * every action before and after it runs. The journal is what makes a run resumable: an action
 * journaled DONE is never repeated, and one journaled STARTED (the process died mid-call) is first
 * checked against Litmos — a learner that was created is found by username, not created twice.
 */
import pLimit from 'p-limit';
import type { LitmosClient } from '../datasources/litmos/client.js';
import { UpstreamError } from '../errors.js';
import type { IdentityLink, Source } from '../model.js';
import type { JournalEntry, JournalRepository } from '../store/journal.js';
import type { LinkRepository } from '../store/links.js';
import type { LearnerFields } from './policy.js';
import { ACTION_KINDS, createLearnerId, createTeamId, teamKey, type PlanAction, type SyncPlan } from './plan-types.js';

export interface ActionResult {
  action: PlanAction;
  ok: boolean;
  /** The learner the action ended on (the created one for CREATE_LEARNER). */
  learnerId: string | null;
  error: string | null;
  /** Done by an earlier attempt of this run and not repeated. */
  resumed: boolean;
}

export interface ApplyOptions {
  tenant: string;
  runId: string;
  source: Source;
  litmos: LitmosClient;
  journal: JournalRepository;
  links: LinkRepository;
  /** Called after every action, in completion order. */
  onResult?: (result: ActionResult) => void;
  /** Stops between actions; what is done stays journaled. */
  signal?: AbortSignal;
  /** Actions of one kind in flight at once; the HTTP client's budget paces them. @default 4 */
  concurrency?: number;
  /** Learners added to a team per request. @default 100 */
  teamBatchSize?: number;
}

interface DoneResult {
  learnerId?: string;
  teamId?: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function applyPlan(plan: SyncPlan, options: ApplyOptions): Promise<ActionResult[]> {
  const { tenant, runId, litmos, journal } = options;
  const prior = await journal.getMany(tenant, runId, plan.actions.map((action) => action.id));
  // Ids of what this run created, by the placeholder ids the plan uses for them.
  const created = new Map<string, string>();
  for (const [id, entry] of prior) {
    const result = entry.result as DoneResult | undefined;
    if (entry.state === 'DONE' && result) created.set(id, result.learnerId ?? result.teamId ?? '');
  }
  const results: ActionResult[] = [];
  const report = (result: ActionResult) => {
    results.push(result);
    options.onResult?.(result);
  };

  const limit = pLimit(options.concurrency ?? 4);
  const learnerOf = (action: { sourceId: string; learnerId: string | null }) =>
    action.learnerId ?? created.get(createLearnerId(options.source, action.sourceId)) ?? null;
  const teamOf = (action: { teamId: string | null; teamName: string }) => action.teamId ?? created.get(createTeamId(action.teamName)) ?? null;

  const link = async (sourceId: string, learnerId: string, matchedBy: IdentityLink['matchedBy']) =>
    options.links.put(tenant, { source: options.source, sourceId, learnerId, matchedBy, linkedAt: new Date().toISOString() });

  async function createLearner(fields: LearnerFields, entry: JournalEntry | undefined): Promise<string> {
    const userName = fields.userName ?? '';
    const find = async () => (await litmos.getLearner(userName))?.id;
    // A STARTED entry means an earlier attempt may have created the user before the process died.
    if (entry?.state === 'STARTED') {
      const existing = await find();
      if (existing) return existing;
    }
    try {
      return await createChecked(async () => (await litmos.createLearner({ ...fields, active: true })).id, find);
    } catch (error) {
      if (!(error instanceof UpstreamError && error.code === 'UPSTREAM_CONFLICT')) throw error;
      // Someone (or a lost response of ours) created the username first: adopt it rather than duplicate.
      const existing = await find();
      if (!existing) throw error;
      return existing;
    }
  }

  async function createTeam(name: string, parentId: string | undefined, entry: JournalEntry | undefined): Promise<string> {
    const find = async () => (await litmos.listTeams()).find((team) => teamKey(team.name) === teamKey(name))?.id;
    const existing = entry?.state === 'STARTED' ? await find() : undefined;
    return existing ?? (await createChecked(async () => (await litmos.createTeam(name, parentId)).id, find));
  }

  async function run(action: PlanAction, entry: JournalEntry | undefined): Promise<DoneResult> {
    switch (action.kind) {
      case 'CREATE_TEAM': {
        const parentId = action.parentId ?? (action.parentName ? created.get(createTeamId(action.parentName)) : undefined) ?? undefined;
        return { teamId: await createTeam(action.name, parentId, entry) };
      }
      case 'LINK':
        await link(action.sourceId, action.learnerId, action.matchedBy);
        return { learnerId: action.learnerId };
      case 'CREATE_LEARNER': {
        const learnerId = await createLearner(action.fields, entry);
        await link(action.sourceId, learnerId, 'USERNAME');
        return { learnerId };
      }
      case 'UPDATE_LEARNER':
        await litmos.updateLearner(action.learnerId, Object.fromEntries(action.changes.map((c) => [c.field, c.after])));
        return { learnerId: action.learnerId };
      case 'REACTIVATE_LEARNER':
      case 'DEACTIVATE_LEARNER':
        await litmos.setLearnerActive(action.learnerId, action.kind === 'REACTIVATE_LEARNER');
        return { learnerId: action.learnerId };
      case 'REMOVE_FROM_TEAM':
        await litmos.removeTeamMember(action.teamId, action.learnerId);
        return { learnerId: action.learnerId };
      case 'SET_TEAM_LEADER':
      case 'ADD_TO_TEAM': {
        const learnerId = learnerOf(action);
        const teamId = teamOf(action);
        if (!learnerId || !teamId) throw new Error(`the ${learnerId ? 'team' : 'learner'} it needs was not created`);
        if (action.kind === 'ADD_TO_TEAM') await litmos.addTeamMembers(teamId, [learnerId]);
        else await litmos.setTeamLeader(teamId, learnerId);
        return { learnerId, teamId };
      }
    }
  }

  async function execute(action: PlanAction): Promise<void> {
    const entry = prior.get(action.id);
    if (entry?.state === 'DONE') {
      const result = entry.result as DoneResult | undefined;
      return report({ action, ok: true, learnerId: result?.learnerId ?? null, error: null, resumed: true });
    }
    await journal.begin(tenant, runId, action.id, action);
    try {
      const result = await run(action, entry);
      await journal.complete(tenant, runId, action.id, result);
      if (result.learnerId && action.kind === 'CREATE_LEARNER') created.set(action.id, result.learnerId);
      if (result.teamId && action.kind === 'CREATE_TEAM') created.set(action.id, result.teamId);
      report({ action, ok: true, learnerId: result.learnerId ?? null, error: null, resumed: false });
    } catch (error) {
      await journal.fail(tenant, runId, action.id, message(error));
      report({ action, ok: false, learnerId: null, error: message(error), resumed: false });
    }
  }

  /** Team additions in one request per team and batch: Litmos ignores members already present, so a repeat is harmless. */
  async function executeTeamAdditions(actions: Extract<PlanAction, { kind: 'ADD_TO_TEAM' }>[]): Promise<void> {
    const byTeam = new Map<string, typeof actions>();
    for (const action of actions) {
      const teamId = teamOf(action);
      // Done before, or missing its learner or team: the one-by-one path reports it as such.
      if (prior.get(action.id)?.state === 'DONE' || !teamId || !learnerOf(action)) {
        await execute(action);
        continue;
      }
      const group = byTeam.get(teamId);
      if (group) group.push(action);
      else byTeam.set(teamId, [action]);
    }
    const size = options.teamBatchSize ?? 100;
    const batches: { teamId: string; batch: typeof actions }[] = [];
    for (const [teamId, group] of byTeam) {
      for (let i = 0; i < group.length; i += size) batches.push({ teamId, batch: group.slice(i, i + size) });
    }
    // Batches are independent (Litmos ignores members already present), so they share the pipeline
    // like any other action kind instead of waiting for each other.
    await Promise.all(
      batches.map(({ teamId, batch }) =>
        limit(async () => {
          if (options.signal?.aborted) return;
          await Promise.all(batch.map((action) => journal.begin(tenant, runId, action.id, action)));
          try {
            await litmos.addTeamMembers(teamId, batch.map((action) => learnerOf(action) ?? ''));
            for (const action of batch) {
              await journal.complete(tenant, runId, action.id, { learnerId: learnerOf(action), teamId });
              report({ action, ok: true, learnerId: learnerOf(action), error: null, resumed: false });
            }
          } catch (error) {
            for (const action of batch) {
              await journal.fail(tenant, runId, action.id, message(error));
              report({ action, ok: false, learnerId: learnerOf(action), error: message(error), resumed: false });
            }
          }
        }),
      ),
    );
  }

  for (const kind of ACTION_KINDS) {
    if (options.signal?.aborted) break;
    const actions = plan.actions.filter((action) => action.kind === kind);
    if (kind === 'ADD_TO_TEAM') {
      await executeTeamAdditions(actions as Extract<PlanAction, { kind: 'ADD_TO_TEAM' }>[]);
      continue;
    }
    // CREATE_TEAM runs one at a time: a division team must exist before its department teams.
    const runOne = (action: PlanAction) => (options.signal?.aborted ? Promise.resolve() : execute(action));
    if (kind === 'CREATE_TEAM') for (const action of actions) await runOne(action);
    else await Promise.all(actions.map((action) => limit(() => runOne(action))));
  }
  return results;
}

/**
 * A create whose request got no answer (status 0: reset, timeout, a pooled connection the server had
 * just closed) may or may not have happened. The HTTP client never repeats it blindly; here we look
 * for what it would have made, and only create again when it is not there.
 */
async function createChecked(create: () => Promise<string>, find: () => Promise<string | undefined>, attempts = 3): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await create();
    } catch (error) {
      if (!(error instanceof UpstreamError && error.status === 0) || attempt >= attempts) throw error;
      const existing = await find();
      if (existing) return existing;
    }
  }
}

/**
 * Litmos requests an action costs, for the ETA: a PUT replaces the whole user, so updates and
 * (de)activations read the profile first; team additions go 100 to a request.
 */
export function litmosRequestsFor(action: PlanAction): number {
  switch (action.kind) {
    case 'UPDATE_LEARNER':
    case 'REACTIVATE_LEARNER':
    case 'DEACTIVATE_LEARNER':
      return 2;
    case 'ADD_TO_TEAM':
      return 0.01;
    case 'LINK':
      return 0;
    default:
      return 1;
  }
}

/**
 * Existing teams whose member lists a plan changes, so the read cache forgets them. Teams the plan
 * creates have no cached list to forget (the team list itself is dropped with the learners).
 */
export function teamsTouched(plan: SyncPlan): string[] {
  return [...new Set(plan.actions.flatMap((action) => ('teamId' in action && action.teamId ? [action.teamId] : [])))];
}
