import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { Provisioning as ProvisioningRecord } from '../core/explain.js';
import { employeeKey, type Employee as EmployeeRecord, type Learner as LearnerRecord } from '../model.js';
import { Employee } from '../schema/employee.type.js';
import { Learner } from '../schema/learner.type.js';
import { toGlobalId } from '../schema/node.js';
import { Provisioning, RunOutcome } from '../schema/provisioning.type.js';
import { provisioningOf, recentRuns, type RunLine } from './provisioning.service.js';

/** What `Provisioning`'s own field resolvers start from. */
interface ProvisioningRoot extends ProvisioningRecord {
  employee: EmployeeRecord;
}

const runOutcome = ({ run, record }: RunLine) => ({
  id: toGlobalId('SyncRun', run.id),
  runId: run.id,
  run,
  at: run.finishedAt ?? run.createdAt,
  source: run.source,
  employeeSourceId: record.sourceId,
  outcome: record.outcome,
  reason: record.reason,
  changes: record.changes,
  error: record.error,
});

@Resolver(() => Employee)
export class EmployeeProvisioningResolver {
  @FieldResolver(() => Provisioning, {
    nullable: true,
    description:
      "Explain: the state a sync would leave this employee in today and every rule that decided it, from the planner's own rules over the same reads as this list (null when the employee's source could not be read).",
  })
  async provisioning(@Root() employee: EmployeeRecord, @Ctx() ctx: GatewayContext): Promise<ProvisioningRoot | null> {
    const explained = await provisioningOf(ctx, employee);
    return explained && { ...explained, employee };
  }
}

@Resolver(() => Provisioning)
export class ProvisioningResolver {
  @FieldResolver(() => Learner, { nullable: true })
  learner(@Root() root: ProvisioningRoot, @Ctx() ctx: GatewayContext) {
    return root.learnerId === null ? null : ctx.loaders.learner.load(root.learnerId);
  }

  @FieldResolver(() => RunOutcome, { nullable: true })
  async lastRun(@Root() root: ProvisioningRoot, @Ctx() ctx: GatewayContext) {
    const line = (await recentRuns(ctx)).byEmployee.get(employeeKey(root.employee));
    return line ? runOutcome(line) : null;
  }
}

@Resolver(() => Learner)
export class LearnerHistoryResolver {
  @FieldResolver(() => [RunOutcome], {
    description:
      "What runs did to this learner, newest first: each applied run's report line naming it (created, updated with before → after, deactivated with the reason, skipped as HELD…), from the newest 50 runs; lines where nothing changed are left out.",
  })
  async history(@Root() learner: LearnerRecord, @Ctx() ctx: GatewayContext) {
    return ((await recentRuns(ctx)).byLearner.get(learner.id) ?? []).map(runOutcome);
  }
}

export const PROVISIONING_RESOLVERS = [EmployeeProvisioningResolver, ProvisioningResolver, LearnerHistoryResolver] as const;
