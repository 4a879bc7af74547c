import { LocalDateResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { SourceEnum } from './enums.js';
import { PolicyFieldsInput, SyncPolicy } from './policy.type.js';
import { ProvisioningReason, ProvisioningStateEnum } from './provisioning.type.js';
import { FieldChange, SyncPlanView } from './sync-run.type.js';

@InputType({
  description: "A policy to try: fields left out keep their current value (the access flag's field name must stay the current one); nothing is saved.",
})
export class SyncPolicyDraft extends PolicyFieldsInput {
  @Field(() => [String], { nullable: true, description: 'Employment statuses that would not be provisioned, e.g. ["Contractor"].' }) blocklist?: string[];
}

@InputType()
export class PreviewSyncInput {
  @Field(() => SourceEnum) source!: string;
  @Field(() => SyncPolicyDraft, { nullable: true, description: '@default the current policy' }) policy?: SyncPolicyDraft;
  @Field(() => LocalDateResolver, {
    nullable: true,
    description:
      'Plan as of this day (today or later, at most two years ahead): pre-hires starting, terminations and status rows taking effect, holds lapsing. @default today',
  })
  asOf?: string;
}

@ObjectType({ description: 'One employee the draft treats otherwise than the current policy today.' })
export class PreviewEntry {
  @Field(() => String, { description: "The employee's id in the HR system." }) employeeSourceId!: string;
  @Field(() => String) name!: string;
  @Field(() => ProvisioningStateEnum, { description: 'Under the current policy, today.' }) before!: string;
  @Field(() => ProvisioningStateEnum, { description: 'Under the draft, on its day.' }) after!: string;
  @Field(() => [ProvisioningReason], { description: 'Why, under the draft.' }) reasons!: ProvisioningReason[];
  @Field(() => [FieldChange], { description: "The draft plan's field changes for them." }) changes!: FieldChange[];
  @Field(() => [String]) teamsJoined!: string[];
  @Field(() => [String]) teamsLeft!: string[];
}

@ObjectType({ description: 'The draft plan against the current policy today, employee by employee.' })
export class PlanDiff {
  @Field(() => [PreviewEntry], { description: 'Would get a learner (created or reactivated) who would not now.' }) created!: PreviewEntry[];
  @Field(() => [PreviewEntry], { description: 'Would be deactivated who would not now.' }) deactivated!: PreviewEntry[];
  @Field(() => [PreviewEntry], { description: 'Would change teams otherwise than now.' }) moved!: PreviewEntry[];
  @Field(() => [PreviewEntry], { description: "Would have their learner's fields updated otherwise than now." }) updated!: PreviewEntry[];
  @Field(() => [PreviewEntry], { description: 'Everyone whose provisioning state differs, whichever way.' }) changed!: PreviewEntry[];
}

@ObjectType({ description: 'The deactivations the draft plan would make against the safeguard.' })
export class PreviewSafeguard {
  @Field(() => Int) deactivations!: number;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) activeLearners!: number;
  @Field(() => Boolean, { description: 'A run with this plan would wait for approval.' }) tripped!: boolean;
}

@ObjectType({ description: 'What a sync would do under a draft policy and/or on a later day; nothing was written or saved.' })
export class SyncPreview {
  @Field(() => SourceEnum) source!: string;
  @Field(() => LocalDateResolver) asOf!: string;
  @Field(() => SyncPolicy, { description: 'The draft as it would be saved (the current policy with the draft applied).' }) policy!: SyncPolicy;
  @Field(() => SyncPlanView, { description: 'The draft plan.' }) plan!: SyncPlanView;
  @Field(() => PreviewSafeguard) safeguard!: PreviewSafeguard;
  @Field(() => PlanDiff) diff!: PlanDiff;
}
