/**
 * Executes a plan against Litmos, one action kind after another in the plan's order, journaling
 * every action before and after it runs. The journal is what makes a run resumable: an action
 * journaled DONE is never repeated, and one journaled STARTED (the process died mid-call) is first
 * checked against Litmos — a learner that was created is found by username, not created twice.
 *
 * Litmos answers an occasional 500 to any request, sometimes after the request took effect, and a
 * connection may be cut mid-answer. At one such answer in a few hundred requests a large sync meets
 * hundreds, so every write is settled inside the run (`settleWrite`): after a transient failure it
 * looks whether the write took effect, adopts what was made, and repeats what was not, a bounded
 * number of times. Only the vendor saying no (a 4xx), or a failure that outlasts every try, fails
 * an action.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { LitmosClient } from '../datasources/litmos/client.js';
import { settleWrite, type SettleOptions } from '../datasources/retry.js';
import { NotFoundError, UpstreamError } from '../errors.js';
import type { IdentityLink, Learner, Source } from '../model.js';
import { groupBy } from '../core/collections.js';
import { identityKey, learnerChanges } from '../core/fields.js';
import { asideUsername, renameWaves, type Rename } from '../core/usernames.js';
import type { LearnerField, LearnerFields } from '../core/policy.js';
import type { JournalEntry, JournalPort, LinkPort } from './ports.js';
import { ACTION_KINDS, createLearnerId, createTeamId, teamKey, type ActionResult, type PlannedAction, type SyncPlan } from '../core/plan-types.js';

export interface ApplyOptions {
  tenant: string;
  runId: string;
  source: Source;
  litmos: LitmosClient;
  journal: JournalPort;
  links: LinkPort;
  /** The clock links are dated by. @default () => new Date() */
  now?: () => Date;
  /** Called after every action, in completion order. */
  onResult?: (result: ActionResult) => void;
  /** Stops between actions; what is done stays journaled. */
  signal?: AbortSignal;
  /** Actions of one kind in flight at once; the HTTP client's budget paces them. @default 4 */
  concurrency?: number;
  /** Learners added to a team per request. @default 100 */
  teamBatchSize?: number;
  /** How a write that failed transiently is settled: tries and backoff. @default `SETTLE_DEFAULTS` (retry.ts) */
  settle?: Pick<SettleOptions<unknown>, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

interface DoneResult {
  learnerId?: string;
  teamId?: string;
  /** UPDATE_LEARNER: the changed fields' values as Litmos held them just before the write, for an undo (core/rollback.ts). */
  before?: LearnerFields;
}

type AddToTeam = Extract<PlannedAction, { kind: 'ADD_TO_TEAM' }>;
type UpdateLearner = Extract<PlannedAction, { kind: 'UPDATE_LEARNER' }>;

