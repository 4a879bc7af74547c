import { DateTimeResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OUTCOMES, RUN_STATUSES, RUN_TRIGGERS } from '../core/run.js';
import { ACTION_KINDS } from '../core/plan-types.js';
import { SourceEnum, SyncModeEnum } from './enums.js';
import { Node } from './node.js';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const SyncRunStatusEnum = enumOf(RUN_STATUSES);
registerEnumType(SyncRunStatusEnum, { name: 'SyncRunStatus' });
export const SyncTriggerEnum = enumOf(RUN_TRIGGERS);
registerEnumType(SyncTriggerEnum, { name: 'SyncTrigger' });
export const SyncOutcomeEnum = enumOf(OUTCOMES);
registerEnumType(SyncOutcomeEnum, { name: 'SyncOutcome', description: 'What a run did (or, in a dry run, would do) for one employee.' });
export const PlanActionKindEnum = enumOf(ACTION_KINDS);
registerEnumType(PlanActionKindEnum, { name: 'PlanActionKind' });

@ObjectType()
export class SyncCounts {
  @Field(() => Int) created!: number;
  @Field(() => Int) linked!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) deactivated!: number;
  @Field(() => Int) reactivated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) failed!: number;
}

@ObjectType()
export class SyncRunProgress {
  @Field(() => Int, { description: 'Actions applied so far.' }) done!: number;
  @Field(() => Int, { description: 'Actions in the plan.' }) total!: number;
}

@ObjectType({ description: 'Why a run waits for approval.' })
export class SafeguardReport {
  @Field(() => Int) deactivations!: number;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) activeLearners!: number;
}

@ObjectType()
export class FieldChange {
  @Field(() => String) field!: string;
  @Field(() => String, { nullable: true }) before!: string | null;
  @Field(() => String, { nullable: true }) after!: string | null;
}

@ObjectType({ description: "One employee's line in a run's report." })
export class SyncRecord {
  @Field(() => String, { description: "The employee's id in the HR system." }) employeeSourceId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => SyncOutcomeEnum) outcome!: string;
  @Field(() => String, { nullable: true, description: 'Skip or deactivation reason, e.g. BLOCKLISTED_STATUS.' }) reason!: string | null;
  @Field(() => String, { nullable: true }) learnerId!: string | null;
  @Field(() => [FieldChange]) changes!: FieldChange[];
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType({ description: 'One planned write to Litmos.' })
export class PlannedAction {
  @Field(() => String) id!: string;
  @Field(() => PlanActionKindEnum) kind!: string;
  @Field(() => String, { nullable: true }) employeeSourceId!: string | null;
  @Field(() => String, { nullable: true }) learnerId!: string | null;
  @Field(() => String, { nullable: true }) teamName!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => [FieldChange]) changes!: FieldChange[];
}

@ObjectType()
export class PlanKindCount {
  @Field(() => PlanActionKindEnum) kind!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'What a run decided to do, computed before anything was written.' })
export class SyncPlanView {
  @Field(() => Boolean, { description: 'False when the HR read was incomplete: such a plan deactivates nobody.' }) complete!: boolean;
  @Field(() => String, { nullable: true }) incompleteReason!: string | null;
  @Field(() => [PlanKindCount]) summary!: PlanKindCount[];
  @Field(() => [PlannedAction]) actions!: PlannedAction[];
  @Field(() => Int) skipped!: number;
  @Field(() => Int) unchanged!: number;
}

@ObjectType({ implements: Node })
export class SyncRun extends Node {
  @Field(() => ID) declare id: string;
  @Field(() => String, { description: 'The run id, as in report URLs and the CLI.' }) runId!: string;
  @Field(() => SourceEnum) source!: string;
  @Field(() => SyncTriggerEnum) trigger!: string;
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => SyncRunStatusEnum) status!: string;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver, { nullable: true }) startedAt!: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) finishedAt!: string | null;
  @Field(() => SyncCounts) counts!: SyncCounts;
  @Field(() => SyncRunProgress) progress!: SyncRunProgress;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => SafeguardReport, { nullable: true }) safeguard!: SafeguardReport | null;
  @Field(() => String, { nullable: true }) approvedBy!: string | null;
  @Field(() => [String], { nullable: true, description: 'Import runs: the selected employees.' }) scope!: string[] | null;
  @Field(() => SyncModeEnum, {
    nullable: true,
    description:
      "What the run reads: as asked until it fetches, then what it read — an INCREMENTAL run with no checkpoint yet, or whose source had no successful FULL run within the policy's fullRunEveryDays, runs FULL. Null for import and webhook runs, which read the employees they name.",
  })
  mode!: string | null;
  @Field(() => String, { nullable: true, description: 'Why `mode` is not the mode asked for, e.g. the periodic full run.' }) modeReason!: string | null;
}

@ObjectType({ description: 'One step of a run, streamed by `syncProgress`.' })
export class SyncProgress {
  @Field(() => ID) runId!: string;
  @Field(() => Int) sequence!: number;
  @Field(() => SyncRunStatusEnum) status!: string;
  @Field(() => String) phase!: string;
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
  @Field(() => SyncCounts) counts!: SyncCounts;
  @Field(() => Int, { description: 'Litmos requests left in the current rate window.' }) budgetRemaining!: number;
  @Field(() => Int) budgetLimit!: number;
  @Field(() => Float, { nullable: true, description: 'Estimated ms until the plan is applied.' }) etaMs!: number | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => DateTimeResolver) at!: string;
}
