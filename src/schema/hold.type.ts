import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { SourceEnum } from './enums.js';

@ObjectType({
  description:
    "An admin's word that an employee's learner stays exactly as it is — no deactivation, update or team change — through `until`, whatever HR says meanwhile (a disputed termination, a leave). It lapses by itself the day after.",
})
export class Hold {
  @Field(() => ID, { description: 'The held employee (an Employee id).' }) employeeId!: string;
  @Field(() => SourceEnum) source!: string;
  @Field(() => String, { description: "The employee's id in the HR system." }) employeeSourceId!: string;
  @Field(() => LocalDateResolver, { description: 'The last day the hold is in force.' }) until!: string;
  @Field(() => String) reason!: string;
  @Field(() => String, { description: 'The API token that placed it.' }) heldBy!: string;
  @Field(() => DateTimeResolver) heldAt!: string;
}

@InputType()
export class HoldEmployeeInput {
  @Field(() => ID, { description: 'An Employee id (from `employees`).' }) employeeId!: string;
  @Field(() => LocalDateResolver, { description: 'The last day the hold is in force: today or later, at most two years ahead.' }) until!: string;
  @Field(() => String, { description: 'Why, for whoever looks next (1–500 characters).' }) reason!: string;
}
