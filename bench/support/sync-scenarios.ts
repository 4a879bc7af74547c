/**
 * The four sync scenarios over one gateway and sandbox, each measured the same way: upstream
 * requests from the simulators' stats, the plans the runs made, the apply phase's request rate,
 * wall time and peak RSS.
 */
import type { RunningGateway } from '../../src/app.js';
import type { SimulatorStats } from '@rostergate/sandbox';
import type { PlanActionKind, SyncPlan } from '../../src/core/plan-types.js';
import type { SyncRun } from '../../src/core/run.js';
import { SECRET } from '../../src/tenant.js';
import { watchRuns, type RunWatchResult } from './run-watch.js';
import type { BambooHrAdmin } from './bamboohr-admin.js';
import type { RssSampler } from './memory.js';
import { ownCpuMs } from './cpu.js';
import type { SandboxProcess } from './sandbox-process.js';
import { digest, type PlanDigest } from './plan-cost.js';
import { statsDelta, type StatsDelta } from './stats.js';

export interface ScenarioResult {
  scenario: string;
  wallMs: number;
  runs: SyncRun[];
  planned: PlanDigest;
  /** The gateway's requests only: the benchmark's own HR edits are taken out. */
  bamboohr: StatsDelta;
  litmos: StatsDelta;
  /** BambooHR writes the benchmark made as the HR admin. */
  hrEdits: number;
  apply: RunWatchResult['apply'];
  phases: RunWatchResult['phases'];
  /** RSS when the scenario began, and its highest and the V8 heap's highest while its runs worked, bytes. */
  startRss: number;
  peakRss: number;
  peakHeap: number;
  /**
   * CPU time while the runs worked, ms: the benchmark's process (the gateway, with the little the
   * benchmark does itself) and the simulators' (null where /proc is not available).
   */
  cpu: { gateway: number; simulators: number | null };
  /** Retries after a 429/503, as the gateway's clients counted them. */
  gatewayThrottled: number;
  /** Failed actions and runs, as `"KIND: error" × count`. */
  failures: string[];
}

export interface ScenarioContext {
  gateway: RunningGateway;
  sandbox: SandboxProcess;
  admin: BambooHrAdmin;
  rss: RssSampler;
  /** The simulators' rate limits, restored after the benchmark's HR edits. */
  limits: { bamboohr: number };
}

/** The benchmark's own requests, as the HR admin: never the gateway's. */
const isHrEdit = (route: string) => route.startsWith('POST ') && /\/employees\/:id(\/tables\/:table)?$|\/webhooks$/.test(route);

function withoutHrEdits(delta: StatsDelta): { gateway: StatsDelta; edits: number } {
  const routes = Object.fromEntries(Object.entries(delta.routes).filter(([route]) => !isHrEdit(route)));
  const edits = delta.total - Object.values(routes).reduce((sum, n) => sum + n, 0);
  return { gateway: { ...delta, total: delta.total - edits, routes }, edits };
}

const throttledSoFar = (gateway: RunningGateway) => gateway.tenant.upstreams.reduce((sum, client) => sum + client.metrics().throttled, 0);

async function snapshot(sandbox: SandboxProcess): Promise<{ bamboohr: SimulatorStats; litmos: SimulatorStats }> {
  const [bamboohr, litmos] = await Promise.all([sandbox.stats('bamboohr'), sandbox.stats('litmos')]);
  return { bamboohr, litmos };
}

async function runsSince(gateway: RunningGateway, since: string): Promise<SyncRun[]> {
  const page = await gateway.store.runs.list(gateway.tenant.id, { first: 1000, source: 'BAMBOOHR' });
  return page.runs.filter((run) => run.createdAt >= since).reverse();
}

