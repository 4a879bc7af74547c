/**
 * What explain, what-if and history read, once per request however many employees or learners ask:
 * the planner's input assembled from the read model (the same cached reads as the employee list) and
 * the store, and the report lines of the recent runs.
 */
import type { GatewayContext } from '../context.js';
import { explainAll, type Provisioning } from '../core/explain.js';
import type { PlanInput } from '../core/plan-types.js';
import type { Policy } from '../core/policy.js';
import { departmentNames, managedTeams } from '../core/teams-plan.js';
import { upgradeRecord, type SyncRecord, type SyncRun } from '../core/run.js';
import { employeeKey, type Employee, type Learner, type LocalDate, type Source } from '../model.js';
import { syncStoreOf } from '../tenant.js';
import { today } from '../time.js';

/**
 * The planner's input for `source` as things stand, planned by `policy` for `day`. Only the department
 * teams the plan manages have their members read (one cached call each), as a run's own read does.
 */
export async function planInputNow(ctx: GatewayContext, source: Source, policy: Policy, day: LocalDate): Promise<PlanInput> {
  const { tenant } = ctx;
  const store = syncStoreOf(tenant.store);
  const [employees, learners, teams, links, holds, known] = await Promise.all([
    tenant.readModel.employees(source),
    tenant.readModel.learners(),
    tenant.readModel.teams(),
    store.links.list(tenant.id),
    store.holds.list(tenant.id),
    store.settings.departments(tenant.id, source),
  ]);
  const knownDepartments = known ?? [];
  const managed = managedTeams(teams, policy.teams, [...departmentNames(employees), ...knownDepartments]);
  const [members, leaders] = await Promise.all([
    Promise.all(managed.map(async (team) => [team.id, await tenant.readModel.teamMembers(team.id)] as const)),
    policy.teams.managerAsLeader ? Promise.all(managed.map(async (team) => [team.id, await tenant.readModel.teamLeaders(team.id)] as const)) : [],
  ]);
  return {
    source,
    employees,
    read: { complete: true },
    learners,
    teams,
    teamMembers: Object.fromEntries(members),
    teamLeaders: Object.fromEntries(leaders),
    links,
    policy,
    today: day,
    knownDepartments,
    holds,
  };
}

/** Per request (keyed by its context): each source explained once, each list of recent runs read once. */
const explainedByRequest = new WeakMap<GatewayContext, Map<Source, Promise<Map<string, Provisioning>>>>();
const recentByRequest = new WeakMap<GatewayContext, Promise<RecentRuns>>();

/** The employee's state today under the current policy: their whole source is planned once per request. */
export async function provisioningOf(ctx: GatewayContext, employee: Employee): Promise<Provisioning | null> {
  let bySource = explainedByRequest.get(ctx);
  if (!bySource) explainedByRequest.set(ctx, (bySource = new Map<Source, Promise<Map<string, Provisioning>>>()));
  let explained = bySource.get(employee.source);
  if (!explained) {
    explained = ctx.tenant.engine
      .policy(employee.source)
      .then((policy) => planInputNow(ctx, employee.source, policy, today(ctx.tenant.clock())))
      .then(explainRemembered);
    bySource.set(employee.source, explained);
  }
  return (await explained).get(employee.sourceId) ?? null;
}

/**
 * The last explanation of each roster, across requests: planning a 10,000-employee source takes about
 * a second, and a console pages through it. The read model hands out the same roster and learner lists
 * until they may have changed (a sync's invalidation, a refresh), so those are compared by identity, as
 * the read model's own identity matching does; the rest of the input (policy, day, holds, links, teams)
 * by value.
 */
const explainedRosters = new WeakMap<readonly Employee[], WeakMap<readonly Learner[], { key: string; explained: Map<string, Provisioning> }>>();

function explainRemembered(input: PlanInput): Map<string, Provisioning> {
  const key = JSON.stringify([input.policy, input.today, input.holds, input.links, input.knownDepartments, input.teams, input.teamMembers, input.teamLeaders]);
  let byLearners = explainedRosters.get(input.employees);
  if (!byLearners) explainedRosters.set(input.employees, (byLearners = new WeakMap()));
  const remembered = byLearners.get(input.learners);
  if (remembered?.key === key) return remembered.explained;
  const explained = explainAll(input);
  byLearners.set(input.learners, { key, explained });
  return explained;
}

/** One employee's line in one run's report, with its run. */
export interface RunLine {
  run: SyncRun;
  record: SyncRecord;
}

interface RecentRuns {
  /** Learner id → the lines naming it, newest run first. */
  byLearner: Map<string, RunLine[]>;
  /** Employee key → the newest line for them. */
  byEmployee: Map<string, RunLine>;
}

/**
 * How many of the newest runs history looks through. Reports are stored per run, not per learner, so
 * the cost of history is in runs read; the latest few dozen answer what "what happened to them" asks.
 */
export const HISTORY_RUNS = 50;

/** The report lines of the newest HISTORY_RUNS runs that wrote (or tried to): dry runs did nothing to anyone. */
export function recentRuns(ctx: GatewayContext): Promise<RecentRuns> {
  let recent = recentByRequest.get(ctx);
  if (!recent) {
    recent = readRecentRuns(ctx);
    recentByRequest.set(ctx, recent);
  }
  return recent;
}

async function readRecentRuns(ctx: GatewayContext): Promise<RecentRuns> {
  const { tenant } = ctx;
  const { runs } = await tenant.store.runs.list(tenant.id, { first: HISTORY_RUNS });
  const applied = runs.filter((run) => !run.dryRun && run.finishedAt !== null);
  const reports = await Promise.all(applied.map(async (run) => ({ run, records: await tenant.store.records.all(tenant.id, run.id) })));
  const recent: RecentRuns = { byLearner: new Map(), byEmployee: new Map() };
  for (const { run, records } of reports) {
    for (const record of records.map(upgradeRecord)) {
      const line = { run, record };
      const key = employeeKey({ source: run.source, sourceId: record.sourceId });
      if (!recent.byEmployee.has(key)) recent.byEmployee.set(key, line);
      if (record.learnerId === null || record.outcome === 'UNCHANGED') continue;
      recent.byLearner.set(record.learnerId, [...(recent.byLearner.get(record.learnerId) ?? []), line]);
    }
  }
  return recent;
}
