import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../context.js';
import { fromGlobalId, Node, type NodeType } from '../schema/node.js';

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by its global id.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext) {
    const { type, localId } = fromGlobalId(id);
    const load: Record<NodeType, () => Promise<object | null>> = {
      Employee: () => ctx.loaders.employee.load(localId),
      Learner: () => ctx.loaders.learner.load(localId),
      Team: () => ctx.loaders.team.load(localId),
      Course: () => ctx.loaders.course.load(localId),
      SyncRun: () => ctx.tenant.engine.get(localId),
    };
    const value = await load[type]();
    return value && { ...value, __typename: type };
  }
}
