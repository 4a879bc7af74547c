/**
 * A run's life: QUEUED → FETCHING → PLANNING → (AWAITING_APPROVAL) → APPLYING → SUCCEEDED | PARTIAL |
 * FAILED | CANCELLED. Each step is persisted before the next begins, so a gateway that restarts
 * finds its unfinished runs and carries them on (`recover`). One run at a time per tenant and source.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetState } from '../datasources/budget.js';
import type { HrClient } from '../datasources/hr.js';
import { HIDDEN_LEARNER_FIELDS, type LitmosClient } from '../datasources/litmos/client.js';
import type { ReadModel } from '../datasources/read-model.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../errors.js';
import type { Source } from '../model.js';
import { today } from '../time.js';
import { applyPlan, litmosRequestsFor, teamsTouched } from './apply.js';
import { planSync } from '../core/plan.js';
import { teamKey, type ActionResult, type SyncPlan } from '../core/plan-types.js';
import { defaultPolicy, type Policy } from '../core/policy.js';
import type { RunDraft, SyncStore } from './ports.js';
import type { ProgressBus } from './progress.js';
import { readForPlan } from './read.js';
import { updateShadow } from '../core/shadow.js';
import { buildRecords, countRecords, summarise } from '../core/records.js';
import { ACTIVE_STATUSES, emptyCounts, type RunPhase, type RunStatus, type RunTrigger, type SyncRun } from '../core/run.js';

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
  /** Actions of one kind in flight at once. @default 4 */
  concurrency?: number;
  /** The clock: run timestamps, link times and the planner's "today". @default () => new Date() */
  now?: () => Date;
}

