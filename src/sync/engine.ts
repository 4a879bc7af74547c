/**
 * A run's life: QUEUED → FETCHING → PLANNING → (AWAITING_APPROVAL) → APPLYING → SUCCEEDED | PARTIAL |
 * FAILED | CANCELLED. Each step is persisted before the next begins, so a gateway that restarts
 * finds its unfinished runs and carries them on (`recover`). One run at a time per tenant and source.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { BudgetState } from '../datasources/budget.js';
import type { HrClient } from '../datasources/hr.js';
import { HIDDEN_LEARNER_FIELDS, type LitmosClient } from '../datasources/litmos/client.js';
import type { ReadModel } from '../datasources/read-model.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../errors.js';
import type { Employee, Source } from '../model.js';
import { today } from '../time.js';
import { applyPlan, litmosRequestsFor, teamsTouched } from './apply.js';
import { planSync } from '../core/plan.js';
import { teamKey, type ActionResult, type SyncPlan } from '../core/plan-types.js';
import { upgradePolicy, type Policy } from '../core/policy.js';
import type { RunDraft, SyncStore } from './ports.js';
import type { ProgressBus } from './progress.js';
import { decideRead, type ReadDecision } from './incremental.js';
import { readForPlan, type PlanRead } from './read.js';
import { planRollbackRun } from './rollback.js';
import type { SyncMode } from '../core/schedule.js';
import { shadowWrites, updateShadow, type Shadow } from '../core/shadow.js';
import { buildRecords, countRecords, summarise, tallyRecords } from '../core/records.js';
import { departmentNames } from '../core/teams-plan.js';
import {
  ACTIVE_STATUSES,
  emptyCounts,
  type SyncCounts,
  type RunPhase,
  type SyncRecord,
  type SyncRunStatus,
  type SyncTrigger,
  type SyncRun,
} from '../core/run.js';

export interface SyncEngineOptions {
  tenant: string;
  /** Where runs, their plans and records, the journal, links and the tenant's sync settings are kept. */
  store: SyncStore;
  hr: Partial<Record<Source, HrClient>>;
  litmos: LitmosClient;
  /** The Litmos rate budget, for progress ETAs. */
  litmosBudget: () => BudgetState;
  /** ms to send `n` more Litmos requests under the budget. */
  litmosEta: (requests: number) => number;
  readModel: ReadModel;
  bus: ProgressBus;
  /** The policy of a source no admin has set one for: the composition root knows each vendor's. */
  defaultPolicy: (source: Source) => Policy;
  /** Actions of one kind in flight at once. @default 4 */
  concurrency?: number;
  /** Longest `close()` waits for the actions in flight. @default 30_000 */
  shutdownGraceMs?: number;
  /** Told of every applied action (metrics). @default none */
  onAction?: (result: ActionResult) => void;
  /**
   * Told when a run this engine executed or cancelled ends, with what failed it when it FAILED
   * (connection health); awaited before the run's work settles. @default none
   */
  onRunEnded?: (run: SyncRun, failure?: unknown) => Promise<void>;
  /** The clock: run timestamps, link times and the planner's "today". @default systemClock */
  now?: Clock;
  /**
   * Where runs are executed: unset, in this process (embedded mode); set, wherever the dispatch sends
   * them — a BullMQ job that some worker process takes and executes with `work` (distributed mode).
   */
  dispatch?: RunDispatch;
}

/** Hands a run's next step to whichever process will execute it. */
export interface RunDispatch {
  /** Idempotent per run and step: asking twice for the same step queues it once. */
  dispatch(job: RunJob): Promise<void>;
}

/** A run to carry on: its step follows from its status when it is executed. */
export interface RunJob {
  tenant: string;
  runId: string;
  /** Which hand-off this is: a run is started once, and applied after an approval once. */
  step: 'start' | 'approved';
}

/** How `work` left a run: ended or waiting for someone (`settled`), or paused because this process is stopping. */
export type WorkOutcome = 'settled' | 'paused';

export interface StartOptions {
  source: Source;
  trigger: SyncTrigger;
  dryRun?: boolean;
  /** Only these employees (import, webhook). @default everyone */
  scope?: string[];
  /** FULL reads everyone; INCREMENTAL the changes since the source's checkpoint (incremental.ts). Ignored with a scope. @default FULL */
  mode?: SyncMode;
  /** A rollback run: the id of the ended run whose changes it reverses, planned by sync/rollback.ts instead of a read. @default none */
  rollbackOf?: string;
}

