import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { Team as TeamRecord } from '../model.js';
import { Connection, PageArgs, paginate } from '../schema/connection.js';
import { Course } from '../schema/course.type.js';
import { Learner } from '../schema/learner.type.js';
import { toGlobalId } from '../schema/node.js';
import { Team } from '../schema/team.type.js';
import { LearnerConnection } from './learner.resolver.js';
import { localIdOf } from './ids.js';
import { contains } from './search.js';

@ArgsType()
class TeamsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Matches the team name.' })
  search?: string;
}

@ObjectType()
export class TeamConnection extends Connection(Team) {}

@Resolver(() => Team)
export class TeamResolver {
  @Authorized()
  @Query(() => TeamConnection)
  async teams(@Args(() => TeamsArgs) args: TeamsArgs, @Ctx() ctx: GatewayContext) {
    const teams = await ctx.tenant.readModel.teams();
    return paginate(
      teams.filter((team) => contains(args.search, [team.name])),
      args,
    );
  }

  @Authorized()
  @Query(() => Team, { nullable: true })
  team(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.team.load(localIdOf('Team', id));
  }

  @FieldResolver(() => ID)
  id(@Root() team: TeamRecord) {
    return toGlobalId('Team', team.id);
  }

  @FieldResolver(() => String)
  litmosId(@Root() team: TeamRecord) {
    return team.id;
  }

  @FieldResolver(() => Team, { nullable: true })
  parent(@Root() team: TeamRecord, @Ctx() ctx: GatewayContext) {
    return team.parentId ? ctx.loaders.team.load(team.parentId) : null;
  }

  @FieldResolver(() => [Team])
  async subTeams(@Root() team: TeamRecord, @Ctx() ctx: GatewayContext) {
    return (await ctx.tenant.readModel.teams()).filter((candidate) => candidate.parentId === team.id);
  }

  @FieldResolver(() => LearnerConnection)
  async members(@Root() team: TeamRecord, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: GatewayContext) {
    return paginate(await ctx.loaders.teamMembers.load(team.id), page);
  }

  @FieldResolver(() => [Course], { description: 'Courses assigned to the team.' })
  courses(@Root() team: TeamRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.teamCourses.load(team.id);
  }

  @FieldResolver(() => [Learner])
  leaders(@Root() team: TeamRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.teamLeaders.load(team.id);
  }
}
