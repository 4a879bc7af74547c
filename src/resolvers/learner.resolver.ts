import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, InputType, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { Learner as LearnerRecord } from '../model.js';
import { Connection, PageArgs, paginate } from '../schema/connection.js';
import { Employee } from '../schema/employee.type.js';
import { MatchedByEnum } from '../schema/enums.js';
import { CourseProgress, Learner } from '../schema/learner.type.js';
import { toGlobalId } from '../schema/node.js';
import { Team } from '../schema/team.type.js';
import { localIdOf } from './ids.js';
import { contains } from './search.js';

@InputType()
export class LearnerFilter {
  @Field(() => Boolean, { nullable: true })
  active?: boolean;
  @Field(() => ID, { nullable: true, description: 'Only members of this team.' })
  team?: string;
  @Field(() => String, { nullable: true, description: 'Matches username, names and email.' })
  search?: string;
}

@ArgsType()
class LearnersArgs extends PageArgs {
  @Field(() => LearnerFilter, { nullable: true })
  filter?: LearnerFilter;
}

@ObjectType()
export class LearnerConnection extends Connection(Learner) {}

@Resolver(() => Learner)
export class LearnerResolver {
  @Authorized()
  @Query(() => LearnerConnection, { description: 'Litmos users, including those no HR system knows.' })
  async learners(@Args(() => LearnersArgs) args: LearnersArgs, @Ctx() ctx: GatewayContext) {
    const filter = args.filter ?? {};
    let learners = await ctx.tenant.readModel.learners();
    if (filter.team) {
      const members = new Set(await ctx.tenant.readModel.teamMembers(localIdOf('Team', filter.team)));
      learners = learners.filter((learner) => members.has(learner.id));
    }
    return paginate(
      learners.filter(
        (learner) =>
          (filter.active == null || learner.active === filter.active) &&
          contains(filter.search, [learner.userName, learner.firstName, learner.lastName, learner.email]),
      ),
      args,
    );
  }

  @Authorized()
  @Query(() => Learner, { nullable: true })
  learner(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.learner.load(localIdOf('Learner', id));
  }

  @FieldResolver(() => ID)
  id(@Root() learner: LearnerRecord) {
    return toGlobalId('Learner', learner.id);
  }

  @FieldResolver(() => String)
  litmosId(@Root() learner: LearnerRecord) {
    return learner.id;
  }

  @FieldResolver(() => [Team])
  teams(@Root() learner: LearnerRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.learnerTeams.load(learner.id);
  }

  @FieldResolver(() => [CourseProgress])
  courses(@Root() learner: LearnerRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.learnerCourses.load(learner.id);
  }

  @FieldResolver(() => Employee, { nullable: true, description: 'The HR employee this learner belongs to, if any.' })
  async employee(@Root() learner: LearnerRecord, @Ctx() ctx: GatewayContext) {
    return (await ctx.loaders.employeeOfLearner.load(learner.id))?.employee ?? null;
  }

  @FieldResolver(() => MatchedByEnum, { nullable: true })
  async employeeMatchedBy(@Root() learner: LearnerRecord, @Ctx() ctx: GatewayContext) {
    return (await ctx.loaders.employeeOfLearner.load(learner.id))?.matchedBy ?? null;
  }
}
