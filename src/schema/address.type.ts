import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A postal address as the HR system records it.' })
export class Address {
  @Field(() => String, { nullable: true })
  street1!: string | null;
  @Field(() => String, { nullable: true })
  street2!: string | null;
  @Field(() => String, { nullable: true })
  city!: string | null;
  @Field(() => String, { nullable: true })
  state!: string | null;
  @Field(() => String, { nullable: true })
  postalCode!: string | null;
  @Field(() => String, { nullable: true })
  country!: string | null;
}