/** What every step of one apply shares. */
interface Apply {
  options: ApplyOptions;
  litmos: LitmosClient;
  /** The journal as this run found it when it began (or resumed). */
  prior: Map<string, JournalEntry>;
  /** Ids of what this run created, by the placeholder ids the plan uses for them. */
  created: Map<string, string>;
  results: ActionResult[];
  limit: LimitFunction;
  /** Renames whose learner could not step aside for a swap: they fail with this, not with the 409 that would follow. */
  asideFailures: Map<string, unknown>;
  settle<T>(write: () => Promise<T>, verify?: () => Promise<T | undefined>): Promise<T>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function applyPlan(plan: SyncPlan, options: ApplyOptions): Promise<ActionResult[]> {
  const prior = await options.journal.getMany(
    options.tenant,
    options.runId,
    plan.actions.map((action) => action.id),
  );
  const ctx: Apply = {
    options,
    litmos: options.litmos,
    prior,
    created: createdBefore(prior),
    results: [],
    limit: pLimit(options.concurrency ?? 4),
    asideFailures: new Map(),
    settle: (write, verify) => settleWrite({ ...options.settle, write, ...(verify && { verify }) }),
  };
  for (const kind of ACTION_KINDS) {
    if (options.signal?.aborted) break;
    const actions = plan.actions.filter((action) => action.kind === kind);
    if (kind === 'ADD_TO_TEAM') await executeTeamAdditions(ctx, actions as AddToTeam[]);
    else if (kind === 'UPDATE_LEARNER') await executeUpdates(ctx, actions as UpdateLearner[]);
    // CREATE_TEAM runs one at a time: a division team must exist before its department teams.
    else if (kind === 'CREATE_TEAM') for (const action of actions) await executeUnlessAborted(ctx, action);
    else await executeAll(ctx, actions);
  }
  return ctx.results;
}

/** Independent actions, as many at once as the concurrency allows. */
async function executeAll(ctx: Apply, actions: readonly PlannedAction[]): Promise<void> {
  await Promise.all(actions.map((action) => ctx.limit(() => executeUnlessAborted(ctx, action))));
}

/** What an earlier attempt of this run created, from its DONE journal entries. */
function createdBefore(prior: Map<string, JournalEntry>): Map<string, string> {
  const created = new Map<string, string>();
  for (const [id, entry] of prior) {
    const result = entry.result as DoneResult | undefined;
    if (entry.state === 'DONE' && result) created.set(id, result.learnerId ?? result.teamId ?? '');
  }
  return created;
}

function report(ctx: Apply, result: ActionResult): void {
  ctx.results.push(result);
  ctx.options.onResult?.(result);
}

const learnerOf = (ctx: Apply, action: { sourceId: string; learnerId: string | null }) =>
  action.learnerId ?? ctx.created.get(createLearnerId(ctx.options.source, action.sourceId)) ?? null;

const teamOf = (ctx: Apply, action: { teamId: string | null; teamName: string }) => action.teamId ?? ctx.created.get(createTeamId(action.teamName)) ?? null;

function executeUnlessAborted(ctx: Apply, action: PlannedAction): Promise<void> {
  return ctx.options.signal?.aborted ? Promise.resolve() : execute(ctx, action);
}

/** One action, journaled before and after; its failure is reported, never thrown. */
async function execute(ctx: Apply, action: PlannedAction): Promise<void> {
  const { tenant, runId, journal } = ctx.options;
  const entry = ctx.prior.get(action.id);
  if (entry?.state === 'DONE') {
    const result = entry.result as DoneResult | undefined;
    report(ctx, { action, ok: true, learnerId: result?.learnerId ?? null, error: null, resumed: true });
    return;
  }
  // Claimed only if still free as this attempt saw it: another attempt at the same run (a second
  // worker, a replica's recovery) that holds the action performs and reports it, never both.
  const claim = await journal.claim(tenant, runId, action.id, action, { seen: entry ?? null });
  if (!claim.claimed) return;
  try {
    const result = await perform(ctx, action, entry);
    await journal.complete(tenant, runId, action.id, result);
    if (result.learnerId && action.kind === 'CREATE_LEARNER') ctx.created.set(action.id, result.learnerId);
    if (result.teamId && action.kind === 'CREATE_TEAM') ctx.created.set(action.id, result.teamId);
    report(ctx, { action, ok: true, learnerId: result.learnerId ?? null, error: null, resumed: false });
  } catch (error) {
    await journal.fail(tenant, runId, action.id, message(error));
    report(ctx, { action, ok: false, learnerId: null, error: message(error), resumed: false });
  }
}

async function perform(ctx: Apply, action: PlannedAction, entry: JournalEntry | undefined): Promise<DoneResult> {
  switch (action.kind) {
    case 'CREATE_TEAM': {
      const parentId = action.parentId ?? (action.parentName ? ctx.created.get(createTeamId(action.parentName)) : undefined) ?? undefined;
      return { teamId: await createTeam(ctx, action.name, parentId, entry) };
    }
    case 'LINK':
      await link(ctx, action.sourceId, action.learnerId, action.matchedBy);
      return { learnerId: action.learnerId };
    case 'CREATE_LEARNER': {
      const learnerId = await createLearner(ctx, action.fields, entry);
      await link(ctx, action.sourceId, learnerId, 'USERNAME');
      return { learnerId };
    }
    case 'UPDATE_LEARNER': {
      const asideFailure = ctx.asideFailures.get(action.id);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the step-aside rename threw, as it was caught
      if (asideFailure !== undefined) throw asideFailure;
      const before = await updateLearner(ctx, action.learnerId, Object.fromEntries(action.changes.map((c) => [c.field, c.after])), entry);
      return { learnerId: action.learnerId, ...(before && { before }) };
    }
    case 'REACTIVATE_LEARNER':
    case 'DEACTIVATE_LEARNER':
      await setActive(ctx, action.learnerId, action.kind === 'REACTIVATE_LEARNER', entry);
      return { learnerId: action.learnerId };
    case 'REMOVE_FROM_TEAM':
      await removeFromTeam(ctx, action.teamId, action.learnerId, entry);
      return { learnerId: action.learnerId };
    case 'SET_TEAM_LEADER':
    case 'ADD_TO_TEAM': {
      const learnerId = learnerOf(ctx, action);
      const teamId = teamOf(ctx, action);
      if (!learnerId || !teamId) {
        // Its CREATE_LEARNER or CREATE_TEAM failed, and that failure is on the record already.
        const missing = learnerId ? 'team' : 'learner';
        throw new NotFoundError(`the ${missing} it needs was not created`, { missing });
      }
      if (action.kind === 'ADD_TO_TEAM') await addToTeam(ctx, teamId, [learnerId]);
      else await setLeader(ctx, teamId, learnerId);
      return { learnerId, teamId };
    }
  }
}

const link = (ctx: Apply, sourceId: string, learnerId: string, matchedBy: IdentityLink['matchedBy']) =>
  ctx.options.links.put(ctx.options.tenant, {
    source: ctx.options.source,
    sourceId,
    learnerId,
    matchedBy,
    linkedAt: (ctx.options.now ?? (() => new Date()))().toISOString(),
  });

// ---- the writes, each with the look that tells whether it took effect ----

async function createLearner(ctx: Apply, fields: LearnerFields, entry: JournalEntry | undefined): Promise<string> {
  const userName = fields.userName ?? '';
  const find = async () => (await ctx.litmos.getLearner(userName))?.id;
  // A STARTED entry means an earlier attempt may have created the user before the process died.
  if (entry?.state === 'STARTED') {
    const existing = await find();
    if (existing) return existing;
  }
  try {
    return await ctx.settle(async () => (await ctx.litmos.createLearner({ ...fields, active: true })).id, find);
  } catch (error) {
    if (!(error instanceof UpstreamError && error.code === 'UPSTREAM_CONFLICT')) throw error;
    // Someone (or a lost response of ours) created the username first: adopt it rather than duplicate.
    const existing = await find();
    if (!existing) throw error;
    return existing;
  }
}

async function createTeam(ctx: Apply, name: string, parentId: string | undefined, entry: JournalEntry | undefined): Promise<string> {
  const find = async () => (await ctx.litmos.listTeams()).find((team) => teamKey(team.name) === teamKey(name))?.id;
  const existing = entry?.state === 'STARTED' ? await find() : undefined;
  return existing ?? (await ctx.settle(async () => (await ctx.litmos.createTeam(name, parentId)).id, find));
}

/**
 * For writes that return nothing: `true` once the write is known to have taken effect, undefined
 * while it has not (`settleWrite` reads undefined as "not there, write again").
 */
const DONE = true as const;
const doneIf = (effect: boolean): typeof DONE | undefined => (effect ? DONE : undefined);

/** Whether the learner already holds every intended value (a 500 after the PUT took effect). */
const holds = (learner: Learner | null, fields: LearnerFields) => learner !== null && learnerChanges(learner, fields, []).length === 0;

/**
 * A write settled, after a look when the journal says an earlier attempt died mid-call (STARTED): that
 * attempt may have got the write in before the process went, and doing it again would be a second write.
 */
async function settleOnce(
  ctx: Apply,
  entry: JournalEntry | undefined,
  write: () => Promise<unknown>,
  verify: () => Promise<typeof DONE | undefined>,
): Promise<void> {
  if (entry?.state === 'STARTED' && (await verify()) === DONE) return;
  await ctx.settle(async () => (await write(), DONE), verify);
}

/**
 * Returns what the write replaced, read by the client just before its PUT: the plan's before-values of
 * title, phones and address are only what rostergate last wrote there (core/shadow.ts), so an undo
 * restores these. Not the username, which a swap's step-aside changed in between (the plan's is Litmos's
 * own); nothing when a write adopted after a transient failure made no read of its own.
 */
async function updateLearner(ctx: Apply, learnerId: string, fields: LearnerFields, entry?: JournalEntry): Promise<LearnerFields | undefined> {
  let replaced: LearnerFields | undefined;
  // A repeat is a new read and PUT of the whole user carrying only these fields, so it never writes back a stale copy.
  await settleOnce(
    ctx,
    entry,
    async () => {
      const { previous } = await ctx.litmos.updateLearner(learnerId, fields);
      replaced = Object.fromEntries(Object.keys(fields).flatMap((field) => (field === 'userName' ? [] : [[field, previous[field as LearnerField]]])));
    },
    async () => doneIf(holds(await ctx.litmos.getLearner(learnerId), fields)),
  );
  return replaced;
}

async function setActive(ctx: Apply, learnerId: string, active: boolean, entry: JournalEntry | undefined): Promise<void> {
  await settleOnce(
    ctx,
    entry,
    () => ctx.litmos.setLearnerActive(learnerId, active),
    async () => doneIf((await ctx.litmos.getLearner(learnerId))?.active === active),
  );
}

/** Team lists hold active members only, so membership is read from the learner's side, which holds every team. */
async function removeFromTeam(ctx: Apply, teamId: string, learnerId: string, entry: JournalEntry | undefined): Promise<void> {
  await settleOnce(
    ctx,
    entry,
    () => ctx.litmos.removeTeamMember(teamId, learnerId),
    async () => doneIf(!(await ctx.litmos.learnerTeams(learnerId)).some((team) => team.id === teamId)),
  );
}

async function setLeader(ctx: Apply, teamId: string, learnerId: string): Promise<void> {
  await ctx.settle(
    async () => (await ctx.litmos.setTeamLeader(teamId, learnerId), DONE),
    async () => doneIf((await ctx.litmos.teamLeaders(teamId)).some((leader) => leader.id === learnerId)),
  );
}

/** Litmos ignores members already present, so an addition is simply repeated: no look needed. */
async function addToTeam(ctx: Apply, teamId: string, learnerIds: readonly string[]): Promise<void> {
  await ctx.settle(async () => (await ctx.litmos.addTeamMembers(teamId, learnerIds), DONE));
}

// ---- updates, in the order usernames free up ----

/**
 * Updates that move a username run in waves (`renameWaves`): each takes only usernames the waves
 * before it freed, so no rename meets a 409 from a colleague who has not moved yet. In a swap, one
 * learner first steps aside to a temporary username. Updates that keep the username go with the first wave.
 */
async function executeUpdates(ctx: Apply, actions: UpdateLearner[]): Promise<void> {
  const byRename = new Map<Rename, UpdateLearner>();
  for (const action of actions) {
    const rename = renameIn(action);
    if (rename !== null) byRename.set(rename, action);
  }
  const { aside, waves } = renameWaves([...byRename.keys()]);
  const renaming = new Set(byRename.values());
  for (const rename of aside) {
    const action = byRename.get(rename);
    if (action !== undefined && ctx.prior.get(action.id)?.state !== 'DONE') await stepAside(ctx, action);
  }
  const actionsOf = (wave: readonly Rename[]) => wave.flatMap((rename) => byRename.get(rename) ?? []);
  const [first = [], ...rest] = waves;
  await executeAll(ctx, [...actions.filter((action) => !renaming.has(action)), ...actionsOf(first)]);
  for (const wave of rest) await executeAll(ctx, actionsOf(wave));
}

function renameIn(action: UpdateLearner): Rename | null {
  const change = action.changes.find((c) => c.field === 'userName');
  const from = identityKey(change?.before ?? null);
  const to = identityKey(change?.after ?? null);
  return from === null || to === null || from === to ? null : { learnerId: action.learnerId, from, to };
}

async function stepAside(ctx: Apply, action: UpdateLearner): Promise<void> {
  try {
    await updateLearner(ctx, action.learnerId, { userName: asideUsername(action.learnerId) });
  } catch (error) {
    ctx.asideFailures.set(action.id, error);
  }
}

// ---- team additions, batched ----

/**
 * Team additions go in one request per team and batch: Litmos ignores members already present, so
 * a repeat is harmless. Actions done before, or missing their learner or team, take the one-by-one
 * path, which reports them as such.
 */
async function executeTeamAdditions(ctx: Apply, actions: AddToTeam[]): Promise<void> {
  const batchable = (action: AddToTeam) => ctx.prior.get(action.id)?.state !== 'DONE' && Boolean(teamOf(ctx, action)) && Boolean(learnerOf(ctx, action));
  for (const action of actions) if (!batchable(action)) await execute(ctx, action);
  const byTeam = groupBy(actions.filter(batchable).map((action) => [teamOf(ctx, action) ?? '', action] as const));
  const size = ctx.options.teamBatchSize ?? 100;
  const batches: { teamId: string; batch: AddToTeam[] }[] = [];
  for (const [teamId, group] of byTeam) {
    for (let i = 0; i < group.length; i += size) batches.push({ teamId, batch: group.slice(i, i + size) });
  }
  // Batches are independent, so they share the pipeline like any other action kind instead of
  // waiting for each other.
  await Promise.all(batches.map(({ teamId, batch }) => ctx.limit(() => (ctx.options.signal?.aborted ? undefined : addBatch(ctx, teamId, batch)))));
}

async function addBatch(ctx: Apply, teamId: string, batch: AddToTeam[]): Promise<void> {
  const { tenant, runId, journal } = ctx.options;
  const claims = await Promise.all(batch.map((action) => journal.claim(tenant, runId, action.id, action, { seen: ctx.prior.get(action.id) ?? null })));
  const mine = batch.filter((_, i) => claims[i]?.claimed);
  if (mine.length === 0) return;
  try {
    await addToTeam(
      ctx,
      teamId,
      mine.map((action) => learnerOf(ctx, action) ?? ''),
    );
    for (const action of mine) {
      await journal.complete(tenant, runId, action.id, { learnerId: learnerOf(ctx, action), teamId });
      report(ctx, { action, ok: true, learnerId: learnerOf(ctx, action), error: null, resumed: false });
    }
  } catch (error) {
    for (const action of mine) {
      await journal.fail(tenant, runId, action.id, message(error));
      report(ctx, { action, ok: false, learnerId: learnerOf(ctx, action), error: message(error), resumed: false });
    }
  }
}

// ---- for the engine ----

/**
 * Litmos requests an action costs, for the ETA: a PUT replaces the whole user, so updates and
 * (de)activations read the profile first; team additions go 100 to a request.
 */
export function litmosRequestsFor(action: PlannedAction): number {
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