/** What went wrong in runs that did not fully succeed, from their journals: the run report only shows the employees. */
async function failuresOf(gateway: RunningGateway, runs: readonly SyncRun[], plans: readonly (SyncPlan | null)[]): Promise<string[]> {
  const counts = new Map<string, number>();
  for (const [i, run] of runs.entries()) {
    if (run.error) counts.set(`run ${run.status}: ${run.error}`, 1);
    const plan = plans[i];
    if (run.counts.failed === 0 || !plan) continue;
    const entries = await gateway.store.journal.getMany(
      gateway.tenant.id,
      run.id,
      plan.actions.map((action) => action.id),
    );
    for (const action of plan.actions) {
      const entry = entries.get(action.id);
      if (entry?.state !== 'FAILED') continue;
      const key = `${action.kind}: ${entry.error ?? 'no message'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([failure, count]) => `${failure} × ${count}`);
}

/**
 * Measures `work` (which makes runs happen and waits for them to end) and every run it caused. Its
 * plans are read back only after the peak is taken, and only their digest is kept.
 */
export async function measure(ctx: ScenarioContext, scenario: string, work: () => Promise<void>): Promise<ScenarioResult & { plans: SyncPlan[] }> {
  const { gateway, sandbox, rss } = ctx;
  const before = await snapshot(sandbox);
  const throttledBefore = throttledSoFar(gateway);
  const since = new Date().toISOString();
  rss.reset();
  const startRss = rss.peak();
  const watch = watchRuns({ tenant: gateway.tenant });
  const cpuBefore = { gateway: ownCpuMs(), simulators: await sandbox.cpuMs() };
  const started = Date.now();
  await work();
  const wallMs = Date.now() - started;
  const simulatorsAfter = await sandbox.cpuMs();
  const cpu = {
    gateway: ownCpuMs() - cpuBefore.gateway,
    simulators: simulatorsAfter === null || cpuBefore.simulators === null ? null : simulatorsAfter - cpuBefore.simulators,
  };
  const [peakRss, peakHeap] = [rss.peak(), rss.peakHeap()];
  const { apply, phases } = await watch.stop();
  const after = await snapshot(sandbox);
  const runs = await runsSince(gateway, since);
  const planned = await Promise.all(runs.map((run) => gateway.tenant.engine.plan(run.id)));
  const plans = planned.filter((plan): plan is SyncPlan => plan !== null);
  const bamboohr = withoutHrEdits(statsDelta(before.bamboohr, after.bamboohr));
  return {
    scenario,
    wallMs,
    runs,
    plans,
    planned: digest(plans),
    bamboohr: bamboohr.gateway,
    litmos: statsDelta(before.litmos, after.litmos),
    hrEdits: bamboohr.edits,
    apply,
    phases,
    startRss,
    peakRss,
    peakHeap,
    cpu,
    gatewayThrottled: throttledSoFar(gateway) - throttledBefore,
    failures: await failuresOf(gateway, runs, planned),
  };
}

export async function fullSync(gateway: RunningGateway): Promise<void> {
  await gateway.tenant.engine.start({ source: 'BAMBOOHR', trigger: 'MANUAL' });
  await gateway.tenant.engine.idle();
}

/** An INCREMENTAL run: the change feeds from the checkpoint the last successful run left. */
export async function incrementalSync(gateway: RunningGateway): Promise<void> {
  await gateway.tenant.engine.start({ source: 'BAMBOOHR', trigger: 'MANUAL', mode: 'INCREMENTAL' });
  await gateway.tenant.engine.idle();
}

/** Change sets the benchmark takes from one initial plan, disjoint: the full sync's, the webhooks', the incremental run's. */
export const CHANGE_SETS = 3;

/** Who to change, chosen evenly over the learners the initial sync created (all active, each in a department team). */
export interface ChangeSet {
  titles: string[];
  moves: { id: string; from: string }[];
  flagsOff: string[];
}

export function chooseChanges(initial: SyncPlan, count: number, offset: number): ChangeSet {
  const teamOf = new Map<string, string>();
  for (const action of initial.actions) if (action.kind === 'ADD_TO_TEAM') teamOf.set(action.sourceId, action.teamName);
  const created = initial.actions.flatMap((action) => (action.kind === 'CREATE_LEARNER' && teamOf.has(action.sourceId) ? [action.sourceId] : []));
  // CHANGE_SETS disjoint sets (offsets 0, 1, …) interleaved over the whole roster.
  const step = Math.max(1, Math.floor(created.length / (count * CHANGE_SETS)));
  const chosen = Array.from({ length: count }, (_, i) => created[(i * CHANGE_SETS + offset) * step]).filter((id): id is string => id !== undefined);
  const third = Math.ceil(chosen.length / 3);
  return {
    titles: chosen.slice(0, third),
    moves: chosen.slice(third, 2 * third).map((id) => ({ id, from: teamOf.get(id) ?? '' })),
    flagsOff: chosen.slice(2 * third),
  };
}

/** Makes the changes through BambooHR's API, with its limit lifted so the edits are not what is measured. */
export async function editHr(ctx: ScenarioContext, changes: ChangeSet, departments: readonly string[]): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  await ctx.sandbox.setLimits('bamboohr', { limit: 1_000_000 });
  try {
    for (const id of changes.titles) await ctx.admin.update(id, { jobTitle: `Bench Title ${id}` });
    // Moves spread over the other departments, so team additions land in several teams as in life.
    for (const [i, { id, from }] of changes.moves.entries()) {
      const others = departments.filter((department) => department.toLowerCase() !== from.toLowerCase());
      await ctx.admin.addRow(id, 'jobInfo', { date: today, department: others[i % others.length] ?? from });
    }
    for (const id of changes.flagsOff) await ctx.admin.update(id, { customLitmosAccess: 'no' });
  } finally {
    await ctx.sandbox.setLimits('bamboohr', { limit: ctx.limits.bamboohr });
  }
}

/** Registers the gateway as BambooHR's webhook receiver and stores the key it verifies deliveries with. */
export async function registerWebhook(ctx: ScenarioContext): Promise<void> {
  const key = await ctx.admin.createWebhook(`${ctx.gateway.url}/webhooks/bamboohr`, ['jobTitle', 'department', 'customLitmosAccess']);
  await ctx.gateway.store.secrets.put(ctx.gateway.tenant.id, SECRET.bamboohrWebhookKey, key);
}

/** The webhook path: the edits trigger deliveries, the gateway gathers them into targeted runs. */
export async function webhookSync(ctx: ScenarioContext, changes: ChangeSet, departments: readonly string[]): Promise<{ delivered: number }> {
  await editHr(ctx, changes, departments);
  const { delivered } = await ctx.sandbox.flushWebhooks();
  await ctx.gateway.tenant.webhooks.drain();
  return { delivered };
}

/**
 * What the plans should hold for the changes made: one update per new title, a team addition and
 * a removal per move, a deactivation per access flag turned off. Returns the differences, if any.
 */
export function checkPlans(changes: ChangeSet, planned: PlanDigest): string[] {
  const expected: Partial<Record<PlanActionKind, number>> = {
    UPDATE_LEARNER: changes.titles.length,
    ADD_TO_TEAM: changes.moves.length,
    REMOVE_FROM_TEAM: changes.moves.length,
    DEACTIVATE_LEARNER: changes.flagsOff.length,
  };
  const actual = planned.counts;
  return Object.entries(expected)
    .filter(([kind, count]) => (actual[kind as PlanActionKind] ?? 0) !== count)
    .map(([kind, count]) => `${kind} ${actual[kind as PlanActionKind] ?? 0}, expected ${count}`);
}
