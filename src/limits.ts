/**
 * Operation limits: what a caller may ask in one GraphQL document, checked before anything executes,
 * the same on HTTP and on graphql-ws. Without them one VIEWER's fan-out query
 * (`learners(first:1000){nodes{teams{members(first:1000){…}}}}`) runs the heap out.
 *
 * The size checks are graphql-armor's rules (depth, aliases, directives) and graphql-js's own token
 * limit at parse time, which is what stops a 60,000-alias document before validation's quadratic
 * rules see it. The cost is graphql-query-complexity with an estimator that knows this schema's
 * shapes: a connection costs its `first` times what each node asks for, a plain list a fixed guess,
 * an object one, a scalar nothing — so the cost tracks the objects an answer can hold.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isLeafType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { OperationLimitError, type OperationLimitCode } from './errors.js';

export interface OperationLimits {
  /** Deepest field nesting. @default 12 */
  maxDepth: number;
  /** Aliases in one document. @default 30 */
  maxAliases: number;
  /** Directives in one document. @default 20 */
  maxDirectives: number;
  /** Lexical tokens in one document; checked while parsing. @default 5000 */
  maxTokens: number;
  /** Estimated objects an answer may hold (see `operationCost`). @default 200_000 */
  maxCost: number;
}

/**
 * Every query in the README, the tests and the benchmarks passes these: the benchmarks' nested
 * query for 1,000 employees (manager, learner, teams, courses) costs about 35,000, every course's
 * learners in pages of 1,000 about 100,000 — an answer of some 10 MB. The fan-out that took the
 * gateway down (learners → teams → members, 1,000 a page) costs over 10,000,000.
 */
export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 5000, maxCost: 200_000 };

/** What a connection's `first` is when the caller leaves it out: the schema's documented default. */
const DEFAULT_PAGE = 50;
/** Items assumed in a plain list field (a learner's teams, a team's leaders): none of them pages. */
const LIST_SIZE = 10;

/** A GraphQL error carrying the limit error, so every transport formats it the same way. */
function limitError(code: OperationLimitCode, message: string, details: Record<string, unknown>): GraphQLError {
  const original = new OperationLimitError(code, message, details);
  // `http.status` tells Apollo the refusal is the caller's (400), also when it is raised after validation.
  return new GraphQLError(message, { extensions: { code, ...details, http: { status: 400 } }, originalError: original });
}

/** graphql-armor's rules, reporting through the validation context (a throw would abort validation). */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  const report =
    (code: OperationLimitCode, limit: number) =>
    (context: ValidationContext | null, error: GraphQLError): void =>
      context?.reportError(limitError(code, error.message.replace(/^Syntax Error: /, ''), { limit }));
  const common = { exposeLimits: true, propagateOnRejection: false };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth, onReject: [report('QUERY_TOO_DEEP', limits.maxDepth)] }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [report('TOO_MANY_ALIASES', limits.maxAliases)] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [report('TOO_MANY_DIRECTIVES', limits.maxDirectives)] }),
  ] as ValidationRule[];
}

function estimate({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return 0;
  // `nodes` and `edges` are one item of the page its connection field multiplies.
  if (type.name.endsWith('Connection')) return 1 + childComplexity;
  if (named.name.endsWith('Connection')) {
    const first = typeof args.first === 'number' && args.first > 0 ? args.first : DEFAULT_PAGE;
    return 1 + first * childComplexity;
  }
  return isListType(getNullableType(field.type)) ? 1 + LIST_SIZE * (1 + childComplexity) : 1 + childComplexity;
}

export interface Operation {
  document: DocumentNode;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

/** The estimated number of objects the operation's answer can hold. */
export function operationCost(schema: GraphQLSchema, operation: Operation): number {
  return getComplexity({
    schema,
    query: operation.document,
    variables: operation.variables ?? {},
    ...(operation.operationName && { operationName: operation.operationName }),
    estimators: [estimate],
  });
}

/** Throws QUERY_TOO_COMPLEX, with the cost and the limit, for an operation over `maxCost`. */
export function assertAffordable(schema: GraphQLSchema, operation: Operation, limits: OperationLimits): number {
  const cost = operationCost(schema, operation);
  if (cost > limits.maxCost) {
    throw limitError(
      'QUERY_TOO_COMPLEX',
      `the operation's estimated cost ${cost} is over the limit of ${limits.maxCost}; ask for smaller pages or fewer nested lists`,
      {
        cost,
        limit: limits.maxCost,
      },
    );
  }
  return cost;
}

/** graphql-js's message for a document over `maxTokens`, recognised so it gets its own code. */
export function isTokenLimitError(error: unknown): boolean {
  return error instanceof GraphQLError && /Document contains more that? \d+ tokens/.test(error.message);
}

export function tokenLimitError(limits: OperationLimits): GraphQLError {
  return limitError('QUERY_TOO_LARGE', `the document has more than ${limits.maxTokens} tokens`, { limit: limits.maxTokens });
}
