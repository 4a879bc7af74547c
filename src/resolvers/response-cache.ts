/**
 * Whole answers of the read graph, reused. A query over employees, learners, teams and courses is
 * answered from an earlier identical one (same text, operation and variables) asked in the same
 * scope — the tenant, the caller's role, the read model's generation and the day — so a warm query
 * costs neither execution nor the walk over the roster.
 *
 * Why it is safe: every value those fields show comes from the read model, whose generation changes
 * whenever what it serves may have changed (a sync's or webhook's invalidation, here or on another
 * replica, and a background refresh that brought a new read); an answer computed under an older
 * generation is never looked up again. The day is in the scope because `employmentStatus` is worked
 * out for today. Only queries whose every field is in READ_FIELDS are cached, so a field added later
 * (which may read the store rather than the read model) is not cached until someone adds it here.
 * Mutations, subscriptions (served by graphql-ws, not Apollo), answers with errors — partial ones
 * included (`answerInPart` also marks them uncacheable) — are never cached. Entries live in Apollo
 * Server's own bounded in-memory cache, one per process, since generations are per process.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

const connection = ['edges', 'nodes', 'pageInfo', 'totalCount'];
const edge = ['cursor', 'node'];

/** Type → the fields answered from the read model alone. */
const READ_FIELDS: Record<string, ReadonlySet<string>> = Object.fromEntries(
  Object.entries({
    Query: ['employees', 'employee', 'learners', 'learner', 'teams', 'team', 'courses', 'course'],
    Employee: [
      ...['id', 'source', 'sourceId', 'employeeNumber', 'firstName', 'lastName', 'preferredName', 'displayName', 'workEmail', 'jobTitle'],
      ...['department', 'division', 'location', 'workPhone', 'mobilePhone', 'workAddress', 'employmentStatus', 'status', 'hireDate'],
      ...['terminationDate', 'accessEnabled', 'manager', 'directReports', 'learner', 'learnerMatchedBy'],
    ],
    Address: ['street1', 'street2', 'city', 'state', 'postalCode', 'country'],
    Learner: [
      ...['id', 'litmosId', 'userName', 'email', 'firstName', 'lastName', 'title', 'active', 'accessLevel', 'teams', 'courses'],
      ...['employee', 'employeeMatchedBy'],
    ],
    Team: ['id', 'litmosId', 'name', 'parent', 'subTeams', 'members', 'courses', 'leaders'],
    Course: ['id', 'litmosId', 'code', 'name', 'active', 'learners'],
    CourseProgress: ['completed', 'percentageComplete', 'assignedAt', 'completedAt', 'course', 'learner'],
    PageInfo: ['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'],
    ...Object.fromEntries(
      ['Employee', 'Learner', 'Team', 'Course', 'CourseProgress'].flatMap((type) => [
        [`${type}Connection`, connection],
        [`${type}Edge`, edge],
      ]),
    ),
  }).map(([type, fields]) => [type, new Set([...fields, '__typename'])]),
);

const readOnlyDocuments = new WeakMap<DocumentNode, boolean>();

/** True when every field the document selects is in READ_FIELDS; remembered per parsed document (Apollo reuses them). */
export function asksOnlyTheReadGraph(schema: GraphQLSchema, document: DocumentNode): boolean {
  let known = readOnlyDocuments.get(document);
  if (known === undefined) {
    known = true;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if (!READ_FIELDS[typeInfo.getParentType()?.name ?? '']?.has(node.name.value)) known = false;
        },
      }),
    );
    readOnlyDocuments.set(document, known);
  }
  return known;
}

export interface ReadResponseCacheOptions<TContext> {
  /**
   * Whose answer, as of which data: equal scopes get equal answers (see above for what it must hold).
   * A context that cannot say (it throws: a tenant not connected yet) is not cached; its resolvers tell why.
   */
  scope(context: TContext): Record<string, string>;
  /** Longest an answer is reused, s; 0 caches nothing. */
  maxAgeSeconds: number;
}

/** The plugins to hand Apollo Server: cache hints without HTTP headers (answers are per caller), and the response cache. */
export function readResponseCache<TContext extends BaseContext>(options: ReadResponseCacheOptions<TContext>): ApolloServerPlugin<TContext>[] {
  const scopeOf = ({ schema, document, contextValue }: GraphQLRequestContext<TContext>) => {
    if (options.maxAgeSeconds <= 0 || document === undefined || !asksOnlyTheReadGraph(schema, document)) return null;
    try {
      return options.scope(contextValue);
    } catch {
      return null;
    }
  };
  const cacheable = async (request: GraphQLRequestContext<TContext>) => scopeOf(request) !== null;
  return [
    // No Cache-Control header: a shared HTTP cache must never hand one tenant's answer to another.
    ApolloServerPluginCacheControl({ defaultMaxAge: options.maxAgeSeconds, calculateHttpHeaders: false }),
    responseCachePlugin<TContext>({
      extraCacheKeyData: async (request) => scopeOf(request),
      shouldReadFromCache: cacheable,
      shouldWriteToCache: cacheable,
    }),
  ];
}
