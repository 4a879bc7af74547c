/**
 * The executable schema, built from the type-graphql classes. `npm run schema` prints it to
 * `schema.graphql`, and a test fails when the committed file is stale.
 */
import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type PubSub } from 'type-graphql';
import type { GatewayContext, Role } from '../context.js';
import { ForbiddenError } from '../errors.js';
import { CourseResolver } from '../resolvers/course.resolver.js';
import { EmployeeResolver } from '../resolvers/employee.resolver.js';
import { LearnerResolver } from '../resolvers/learner.resolver.js';
import { NodeResolver } from '../resolvers/node.resolver.js';
import { CourseProgressResolver } from '../resolvers/progress.resolver.js';
import { TeamResolver } from '../resolvers/team.resolver.js';
import { TokenResolver } from '../resolvers/token.resolver.js';
import { NotificationResolver } from '../resolvers/notification.resolver.js';
import { ScheduleResolver } from '../resolvers/schedule.resolver.js';
import { ConnectionResolver } from '../resolvers/connection.resolver.js';
import { HoldResolver } from '../resolvers/hold.resolver.js';
import { PROVISIONING_RESOLVERS } from '../resolvers/provisioning.resolver.js';
import { PreviewResolver } from '../resolvers/preview.resolver.js';
import { SYNC_RESOLVERS } from '../resolvers/sync/index.js';

/** `@Authorized()` = any valid token; `@Authorized('OPERATOR')` = operators and admins; `@Authorized('ADMIN')` = admins. */
const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 };

const authChecker: AuthChecker<GatewayContext, Role> = ({ context }, roles) => {
  const needed = Math.max(0, ...roles.map((role) => RANK[role]));
  if (RANK[context.principal.role] >= needed) return true;
  throw new ForbiddenError(`this needs the ${roles.join(' or ')} role; the token has ${context.principal.role}`);
};

/**
 * Every subscription here brings its own `subscribe` (progress comes from the tenant's bus, current
 * state first), but type-graphql insists on a PubSub for any subscription: it gets one that says why
 * topic-based publishing is not wired.
 */
const NO_TOPICS: PubSub = {
  publish: () => {
    throw new Error('rostergate subscriptions define their own subscribe; there are no pubSub topics');
  },
  subscribe: () => {
    throw new Error('rostergate subscriptions define their own subscribe; there are no pubSub topics');
  },
};

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      EmployeeResolver,
      LearnerResolver,
      TeamResolver,
      CourseResolver,
      CourseProgressResolver,
      NodeResolver,
      TokenResolver,
      NotificationResolver,
      ScheduleResolver,
      ConnectionResolver,
      HoldResolver,
      ...PROVISIONING_RESOLVERS,
      PreviewResolver,
      ...SYNC_RESOLVERS,
    ],
    authChecker,
    validate: false,
    pubSub: NO_TOPICS,
  });
}

export async function printGatewaySchema(): Promise<string> {
  return `${printSchema(await buildGatewaySchema())}\n`;
}
