import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { ROLES, type GatewayContext, type Role } from '../context.js';
import { BadUserInputError } from '../errors.js';

const RoleEnum = Object.fromEntries(ROLES.map((role) => [role, role])) as { [K in Role]: K };
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'VIEWER reads; OPERATOR also starts and cancels runs; ADMIN also changes policy, approves runs and manages tokens.',
});

@ObjectType({ description: 'A new API token. `token` is shown this once; only its hash is stored.' })
class IssuedToken {
  @Field(() => ID) id!: string;
  @Field(() => String) token!: string;
  @Field(() => RoleEnum) role!: Role;
}

@ObjectType({ description: 'An API token as an admin may see it: never the token itself.' })
class ApiToken {
  @Field(() => ID) id!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field(() => String) label!: string;
  @Field(() => String, { description: 'When it was issued (ISO 8601).' }) createdAt!: string;
}

@Resolver()
export class TokenResolver {
  @Authorized('ADMIN')
  @Query(() => [ApiToken], { description: "This tenant's API tokens, oldest first." })
  apiTokens(@Ctx() ctx: GatewayContext) {
    return ctx.tenant.store.tokens.list(ctx.principal.tenant);
  }

  @Authorized('ADMIN')
  @Mutation(() => IssuedToken, { description: 'Issue an API token for this tenant, e.g. an OPERATOR token for a script.' })
  async createApiToken(@Arg('role', () => RoleEnum) role: Role, @Arg('label', () => String) label: string, @Ctx() ctx: GatewayContext) {
    if (!label.trim()) throw new BadUserInputError('label must say what the token is for', { argument: 'label' });
    const { token, id } = await ctx.tenant.store.tokens.issue(ctx.principal.tenant, role, label.trim());
    return { id, token, role };
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, { description: 'Revoke a token by its id; true when it existed.' })
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.tenant.store.tokens.revoke(id, ctx.principal.tenant);
  }
}
