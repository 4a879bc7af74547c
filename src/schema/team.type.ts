import { Field, ID, ObjectType } from 'type-graphql';
import { Node } from './node.js';

@ObjectType({ implements: Node, description: 'A Litmos team; rostergate keeps one per HR department.' })
export class Team extends Node {
  @Field(() => ID)
  declare id: string;
  @Field(() => String)
  litmosId!: string;
  @Field(() => String)
  name!: string;
}
