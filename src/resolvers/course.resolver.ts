import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { Course as CourseRecord } from '../model.js';
import { Connection, PageArgs, paginate } from '../schema/connection.js';
import { Course } from '../schema/course.type.js';
import { CourseProgress } from '../schema/learner.type.js';
import { toGlobalId } from '../schema/node.js';
import { localIdOf } from './ids.js';
import { contains } from './search.js';

@ArgsType()
class CoursesArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true })
  active?: boolean;
  @Field(() => String, { nullable: true, description: 'Matches the course name and code.' })
  search?: string;
}

@ObjectType()
export class CourseConnection extends Connection(Course) {}

@ObjectType()
export class CourseProgressConnection extends Connection(CourseProgress) {}

@Resolver(() => Course)
export class CourseResolver {
  @Authorized()
  @Query(() => CourseConnection)
  async courses(@Args(() => CoursesArgs) args: CoursesArgs, @Ctx() ctx: GatewayContext) {
    const courses = await ctx.tenant.readModel.courses();
    return paginate(
      courses.filter((course) => (args.active == null || course.active === args.active) && contains(args.search, [course.name, course.code])),
      args,
    );
  }

  @Authorized()
  @Query(() => Course, { nullable: true })
  course(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.course.load(localIdOf('Course', id));
  }

  @FieldResolver(() => ID)
  id(@Root() course: CourseRecord) {
    return toGlobalId('Course', course.id);
  }

  @FieldResolver(() => String)
  litmosId(@Root() course: CourseRecord) {
    return course.id;
  }

  @FieldResolver(() => CourseProgressConnection, { description: "The course's learners with their progress." })
  async learners(@Root() course: CourseRecord, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: GatewayContext) {
    return paginate(await ctx.loaders.courseResults.load(course.id), page);
  }
}
