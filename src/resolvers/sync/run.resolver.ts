import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../context.js';
import type { Source } from '../../model.js';
import { Connection, PageArgs, paginate } from '../../schema/connection.js';
import { SourceEnum } from '../../schema/enums.js';
import { toGlobalId } from '../../schema/node.js';
import { SyncOutcomeEnum, SyncPlanView, SyncRecord, SyncRun, SyncRunStatusEnum } from '../../schema/sync-run.type.js';
import { SyncModeEnum } from '../../schema/enums.js';
import type { PlannedAction, SyncPlan } from '../../core/plan-types.js';
// The stored run and record share their names with the GraphQL classes they are shown as: core's come in as `core.…`.
import type * as core from '../../core/run.js';
import { upgradeRecord } from '../../core/run.js';
import { localIdOf } from '../ids.js';

@ArgsType()
class SyncRunsArgs extends PageArgs {
  @Field(() => SourceEnum, { nullable: true }) source?: Source;
  @Field(() => SyncRunStatusEnum, { nullable: true }) status?: core.SyncRunStatus;
}

@ArgsType()
class RecordsArgs extends PageArgs {
  @Field(() => SyncOutcomeEnum, { nullable: true, description: 'Only records with this outcome.' }) outcome?: core.Outcome;
}

@ObjectType()
export class SyncRunConnection extends Connection(SyncRun) {}

@ObjectType()
export class SyncRecordConnection extends Connection(SyncRecord) {}

export function plannedAction(action: PlannedAction) {
  return {
    id: action.id,
    kind: action.kind,
    employeeSourceId: 'sourceId' in action ? action.sourceId : null,
    learnerId: 'learnerId' in action ? action.learnerId : null,
    teamName: 'teamName' in action ? action.teamName : action.kind === 'CREATE_TEAM' ? action.name : null,
    reason: action.kind === 'DEACTIVATE_LEARNER' ? action.reason : null,
    changes: action.kind === 'UPDATE_LEARNER' ? action.changes : [],
  };
}

/** A plan as `SyncPlanView` shows it (a run's, a preview's). */
export function planView(plan: SyncPlan) {
  return {
    complete: plan.complete,
    incompleteReason: plan.incompleteReason ?? null,
    summary: Object.entries(plan.summary).map(([kind, count]) => ({ kind, count })),
    actions: plan.actions.map(plannedAction),
    skipped: plan.skips.length,
    unchanged: plan.unchanged.length,
  };
}

const toRecord = (stored: core.StoredSyncRecord) => {
  const record = upgradeRecord(stored);
  return { ...record, employeeSourceId: record.sourceId };
};

@Resolver(() => SyncRun)
export class SyncRunResolver {
  @Authorized()
  @Query(() => SyncRunConnection, { description: 'Run history, newest first.' })
  async syncRuns(@Args(() => SyncRunsArgs) args: SyncRunsArgs, @Ctx() ctx: GatewayContext) {
    // The run index is small (one line per run), so the connection pages over it in memory.
    const { runs } = await ctx.tenant.store.runs.list(ctx.tenant.id, { source: args.source, status: args.status, first: Number.MAX_SAFE_INTEGER });
    return paginate(runs, args);
  }

  @Authorized()
  @Query(() => SyncRun, { nullable: true })
  syncRun(@Arg('id', () => ID, { description: 'The global id or the run id.' }) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.tenant.engine.get(runIdOf(id));
  }

  @FieldResolver(() => ID)
  id(@Root() run: core.SyncRun) {
    return toGlobalId('SyncRun', run.id);
  }

  @FieldResolver(() => String)
  runId(@Root() run: core.SyncRun) {
    return run.id;
  }

  /** Runs stored before modes existed read as what they were: FULL unless scoped. */
  @FieldResolver(() => SyncModeEnum, { nullable: true })
  mode(@Root() run: core.SyncRun) {
    return run.mode === undefined ? (run.scope ? null : 'FULL') : run.mode;
  }

  @FieldResolver(() => String, { nullable: true })
  modeReason(@Root() run: core.SyncRun) {
    return run.modeReason ?? null;
  }

  @FieldResolver(() => SyncPlanView, { nullable: true, description: 'Null until the run has planned.' })
  async plan(@Root() run: core.SyncRun, @Ctx() ctx: GatewayContext) {
    const plan = await ctx.tenant.engine.plan(run.id);
    return plan && planView(plan);
  }

  @FieldResolver(() => SyncRecordConnection, { description: 'One line per employee: what the run did and why.' })
  async records(@Root() run: core.SyncRun, @Args(() => RecordsArgs) args: RecordsArgs, @Ctx() ctx: GatewayContext) {
    const records = await ctx.tenant.store.records.all(ctx.tenant.id, run.id);
    return paginate(records.filter((r) => !args.outcome || r.outcome === args.outcome).map(toRecord), args);
  }

  @FieldResolver(() => String, { description: 'Path of the CSV report (same token as the API).' })
  reportPath(@Root() run: core.SyncRun) {
    return `/reports/${run.id}.csv`;
  }
}

/** Accepts a SyncRun global id or the bare run id the CLI and report URLs use. */
export function runIdOf(id: string): string {
  return /^[0-9a-f-]{36}$/.test(id) ? id : localIdOf('SyncRun', id);
}
