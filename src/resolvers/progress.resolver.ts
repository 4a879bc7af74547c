import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import type { CourseProgress as ProgressRecord } from '../model.js';
import { Course } from '../schema/course.type.js';
import { CourseProgress, Learner } from '../schema/learner.type.js';

@Resolver(() => CourseProgress)
export class CourseProgressResolver {
  @FieldResolver(() => Course, { nullable: true })
  course(@Root() progress: ProgressRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.course.load(progress.courseId);
  }

  @FieldResolver(() => Learner, { nullable: true })
  learner(@Root() progress: ProgressRecord, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.learner.load(progress.learnerId);
  }
}
