import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { SyncMode } from '../core/schedule.js';
import { BadUserInputError } from '../errors.js';
import type { Source } from '../model.js';
import { SourceEnum, SyncModeEnum } from '../schema/enums.js';
import type { ScheduleView } from '../sync/scheduling.js';

@ObjectType({
  description: "When a source is synced without anyone asking: a cron expression in a time zone. A tick while the source's run is active joins it.",
})
class SyncSchedule {
  @Field(() => ID) id!: string;
  @Field(() => SourceEnum) source!: Source;
  @Field(() => String, { description: 'Five fields (minute first), or six with seconds first.' }) cron!: string;
  @Field(() => String, { description: 'The IANA time zone the cron expression is read in.' }) timeZone!: string;
  @Field(() => SyncModeEnum) mode!: SyncMode;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => DateTimeResolver, { nullable: true, description: 'When it fires next; null while disabled.' }) nextFireAt!: Date | null;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver) updatedAt!: string;
}

@InputType({ description: 'A new schedule (without `id`), or changes to one (fields left out keep their value).' })
class SetScheduleInput {
  @Field(() => ID, { nullable: true, description: 'The schedule to change; without it, a schedule is added.' }) id?: string;
  @Field(() => SourceEnum) source!: Source;
  @Field(() => String, { nullable: true, description: 'A new schedule\'s default: "0 3 * * *" (03:00 daily).' }) cron?: string;
  @Field(() => String, { nullable: true, description: 'A new schedule\'s default: "America/Los_Angeles".' }) timeZone?: string;
  @Field(() => SyncModeEnum, { nullable: true, description: "A new schedule's default: FULL." }) mode?: SyncMode;
  @Field(() => Boolean, { nullable: true, description: "A new schedule's default: true." }) enabled?: boolean;
}

@Resolver()
export class ScheduleResolver {
  @Authorized('VIEWER')
  @Query(() => [SyncSchedule], { description: "This tenant's sync schedules, oldest first, of one source or all." })
  schedules(@Arg('source', () => SourceEnum, { nullable: true }) source: Source | undefined, @Ctx() ctx: GatewayContext): Promise<ScheduleView[]> {
    return ctx.scheduling.list(ctx.principal.tenant, source ?? undefined);
  }

  @Authorized('ADMIN')
  @Mutation(() => SyncSchedule, {
    description: 'Add a schedule, or change one by its id. Survives restarts; in distributed mode each tick fires once, in some worker.',
  })
  setSchedule(@Arg('input', () => SetScheduleInput) input: SetScheduleInput, @Ctx() ctx: GatewayContext): Promise<ScheduleView> {
    if (!ctx.tenant.sources.includes(input.source)) {
      throw new BadUserInputError(`${input.source} is not connected for this tenant`, { field: 'source', source: input.source });
    }
    // GraphQL's null for an optional field means "left out" here, as it does for every other input.
    const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
    return ctx.scheduling.set(ctx.principal.tenant, { ...given, source: input.source });
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, { description: 'Remove a schedule by its id; true when it existed.' })
  removeSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<boolean> {
    return ctx.scheduling.remove(ctx.principal.tenant, id);
  }
}