export interface SyncEngine {
  /** Starts a run, or returns the one already active for the source (`joined: true`). */
  start(options: StartOptions): Promise<{ run: SyncRun; joined: boolean }>;
  approve(runId: string, approvedBy: string): Promise<SyncRun>;
  cancel(runId: string): Promise<SyncRun>;
  get(runId: string): Promise<SyncRun | null>;
  plan(runId: string): Promise<SyncPlan | null>;
  policy(source: Source): Promise<Policy>;
  setPolicy(source: Source, policy: Policy): Promise<Policy>;
  /** Carries on every run a previous process left unfinished. */
  recover(): Promise<void>;
  /**
   * Executes a run's next step in this process (a worker taking a dispatched job): fetch and plan if it
   * has not planned, apply if it is applying, nothing if it waits for approval or has ended. Resolves
   * when the step is over; a run cancelled elsewhere meanwhile is stopped within a few seconds.
   */
  work(job: Pick<RunJob, 'runId' | 'step'>): Promise<WorkOutcome>;
  /** Resolves when no run of this engine is executing (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const PHASE: Record<SyncRunStatus, RunPhase> = {
  QUEUED: 'QUEUED',
  FETCHING: 'FETCHING',
  PLANNING: 'PLANNING',
  AWAITING_APPROVAL: 'AWAITING_APPROVAL',
  APPLYING: 'APPLYING',
  SUCCEEDED: 'DONE',
  PARTIAL: 'DONE',
  FAILED: 'DONE',
  CANCELLED: 'DONE',
};

/** What every step of a run shares. */
interface Engine {
  options: SyncEngineOptions;
  tenant: string;
  store: SyncStore;
  clock: Clock;
}

/** A run this process is executing: its work, and the switch that stops it. */
interface Running {
  promise: Promise<void>;
  abort: AbortController;
}

/**
 * Why a run stops when its process is stopping: it is paused, not cancelled — it stays in its active
 * status, so the next start's `recover()` resumes it from the journal (or re-reads, if it had not planned).
 */
class Shutdown extends Error {
  constructor() {
    super('the gateway is stopping; the run resumes at the next start');
  }
}
const stopping = (signal: AbortSignal) => signal.reason instanceof Shutdown;

/** Longest `close()` waits for the actions in flight to finish; one still out after it is checked against Litmos on resume. @default 30 s */
const SHUTDOWN_GRACE_MS = 30_000;

/** What the fetch step read, with the settings it read by, which planning must use too. */
interface Fetched {
  read: PlanRead;
  policy: Policy;
  knownDepartments: string[];
  decision: ReadDecision;
}

/** A planned run: its plan, and what its report needs besides. */
interface Planned {
  run: SyncRun;
  plan: SyncPlan;
  draft: RunDraft;
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const engine: Engine = { options, tenant: options.tenant, store: options.store, clock: options.now ?? systemClock };
  const { tenant, store } = engine;
  const executing = new Map<string, Running>();
  // Starts for one source are serialised, so two concurrent startSync calls cannot both see "no active run".
  const startLocks = new Map<Source, Promise<unknown>>();

  /** Runs the run's next step in the background, recording a failure on the run instead of losing it. */
  function launch(runId: string): Running {
    const existing = executing.get(runId);
    if (existing) return existing;
    const abort = new AbortController();
    const promise = runNext(engine, runId, abort.signal)
      .catch(async (error: unknown) => {
        if (stopping(abort.signal)) return;
        const text = error instanceof Error ? error.message : String(error);
        await finish(engine, runId, 'FAILED', { error: text }, text, error).catch(() => undefined);
      })
      .finally(() => executing.delete(runId));
    const running = { promise, abort };
    executing.set(runId, running);
    return running;
  }

  /** Executes the run here, or hands it to the dispatch (distributed mode). */
  async function carryOn(job: Omit<RunJob, 'tenant'>): Promise<void> {
    if (options.dispatch) await options.dispatch.dispatch({ tenant, ...job });
    else launch(job.runId);
  }

