/**
 * The one place an error becomes a GraphQL error: a `RostergateError`'s `code` is the
 * `extensions.code`, its details ride along, and anything unexpected is reported as INTERNAL without
 * its message (which could hold an upstream URL or a stack) leaking to the caller. No answer carries
 * a stack trace or a file path, whatever NODE_ENV says.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isRostergateError, type ErrorCode, type RostergateError } from './errors.js';
import { isTokenLimitError } from './limits.js';

/** The HTTP status of an error answered outside GraphQL's 200 (plain routes, refused requests); 500 otherwise. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_LARGE: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_DIRECTIVES: 400,
};

export function httpStatusFor(code: unknown): number {
  return (typeof code === 'string' ? HTTP_STATUS[code as ErrorCode] : undefined) ?? 500;
}

/** Statuses GraphQL answers carry too: a refused token is a 401 however it is transported. */
const GRAPHQL_HTTP_STATUS = new Set<ErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE']);

/** For errors raised outside resolvers (context creation), where Apollo expects a GraphQLError. */
export function toGraphQLError(error: RostergateError): GraphQLError {
  const status = GRAPHQL_HTTP_STATUS.has(error.code) ? httpStatusFor(error.code) : undefined;
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.details, ...(status && { http: { status } }) },
    originalError: error,
  });
}

/** The first `RostergateError` down the `originalError` chain (Apollo wraps validation and resolver errors). */
function rostergateErrorIn(error: unknown): RostergateError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    if (isRostergateError(current)) return current;
    current = current instanceof GraphQLError ? current.originalError : undefined;
  }
  return undefined;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const location = { ...(formatted.locations && { locations: formatted.locations }), ...(formatted.path && { path: formatted.path }) };
  const known = rostergateErrorIn(error);
  if (known) return { message: known.message, ...location, extensions: { ...known.details, code: known.code } };
  if (isTokenLimitError(error) || isTokenLimitError((error as { originalError?: unknown } | null)?.originalError)) {
    return { message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: 'QUERY_TOO_LARGE' } };
  }
  // A variable a scalar refused ('Variable "$input" got invalid value "2025-02-30" at "input.until"; Value is not
  // a valid LocalDate') is the caller's input, not ours; graphql-js keeps the scalar's error as the cause.
  if (error instanceof GraphQLError && !error.path && error.originalError instanceof GraphQLError && error.message.startsWith('Variable "$')) {
    return { message: formatted.message, ...location, extensions: { code: 'BAD_USER_INPUT' } };
  }
  // graphql-js's own document errors (parse, validation) carry no code; Apollo adds one, graphql-ws does not.
  const documentError = error instanceof GraphQLError && !error.path && !error.originalError;
  const code = formatted.extensions?.code ?? (documentError ? 'GRAPHQL_VALIDATION_FAILED' : undefined);
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // A GraphQL-level error (parse, validation, bad variables): its message is about the caller's
    // document. Field suggestions ("Did you mean …?") would map the schema for someone without a token.
    return { message: formatted.message.replace(/ Did you mean .*\?$/, ''), ...location, extensions: { code } };
  }
  // Unexpected: keep the path, hide the message; the server's observer logs the cause.
  return { message: 'Internal error', ...(formatted.path && { path: formatted.path }), extensions: { code: 'INTERNAL' } };
}
