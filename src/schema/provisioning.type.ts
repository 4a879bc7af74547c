import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PROVISIONING_STATES, REASON_CODES } from '../core/explain.js';
import { Learner } from './learner.type.js';
import { FieldChange, SyncOutcomeEnum, SyncRun } from './sync-run.type.js';
import { SourceEnum } from './enums.js';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const ProvisioningStateEnum = enumOf(PROVISIONING_STATES);
registerEnumType(ProvisioningStateEnum, {
  name: 'ProvisioningState',
  description:
    'Where a sync would leave an employee today: PROVISIONED (active learner, nothing to do), TO_CREATE (a learner created or reactivated), TO_UPDATE (fields, teams or its link), TO_DEACTIVATE, DEACTIVATED (not eligible, learner already inactive), NOT_PROVISIONED, PRE_HIRE, CONFLICT (which learner is theirs cannot be settled), HELD.',
});
export const ReasonCodeEnum = enumOf(REASON_CODES);
registerEnumType(ReasonCodeEnum, {
  name: 'ProvisioningReasonCode',
  description: 'A rule that decided a provisioning state; stable, for filters and translations.',
});

@ObjectType({ description: 'One rule that decided a provisioning state, with the value and the day that triggered it.' })
export class ProvisioningReason {
  @Field(() => ReasonCodeEnum) code!: string;
  @Field(() => String, { description: 'In words, values included.' }) message!: string;
  @Field(() => LocalDateResolver, {
    nullable: true,
    description: "The day the triggering fact took effect: a status row's effective date, the termination or hire date, a hold's placing.",
  })
  since!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "The field that triggered the rule: employmentStatus, the access flag's HR field, workEmail, terminationDate…",
  })
  field!: string | null;
  @Field(() => String, { nullable: true, description: "That field's value." }) value!: string | null;
}

@ObjectType({ description: "What a run last did for one employee or learner: a line of the run's report." })
export class RunOutcome {
  @Field(() => ID, { description: "The run's global id (syncRun(id:) takes it)." }) id!: string;
  @Field(() => String) runId!: string;
  @Field(() => SyncRun) run!: SyncRun;
  @Field(() => DateTimeResolver, { description: 'When the run finished.' }) at!: string;
  @Field(() => SourceEnum) source!: string;
  @Field(() => String, { description: "The employee's id in the HR system." }) employeeSourceId!: string;
  @Field(() => SyncOutcomeEnum) outcome!: string;
  @Field(() => String, { nullable: true, description: 'Skip or deactivation reason, e.g. HELD.' }) reason!: string | null;
  @Field(() => [FieldChange], { description: 'Before → after, as stored in the report; `team` for membership.' }) changes!: FieldChange[];
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType({ description: "Why an employee is (not) in Litmos: computed by the planner's own rules, so it never disagrees with a sync." })
export class Provisioning {
  @Field(() => ProvisioningStateEnum) state!: string;
  @Field(() => [ProvisioningReason], {
    description: 'Every rule that decided the state; the hold or conflict first, then the eligibility rules in the order the planner checks them.',
  })
  reasons!: ProvisioningReason[];
  @Field(() => Learner, { nullable: true, description: 'The learner the planner takes to be theirs.' }) learner!: Learner | null;
  @Field(() => RunOutcome, { nullable: true, description: 'The latest of the recent applied runs that has a line for them (null when none has).' })
  lastRun!: RunOutcome | null;
}
