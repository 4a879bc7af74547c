import { EmailAddressResolver, LocalDateResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Address } from './address.type.js';
import { EmployeeStatusEnum, SourceEnum } from './enums.js';
import { Node } from './node.js';

@ObjectType({ implements: Node, description: 'A person in an HR system (BambooHR or Namely), in the unified shape.' })
export class Employee extends Node {
  @Field(() => ID)
  declare id: string;
  @Field(() => SourceEnum)
  source!: SourceEnum;
  @Field(() => String, { description: "The HR system's own id." })
  sourceId!: string;
  @Field(() => String, { nullable: true })
  employeeNumber!: string | null;
  @Field(() => String)
  firstName!: string;
  @Field(() => String)
  lastName!: string;
  @Field(() => String, { nullable: true })
  preferredName!: string | null;
  @Field(() => String)
  displayName!: string;
  @Field(() => EmailAddressResolver, { nullable: true })
  workEmail!: string | null;
  @Field(() => String, { nullable: true })
  jobTitle!: string | null;
  @Field(() => String, { nullable: true })
  department!: string | null;
  @Field(() => String, { nullable: true })
  division!: string | null;
  @Field(() => String, { nullable: true })
  location!: string | null;
  @Field(() => String, { nullable: true })
  workPhone!: string | null;
  @Field(() => String, { nullable: true })
  mobilePhone!: string | null;
  @Field(() => Address, { nullable: true })
  workAddress!: Address | null;
  @Field(() => String, { nullable: true, description: 'Employment status as of today; rows dated in the future do not count yet.' })
  employmentStatus!: string | null;
  @Field(() => EmployeeStatusEnum)
  status!: EmployeeStatusEnum;
  @Field(() => LocalDateResolver, { nullable: true })
  hireDate!: string | null;
  @Field(() => LocalDateResolver, { nullable: true })
  terminationDate!: string | null;
  @Field(() => Boolean, { description: 'The access flag: BambooHR "Litmos Access", Namely "Litmos Activated".' })
  accessEnabled!: boolean;
}