  return {
    async start(startOptions) {
      hrFor(engine, startOptions.source);
      return inTurn(startLocks, startOptions.source, async () => {
        const { run, created } = await createRun(engine, startOptions);
        if (created) await carryOn({ runId: run.id, step: 'start' });
        return { run, joined: !created };
      });
    },
    get: (runId) => store.runs.get(tenant, runId),
    plan: (runId) => store.plans.get(tenant, runId),
    policy: (source) => policyOf(engine, source),
    async setPolicy(source, value) {
      await store.settings.putPolicy(tenant, source, value);
      return value;
    },
    async approve(runId, approvedBy) {
      const approved = await approveRun(engine, runId, approvedBy);
      await carryOn({ runId, step: 'approved' });
      return approved;
    },
    cancel: (runId) => cancelRun(engine, executing, runId),
    async recover() {
      for (const source of Object.keys(options.hr) as Source[]) {
        const run = await store.runs.findActive(tenant, source, ACTIVE_STATUSES);
        if (!run || run.status === 'AWAITING_APPROVAL' || executing.has(run.id)) continue;
        await carryOn({ runId: run.id, step: run.approvedBy === null ? 'start' : 'approved' });
      }
    },
    async work({ runId, step }) {
      // A start job that comes back after its run was approved (its worker died in between) leaves the
      // apply to the approval's own job, so two workers never apply one run at once.
      if (step === 'start' && (await mustGet(engine, runId)).approvedBy !== null) return 'settled';
      const running = launch(runId);
      const watching = watchForEnd(engine, runId, running);
      await running.promise.finally(() => clearInterval(watching));
      return stopping(running.abort.signal) ? 'paused' : 'settled';
    },
    async idle() {
      while (executing.size > 0) await Promise.all([...executing.values()].map((entry) => entry.promise));
    },
    async close() {
      for (const entry of executing.values()) entry.abort.abort(new Shutdown());
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS).unref());
      await Promise.race([Promise.all([...executing.values()].map((entry) => entry.promise)), grace]);
    },
  };
}

/**
 * The step a run is due: one that was applying resumes from its journal; one that had not planned yet
 * starts over, because its read is stale and nothing of it was written; one awaiting approval or ended
 * has none.
 */
async function runNext(engine: Engine, runId: string, signal: AbortSignal): Promise<void> {
  const run = await mustGet(engine, runId);
  if (run.status === 'APPLYING') await apply(engine, runId, signal);
  else if (run.status === 'QUEUED' || run.status === 'FETCHING' || run.status === 'PLANNING') await execute(engine, runId, signal);
}

/** How often a worker looks whether the run it executes was cancelled or ended elsewhere, ms. */
const WATCH_MS = 1000;

/**
 * A run executed for a dispatched job can be cancelled through any gateway, which cannot reach this
 * process's abort switch: the worker looks at the stored run instead, and stops once it has ended.
 */
function watchForEnd(engine: Engine, runId: string, running: Running): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    void engine.store.runs.get(engine.tenant, runId).then(
      (run) => {
        if (run && !ACTIVE_STATUSES.includes(run.status)) running.abort.abort();
      },
      () => undefined,
    );
  }, WATCH_MS);
  timer.unref();
  return timer;
}

