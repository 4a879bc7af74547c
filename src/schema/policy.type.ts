import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { SourceEnum } from './enums.js';

@ObjectType('AccessFlagPolicy')
@InputType('AccessFlagPolicyInput')
export class AccessFlagPolicyShape {
  @Field(() => String, { description: 'FIELD: only employees with the flag on are provisioned; EVERYONE: the flag is ignored.' })
  mode!: 'FIELD' | 'EVERYONE';
  @Field(() => String, { description: 'The HR field holding the flag, by its name ("Litmos Access", "Litmos Activated").' })
  fieldName!: string;
}

@ObjectType('FieldMapping')
@InputType('FieldMappingInput')
export class FieldMappingShape {
  @Field(() => String, { description: 'Unified employee field, e.g. workEmail or workAddress.city.' })
  employee!: string;
  @Field(() => String, { description: 'Litmos learner field, e.g. userName.' })
  learner!: string;
}

@ObjectType('TeamPolicy')
@InputType('TeamPolicyInput')
export class TeamPolicyShape {
  @Field(() => Boolean) fromDepartment!: boolean;
  @Field(() => Boolean) divisionAsParent!: boolean;
  @Field(() => Boolean) managerAsLeader!: boolean;
}

@ObjectType('SafeguardPolicy')
@InputType('SafeguardPolicyInput')
export class SafeguardPolicyShape {
  @Field(() => Float, { description: 'Percent of active learners a run may deactivate without approval.' })
  maxDeactivationPercent!: number;
  @Field(() => Int, { description: 'Learners a run may deactivate without approval.' })
  maxDeactivations!: number;
}

@ObjectType({ description: 'How a source is reconciled into Litmos.' })
export class SyncPolicy {
  @Field(() => SourceEnum) source!: string;
  @Field(() => AccessFlagPolicyShape) accessFlag!: AccessFlagPolicyShape;
  @Field(() => [String], { description: 'Employment statuses that are not provisioned (and whose learners are deactivated).' })
  blocklist!: string[];
  @Field(() => Boolean) blockMissingStatus!: boolean;
  @Field(() => Int) prehireLeadDays!: number;
  @Field(() => [FieldMappingShape]) fieldMap!: FieldMappingShape[];
  @Field(() => [String]) protectedFields!: string[];
  @Field(() => TeamPolicyShape) teams!: TeamPolicyShape;
  @Field(() => SafeguardPolicyShape) safeguard!: SafeguardPolicyShape;
  @Field(() => Int, { description: 'An INCREMENTAL run of a source with no successful FULL run in this many days runs FULL (1–365).' })
  fullRunEveryDays!: number;
}

/** The policy's settings, each optional: a change to a policy (`setSyncPolicy`) or a draft of one (`previewSync`). */
@InputType()
export class PolicyFieldsInput {
  @Field(() => AccessFlagPolicyShape, { nullable: true }) accessFlag?: AccessFlagPolicyShape;
  @Field(() => Boolean, { nullable: true }) blockMissingStatus?: boolean;
  @Field(() => Int, { nullable: true }) prehireLeadDays?: number;
  @Field(() => [FieldMappingShape], { nullable: true }) fieldMap?: FieldMappingShape[];
  @Field(() => [String], { nullable: true }) protectedFields?: string[];
  @Field(() => TeamPolicyShape, { nullable: true }) teams?: TeamPolicyShape;
  @Field(() => SafeguardPolicyShape, { nullable: true }) safeguard?: SafeguardPolicyShape;
  @Field(() => Int, { nullable: true }) fullRunEveryDays?: number;
}

@InputType({ description: 'Fields left out keep their current value.' })
export class SyncPolicyInput extends PolicyFieldsInput {
  @Field(() => SourceEnum) source!: string;
}
