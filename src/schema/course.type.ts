import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from './node.js';

@ObjectType({ implements: Node, description: 'A Litmos course.' })
export class Course extends Node {
  @Field(() => ID)
  declare id: string;
  @Field(() => String)
  litmosId!: string;
  @Field(() => String, { nullable: true })
  code!: string | null;
  @Field(() => String)
  name!: string;
  @Field(() => Boolean)
  active!: boolean;
}