/** Runs `work` after every earlier `work` for the same key has settled, whatever its outcome. */
function inTurn<K, T>(queue: Map<K, Promise<unknown>>, key: K, work: () => Promise<T>): Promise<T> {
  const next = (queue.get(key) ?? Promise.resolve()).then(work);
  queue.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

/** A new QUEUED run, stored and announced, unless the source has an active run (in any process): then that one. */
async function createRun(engine: Engine, startOptions: StartOptions): Promise<{ run: SyncRun; created: boolean }> {
  const run: SyncRun = {
    id: randomUUID(),
    tenant: engine.tenant,
    source: startOptions.source,
    trigger: startOptions.trigger,
    dryRun: startOptions.dryRun ?? false,
    status: 'QUEUED',
    scope: startOptions.scope ?? null,
    mode: startOptions.scope || startOptions.rollbackOf ? null : (startOptions.mode ?? 'FULL'),
    modeReason: null,
    createdAt: timestamp(engine),
    startedAt: null,
    finishedAt: null,
    counts: emptyCounts(),
    progress: { done: 0, total: 0 },
    error: null,
    safeguard: null,
    approvedBy: null,
    rollbackOf: startOptions.rollbackOf ?? null,
  };
  const stored = await engine.store.runs.createExclusive(run, ACTIVE_STATUSES);
  if (stored.created) publish(engine, run);
  return stored;
}

/** A run from its start: fetch, plan, then stop there (a dry run, a tripped safeguard) or apply. */
async function execute(engine: Engine, runId: string, signal: AbortSignal): Promise<void> {
  const planned = await planToApply(engine, runId, signal);
  if (planned) await apply(engine, runId, signal, planned);
}

/**
 * Reads and plans the run, and ends or holds it there when it must stop; the stored plan when it goes
 * on to apply. Only the plan and its draft are handed on: the read is let go before apply begins.
 */
async function planToApply(engine: Engine, runId: string, signal: AbortSignal): Promise<Planned | null> {
  const run = await update(engine, runId, { status: 'FETCHING', startedAt: timestamp(engine) });
  const planned = run.rollbackOf ? await planRollback(engine, run) : await readAndPlan(engine, run, signal);
  if (planned === null) return null;
  if (planned.run.dryRun) await finishDryRun(engine, planned);
  else if (planned.plan.safeguard.tripped) await awaitApproval(engine, planned);
  else return planned;
  return null;
}

/** An ordinary run's read, then its plan; null when the run was cancelled while it read. */
async function readAndPlan(engine: Engine, run: SyncRun, signal: AbortSignal): Promise<Planned | null> {
  const fetched = await fetchForPlan(engine, run);
  if (signal.aborted) {
    await finish(engine, run.id, 'CANCELLED');
    return null;
  }
  return planRun(engine, run.id, fetched);
}

/** A rollback run reads no HR: its plan reverses the run it rolls back (sync/rollback.ts). */
async function planRollback(engine: Engine, run: SyncRun): Promise<Planned> {
  const { options, tenant, store } = engine;
  const policy = await policyOf(engine, run.source);
  const { plan, draft } = await planRollbackRun({ tenant, store, litmos: options.litmos, run, policy, today: today(engine.clock()) });
  const planning = await update(engine, run.id, { status: 'PLANNING' });
  await store.plans.put(tenant, run.id, plan);
  await store.plans.putDraft(tenant, run.id, draft);
  return { run: planning, plan, draft };
}

async function fetchForPlan(engine: Engine, run: SyncRun): Promise<Fetched> {
  const { tenant, store, options } = engine;
  const hr = hrFor(engine, run.source);
  const policy = await policyOf(engine, run.source);
  const knownDepartments = (await store.settings.departments(tenant, run.source)) ?? [];
  const decision = await decideRead({ run, hr, settings: store.settings, tenant, policy, now: engine.clock() });
  if (decision.mode !== (run.mode ?? null) || decision.modeReason !== null) {
    await update(
      engine,
      run.id,
      { mode: decision.mode, modeReason: decision.modeReason },
      decision.modeReason && `runs ${decision.mode ?? ''}: ${decision.modeReason}`,
    );
  }
  const read = await readForPlan({
    hr,
    litmos: options.litmos,
    links: store.links,
    tenant,
    policy,
    target: decision.target,
    shadow: shadowOf(engine, run.source),
    knownDepartments,
    today: today(engine.clock()),
  });
  // Departments only accumulate, so an incremental read's (real, if partial) may add to them too.
  if (!run.scope) await rememberDepartments(engine, run.source, knownDepartments, read.employees);
  return { read, policy, knownDepartments, decision };
}

/**
 * Departments accumulate: a department whose last employee left keeps its team managed, so a
 * learner still in it (inactive then, invisible to member lists) is taken out once reactivated
 * (found by the property test: STALE_TEAM_NEVER_REMOVED). Only a full read may add to them.
 */
async function rememberDepartments(engine: Engine, source: Source, known: readonly string[], employees: readonly Employee[]): Promise<void> {
  const departments = [...new Map([...known, ...departmentNames(employees)].map((name) => [teamKey(name), name])).values()];
  await engine.store.settings.putDepartments(engine.tenant, source, departments);
}

/** Plans the run from its read and stores the plan, so it can be approved or resumed later. */
async function planRun(engine: Engine, runId: string, { read, policy, knownDepartments, decision }: Fetched): Promise<Planned> {
  const run = await update(engine, runId, { status: 'PLANNING' });
  const holds = await engine.store.holds.list(engine.tenant);
  const plan = planSync({
    source: run.source,
    employees: read.employees,
    read: { complete: true },
    learners: read.learners,
    teams: read.teams,
    teamMembers: read.teamMembers,
    teamLeaders: read.teamLeaders,
    links: read.links,
    identified: read.identified,
    policy,
    today: read.today,
    knownDepartments,
    holds,
    ...(decision.scope && { scope: { sourceIds: decision.scope } }),
    ...(decision.activeLearners !== undefined && { activeLearners: decision.activeLearners }),
  });
  const checkpoint = decision.checkpointAfter?.(read.learners);
  const draft: RunDraft = { people: summarise(read.employees), notFound: read.notFound, ...(checkpoint && { checkpoint }) };
  await engine.store.plans.put(engine.tenant, runId, plan);
  await engine.store.plans.putDraft(engine.tenant, runId, draft);
  return { run, plan, draft };
}

/** The run's report: one record per employee, from its plan and whatever of it was applied. */
function recordsOf({ plan, draft }: Planned, results: readonly ActionResult[] = []): SyncRecord[] {
  return buildRecords(plan, draft.people, results, draft.notFound);
}

async function finishDryRun(engine: Engine, planned: Planned): Promise<void> {
  const records = recordsOf(planned);
  await engine.store.records.append(engine.tenant, planned.run.id, records);
  // The plan's size stays on the run: what the dry run would have done, not 0/0.
  const progress = { done: 0, total: planned.plan.actions.length };
  await finish(engine, planned.run.id, 'SUCCEEDED', { counts: countRecords(records), progress }, 'dry run: nothing was written');
}

async function awaitApproval(engine: Engine, planned: Planned): Promise<void> {
  const { deactivations, threshold, activeLearners } = planned.plan.safeguard;
  await update(
    engine,
    planned.run.id,
    { status: 'AWAITING_APPROVAL', counts: countRecords(recordsOf(planned)), safeguard: { deactivations, threshold, activeLearners } },
    `would deactivate ${deactivations} learners, over the threshold of ${threshold}: approve or cancel the run`,
  );
}

async function approveRun(engine: Engine, runId: string, approvedBy: string): Promise<SyncRun> {
  // The check and the move to APPLYING are one compare-and-set, so of any number of concurrent
  // approvals, in any replica, exactly one launches the apply. A process that dies right after
  // leaves an APPLYING run, which `recover` resumes.
  return transition(engine, runId, ['AWAITING_APPROVAL'], { status: 'APPLYING', approvedBy }, `approved by ${approvedBy}`).catch(
    refusedUnless(runId, 'only a run AWAITING_APPROVAL can be approved'),
  );
}

/** Applies the run's stored plan (after a restart too), then records what happened and ends the run. */
async function apply(engine: Engine, runId: string, signal: AbortSignal, stored?: Planned): Promise<void> {
  const planned = await beginApply(engine, runId, stored);
  const progress = trackProgress(engine, planned);
  const applying = applyPlan(planned.plan, {
    tenant: engine.tenant,
    runId,
    source: planned.run.source,
    litmos: engine.options.litmos,
    journal: engine.store.journal,
    links: engine.store.links,
    now: engine.clock,
    onResult: (result) => {
      progress.onResult(result);
    },
    signal,
    ...(engine.options.concurrency && { concurrency: engine.options.concurrency }),
  });
  const results = await applying.finally(() => progress.stored());
  const finalProgress = { done: progress.done(), total: planned.plan.actions.length };
  // The actions in flight have finished and are journaled: the run stays APPLYING, and its report is
  // written when the next start's resume has done the rest.
  if (stopping(signal)) {
    await update(engine, runId, { progress: finalProgress }, (signal.reason as Shutdown).message);
    return;
  }
  const counts = await recordResults(engine, planned, results);
  if (signal.aborted) {
    await finish(engine, runId, 'CANCELLED', { counts, progress: finalProgress }, 'cancelled');
    return;
  }
  const ended = await finish(engine, runId, counts.failed > 0 ? 'PARTIAL' : 'SUCCEEDED', { counts, progress: finalProgress });
  // Only a run that SUCCEEDED moves the checkpoint: after any other end the next run reads the same changes again.
  if (ended.status === 'SUCCEEDED' && planned.draft.checkpoint) {
    await engine.store.settings.putCheckpoint(engine.tenant, ended.source, planned.draft.checkpoint);
  }
}

/**
 * The run, now APPLYING, with its plan: the one just planned and stored, or (approved, resumed after a
 * restart, taken by another replica) the one read back from the store.
 */
async function beginApply(engine: Engine, runId: string, stored?: Planned): Promise<Planned> {
  const { tenant, store } = engine;
  const { plan, draft } = stored ?? (await storedPlan(engine, runId));
  // A transition, so a run cancelled elsewhere before this starts is not brought back to APPLYING.
  const run = await store.runs.transition(tenant, runId, {
    from: ACTIVE_STATUSES,
    patch: { status: 'APPLYING', progress: { done: 0, total: plan.actions.length } },
  });
  return { run, plan, draft };
}

async function storedPlan(engine: Engine, runId: string): Promise<Omit<Planned, 'run'>> {
  const { tenant, store } = engine;
  await mustGet(engine, runId);
  const plan = await store.plans.get(tenant, runId);
  const draft = await store.plans.draft(tenant, runId);
  if (!plan || !draft) throw new Error(`run ${runId} has no stored plan to apply`);
  return { plan, draft };
}

/** An apply's progress, fed its results as they come. */
interface ApplyProgress {
  onResult(result: ActionResult): void;
  /** Results counted so far. */
  done(): number;
  /** Stops the heartbeat; settles once every progress snapshot taken so far is stored. */
  stored(): Promise<void>;
}

/** While applying, progress is published at least this often, results or not (a run waiting on its budget still says so). */
const HEARTBEAT_MS = 2000;

/**
 * Announces the apply, then counts its results as they come: the counts so far (created, updated,
 * …, failed) are those of the employees whose actions are done, skipped and unchanged ones from the
 * start. Progress is published at most every 100 ms (and always at the end), and at least every
 * HEARTBEAT_MS: a 50,000-action run must not turn into 50,000 store writes, nor go quiet.
 */
function trackProgress(engine: Engine, planned: Planned): ApplyProgress {
  const { run, plan } = planned;
  const total = plan.actions.length;
  const tally = tallyRecords(plan, planned.draft.notFound);
  let done = 0;
  let remainingRequests = plan.actions.reduce((sum, action) => sum + litmosRequestsFor(action), 0);
  let current = run;
  let lastPublished = 0;
  let persisting: Promise<void> = Promise.resolve();
  const snapshot = () => {
    // Pacing measures elapsed time, not the date: it stays on the real clock even under an injected one.
    lastPublished = Date.now();
    current = { ...current, progress: { done, total }, counts: tally.counts() };
    publish(engine, current, null, Math.max(0, remainingRequests));
    // The stored run follows too (for `syncRun` queries and other replicas), in order.
    const stored = { progress: current.progress, counts: current.counts };
    persisting = persisting
      .then(() => engine.store.runs.update(engine.tenant, run.id, stored))
      .then(
        () => undefined,
        () => undefined,
      );
  };
  snapshot();
  const heartbeat = setInterval(() => Date.now() - lastPublished >= HEARTBEAT_MS && snapshot(), HEARTBEAT_MS / 4);
  heartbeat.unref();
  const onResult = (result: ActionResult) => {
    engine.options.onAction?.(result);
    tally.add(result);
    done += 1;
    if (!result.resumed) remainingRequests -= litmosRequestsFor(result.action);
    if (Date.now() - lastPublished > 100 || done === total) snapshot();
  };
  return {
    onResult,
    done: () => done,
    stored: () => {
      clearInterval(heartbeat);
      return persisting;
    },
  };
}

/** Keeps what the apply changed (the shadow, the read model, the report) and counts its outcome. */
async function recordResults(engine: Engine, planned: Planned, results: readonly ActionResult[]): Promise<SyncCounts> {
  const { tenant, store, options } = engine;
  const { run, plan } = planned;
  // A 50,000-learner shadow is megabytes of text: a run that wrote no hidden field neither reads nor writes it.
  const writes = shadowWrites(results, HIDDEN_LEARNER_FIELDS);
  if (Object.keys(writes).length > 0) await store.settings.putShadow(tenant, run.source, updateShadow(await shadowOf(engine, run.source), writes));
  await options.readModel.invalidate({ source: run.source, learners: true, teamIds: teamsTouched(plan) });
  const records = recordsOf(planned, results);
  await store.records.append(tenant, run.id, records);
  return countRecords(records);
}

async function cancelRun(engine: Engine, executing: ReadonlyMap<string, Running>, runId: string): Promise<SyncRun> {
  const run = await mustGet(engine, runId);
  if (!ACTIVE_STATUSES.includes(run.status)) {
    throw new ConflictError(`run ${runId} is already ${run.status}`, { runId, status: run.status });
  }
  const running = executing.get(runId);
  if (running) {
    running.abort.abort();
    await running.promise;
    const after = await mustGet(engine, runId);
    if (after.status === 'CANCELLED' || !ACTIVE_STATUSES.includes(after.status)) return after;
  }
  // Refused when the run ended meanwhile (elsewhere, or its own work finishing first): its outcome stands.
  return finish(engine, runId, 'CANCELLED', {}, 'cancelled').catch(refusedUnless(runId, 'only an active run can be cancelled'));
}

const timestamp = (engine: Engine) => engine.clock().toISOString();

async function shadowOf(engine: Engine, source: Source): Promise<Shadow> {
  return (await engine.store.settings.shadow(engine.tenant, source)) ?? {};
}

async function policyOf(engine: Engine, source: Source): Promise<Policy> {
  const stored = await engine.store.settings.policy(engine.tenant, source);
  return stored ? upgradePolicy(stored) : engine.options.defaultPolicy(source);
}

function hrFor(engine: Engine, source: Source): HrClient {
  const client = engine.options.hr[source];
  if (!client) throw new BadUserInputError(`${source} is not connected for this tenant`, { source });
  return client;
}

async function mustGet(engine: Engine, runId: string): Promise<SyncRun> {
  const run = await engine.store.runs.get(engine.tenant, runId);
  if (!run) throw new NotFoundError(`no sync run ${runId}`, { runId });
  return run;
}

/** `remainingRequests`: Litmos requests the plan still needs, given while applying (for the ETA). */
function publish(engine: Engine, run: SyncRun, message: string | null = null, remainingRequests?: number): void {
  const { options } = engine;
  const budget = options.litmosBudget();
  options.bus.publish({
    runId: run.id,
    status: run.status,
    phase: PHASE[run.status],
    done: run.progress.done,
    total: run.progress.total,
    counts: run.counts,
    budget: { limit: budget.limit, windowMs: budget.windowMs, used: budget.used, remaining: budget.remaining },
    etaMs: run.status === 'APPLYING' && remainingRequests !== undefined ? options.litmosEta(remainingRequests) : null,
    message,
  });
}

/**
 * Applies `patch` only while the run is in one of `from`, as one compare-and-set in the store: of
 * two requests or two replicas acting on one run, exactly one moves it; the other gets
 * `ConflictError` and must not carry on as if it had.
 */
async function transition(
  engine: Engine,
  runId: string,
  from: readonly SyncRunStatus[],
  patch: Partial<SyncRun>,
  message: string | null = null,
): Promise<SyncRun> {
  const run = await engine.store.runs.transition(engine.tenant, runId, { from, patch });
  publish(engine, run, message);
  return run;
}

/** A step of a run that is still active: one cancelled or finished elsewhere meanwhile is left as it is. */
async function update(engine: Engine, runId: string, patch: Partial<SyncRun>, message: string | null = null): Promise<SyncRun> {
  return transition(engine, runId, ACTIVE_STATUSES, patch, message);
}

/** Ends an active run; of concurrent attempts to end it (cancel, apply, a failure), exactly one does. `failure`: what failed it. */
async function finish(
  engine: Engine,
  runId: string,
  status: SyncRunStatus,
  patch: Partial<SyncRun> = {},
  message: string | null = null,
  failure?: unknown,
): Promise<SyncRun> {
  const ended = await update(engine, runId, { ...patch, status, finishedAt: timestamp(engine) }, message);
  await engine.options.onRunEnded?.(ended, failure).catch(() => undefined);
  return ended;
}

/** Rewords the store's refusal of a transition for the caller: what the run is, and what the action needs. */
function refusedUnless(runId: string, needs: string) {
  return (error: unknown): never => {
    if (!(error instanceof ConflictError) || error.details.status === undefined) throw error;
    throw new ConflictError(
      `run ${runId} is ${typeof error.details.status === 'string' ? error.details.status : 'in another state'}; ${needs}`,
      error.details,
      { cause: error },
    );
  };
}