export interface StartOptions {
  source: Source;
  trigger: RunTrigger;
  dryRun?: boolean;
  /** Only these employees (import, webhook). @default everyone */
  scope?: string[];
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
  /** Resolves when no run of this engine is executing (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const PHASE: Record<RunStatus, RunPhase> = {
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

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { tenant, store, bus } = options;
  const executing = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  // Starts for one source are serialised, so two concurrent startSync calls cannot both see "no active run".
  const startLocks = new Map<Source, Promise<unknown>>();
  const clock = options.now ?? (() => new Date());
  const now = () => clock().toISOString();
  const shadowOf = async (source: Source) => (await store.settings.shadow(tenant, source)) ?? {};

  async function mustGet(runId: string): Promise<SyncRun> {
    const run = await store.runs.get(tenant, runId);
    if (!run) throw new NotFoundError(`no sync run ${runId}`, { runId });
    return run;
  }

  /** `remainingRequests`: Litmos requests the plan still needs, given while applying (for the ETA). */
  function publish(run: SyncRun, message: string | null = null, remainingRequests?: number) {
    const budget = options.litmosBudget();
    bus.publish({
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
  async function transition(runId: string, from: readonly RunStatus[], patch: Partial<SyncRun>, message: string | null = null): Promise<SyncRun> {
    const run = await store.runs.transition(tenant, runId, { from, patch });
    publish(run, message);
    return run;
  }

  /** A step of a run that is still active: one cancelled or finished elsewhere meanwhile is left as it is. */
  async function update(runId: string, patch: Partial<SyncRun>, message: string | null = null): Promise<SyncRun> {
    return transition(runId, ACTIVE_STATUSES, patch, message);
  }

  /** Ends an active run; of concurrent attempts to end it (cancel, apply, a failure), exactly one does. */
  async function finish(runId: string, status: RunStatus, patch: Partial<SyncRun> = {}, message: string | null = null) {
    return update(runId, { ...patch, status, finishedAt: now() }, message);
  }

  /** Rewords the store's refusal of a transition for the caller: what the run is, and what the action needs. */
  function refusedUnless(runId: string, needs: string) {
    return (error: unknown): never => {
      if (!(error instanceof ConflictError) || error.details.status === undefined) throw error;
      throw new ConflictError(`run ${runId} is ${String(error.details.status)}; ${needs}`, error.details, { cause: error });
    };
  }

  function hrFor(source: Source): HrClient {
    const client = options.hr[source];
    if (!client) throw new BadUserInputError(`${source} is not connected for this tenant`, { source });
    return client;
  }

  async function policy(source: Source): Promise<Policy> {
    return (await store.settings.policy(tenant, source)) ?? defaultPolicy(source);
  }

  async function apply(runId: string, signal: AbortSignal): Promise<void> {
    let run = await mustGet(runId);
    const plan = await store.plans.get(tenant, runId);
    const draft = await store.plans.draft(tenant, runId);
    if (!plan || !draft) throw new Error(`run ${runId} has no stored plan to apply`);
    let remainingRequests = plan.actions.reduce((sum, action) => sum + litmosRequestsFor(action), 0);
    // A transition, so a run cancelled elsewhere before this starts is not brought back to APPLYING.
    run = await store.runs.transition(tenant, runId, { from: ACTIVE_STATUSES, patch: { status: 'APPLYING', progress: { done: 0, total: plan.actions.length } } });
    publish(run, null, remainingRequests);
    const counts = emptyCounts();
    let done = 0;
    let lastPublished = 0;
    let persisting: Promise<void> = Promise.resolve();
    const onResult = (result: ActionResult) => {
      done += 1;
      if (!result.resumed) remainingRequests -= litmosRequestsFor(result.action);
      if (!result.ok) counts.failed += 1;
      // Progress is published at most every 100 ms (and always at the end): a 50,000-action run
      // must not turn into 50,000 store writes.
      // Pacing measures elapsed time, not the date: it stays on the real clock even under an injected one.
      if (Date.now() - lastPublished > 100 || done === plan.actions.length) {
        lastPublished = Date.now();
        run = { ...run, progress: { done, total: plan.actions.length }, counts: { ...counts } };
        publish(run, null, Math.max(0, remainingRequests));
        // The stored run follows too (for `syncRun` queries and other replicas), in order.
        const snapshot = { progress: run.progress, counts: run.counts };
        persisting = persisting.then(() => store.runs.update(tenant, runId, snapshot)).then(() => undefined, () => undefined);
      }
    };
    const results = await applyPlan(plan, {
      tenant,
      runId,
      source: run.source,
      litmos: options.litmos,
      journal: store.journal,
      links: store.links,
      now: clock,
      onResult,
      signal,
      ...(options.concurrency && { concurrency: options.concurrency }),
    });
    await persisting;
    await store.settings.putShadow(tenant, run.source, updateShadow(await shadowOf(run.source), results, HIDDEN_LEARNER_FIELDS));
    await options.readModel.invalidate({ source: run.source, learners: true, teamIds: teamsTouched(plan) });
    const records = buildRecords(plan, draft.people, results, draft.notFound);
    await store.records.append(tenant, runId, records);
    const finalCounts = countRecords(records);
    if (signal.aborted) {
      await finish(runId, 'CANCELLED', { counts: finalCounts, progress: { done, total: plan.actions.length } }, 'cancelled');
      return;
    }
    const status: RunStatus = finalCounts.failed > 0 ? 'PARTIAL' : 'SUCCEEDED';
    await finish(runId, status, { counts: finalCounts, progress: { done, total: plan.actions.length } });
  }

  async function execute(runId: string, signal: AbortSignal): Promise<void> {
    let run = await update(runId, { status: 'FETCHING', startedAt: now() });
    const hr = hrFor(run.source);
    const currentPolicy = await policy(run.source);
    const knownDepartments = (await store.settings.departments(tenant, run.source)) ?? [];
    const read = await readForPlan({
      hr,
      litmos: options.litmos,
      links: store.links,
      tenant,
      policy: currentPolicy,
      scope: run.scope,
      shadow: await shadowOf(run.source),
      knownDepartments,
      today: today(clock()),
    });
    if (!run.scope) {
      // Departments accumulate: a department whose last employee left keeps its team managed, so a
      // learner still in it (inactive then, invisible to member lists) is taken out once reactivated
      // (found by the property test: STALE_TEAM_NEVER_REMOVED).
      const current = read.employees.flatMap((employee) => (employee.department ? [employee.department] : []));
      const departments = [...new Map([...knownDepartments, ...current].map((name) => [teamKey(name), name])).values()];
      await store.settings.putDepartments(tenant, run.source, departments);
    }
    if (signal.aborted) return void (await finish(runId, 'CANCELLED'));
    run = await update(runId, { status: 'PLANNING' });
    const plan = planSync({
      source: run.source,
      employees: read.employees,
      read: { complete: true },
      learners: read.learners,
      teams: read.teams,
      teamMembers: read.teamMembers,
      teamLeaders: read.teamLeaders,
      links: read.links,
      policy: currentPolicy,
      today: today(clock()),
      knownDepartments,
      ...(run.scope && { scope: { sourceIds: run.scope } }),
    });
    const draft: RunDraft = { people: summarise(read.employees), notFound: read.notFound };
    await store.plans.put(tenant, runId, plan);
    await store.plans.putDraft(tenant, runId, draft);
    if (run.dryRun || plan.safeguard.tripped) {
      const records = buildRecords(plan, draft.people, [], draft.notFound);
      const counts = countRecords(records);
      if (run.dryRun) {
        await store.records.append(tenant, runId, records);
        return void (await finish(runId, 'SUCCEEDED', { counts }, 'dry run: nothing was written'));
      }
      const { deactivations, threshold, activeLearners } = plan.safeguard;
      await update(
        runId,
        { status: 'AWAITING_APPROVAL', counts, safeguard: { deactivations, threshold, activeLearners } },
        `would deactivate ${deactivations} learners, over the threshold of ${threshold}: approve or cancel the run`,
      );
      return;
    }
    await apply(runId, signal);
  }

  /** Runs `work` in the background, recording a failure on the run instead of losing it. */
  function launch(runId: string, work: (signal: AbortSignal) => Promise<void>): void {
    const abort = new AbortController();
    const promise = work(abort.signal)
      .catch(async (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        await finish(runId, 'FAILED', { error: text }, text).catch(() => undefined);
      })
      .finally(() => executing.delete(runId));
    executing.set(runId, { promise, abort });
  }

  async function start(startOptions: StartOptions) {
    const { source } = startOptions;
    hrFor(source);
    const previous = startLocks.get(source) ?? Promise.resolve();
    const next = previous.then(async () => {
      const active = await store.runs.findActive(tenant, source, ACTIVE_STATUSES);
      if (active) return { run: active, joined: true };
      const run: SyncRun = {
        id: randomUUID(),
        tenant,
        source,
        trigger: startOptions.trigger,
        dryRun: startOptions.dryRun ?? false,
        status: 'QUEUED',
        scope: startOptions.scope ?? null,
        createdAt: now(),
        startedAt: null,
        finishedAt: null,
        counts: emptyCounts(),
        progress: { done: 0, total: 0 },
        error: null,
        safeguard: null,
        approvedBy: null,
      };
      await store.runs.create(run);
      publish(run);
      launch(run.id, (signal) => execute(run.id, signal));
      return { run, joined: false };
    });
    startLocks.set(source, next.catch(() => undefined));
    return next;
  }

  return {
    start,
    get: (runId) => store.runs.get(tenant, runId),
    plan: (runId) => store.plans.get(tenant, runId),
    policy,
    async setPolicy(source, value) {
      await store.settings.putPolicy(tenant, source, value);
      return value;
    },
    async approve(runId, approvedBy) {
      // The check and the move to APPLYING are one compare-and-set, so of any number of concurrent
      // approvals, in any replica, exactly one launches the apply. A process that dies right after
      // leaves an APPLYING run, which `recover` resumes.
      const approved = await transition(runId, ['AWAITING_APPROVAL'], { status: 'APPLYING', approvedBy }, `approved by ${approvedBy}`).catch(
        refusedUnless(runId, 'only a run AWAITING_APPROVAL can be approved'),
      );
      launch(runId, (signal) => apply(runId, signal));
      return approved;
    },
    async cancel(runId) {
      const run = await mustGet(runId);
      if (!ACTIVE_STATUSES.includes(run.status)) {
        throw new ConflictError(`run ${runId} is already ${run.status}`, { runId, status: run.status });
      }
      const running = executing.get(runId);
      if (running) {
        running.abort.abort();
        await running.promise;
        const after = await mustGet(runId);
        if (after.status === 'CANCELLED' || !ACTIVE_STATUSES.includes(after.status)) return after;
      }
      // Refused when the run ended meanwhile (elsewhere, or its own work finishing first): its outcome stands.
      return finish(runId, 'CANCELLED', {}, 'cancelled').catch(refusedUnless(runId, 'only an active run can be cancelled'));
    },
    async recover() {
      for (const source of Object.keys(options.hr) as Source[]) {
        const run = await store.runs.findActive(tenant, source, ACTIVE_STATUSES);
        if (!run || run.status === 'AWAITING_APPROVAL' || executing.has(run.id)) continue;
        // A run that was applying resumes from its journal; one that had not planned yet starts over,
        // because its read is stale and nothing of it was written.
        if (run.status === 'APPLYING') launch(run.id, (signal) => apply(run.id, signal));
        else launch(run.id, (signal) => execute(run.id, signal));
      }
    },
    async idle() {
      while (executing.size > 0) await Promise.all([...executing.values()].map((entry) => entry.promise));
    },
    async close() {
      for (const entry of executing.values()) entry.abort.abort();
      await Promise.all([...executing.values()].map((entry) => entry.promise));
    },
  };
}
