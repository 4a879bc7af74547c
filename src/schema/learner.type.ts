import { DateTimeResolver, EmailAddressResolver } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Node } from './node.js';

@ObjectType({ implements: Node, description: 'A Litmos user.' })
export class Learner extends Node {
  @Field(() => ID)
  declare id: string;
  @Field(() => String, { description: "Litmos's own user id." })
  litmosId!: string;
  @Field(() => String)
  userName!: string;
  @Field(() => EmailAddressResolver, { nullable: true })
  email!: string | null;
  @Field(() => String)
  firstName!: string;
  @Field(() => String)
  lastName!: string;
  @Field(() => String, {
    nullable: true,
    description: "Litmos's user list omits it: this is what rostergate last wrote (null for learners it never wrote).",
  })
  title!: string | null;
  @Field(() => Boolean)
  active!: boolean;
  @Field(() => String, { description: 'Learner, Team_Leader, Administrator or Account_Owner.' })
  accessLevel!: string;
}

@ObjectType({ description: "A learner's standing in one course." })
export class CourseProgress {
  @Field(() => Boolean)
  completed!: boolean;
  @Field(() => Float, { description: '0 to 100.' })
  percentageComplete!: number;
  @Field(() => DateTimeResolver, { nullable: true })
  assignedAt!: string | null;
  @Field(() => DateTimeResolver, { nullable: true })
  completedAt!: string | null;
}
