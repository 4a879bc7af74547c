/**
 * The one place an error becomes a GraphQL error: a `RostergateError`'s `code` is the
 * `extensions.code`, its details ride along, and anything unexpected is reported as INTERNAL without
 * its message (which could hold an upstream URL or a stack) leaking to the caller.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isRostergateError, type RostergateError } from './errors.js';

const HTTP_STATUS: Partial<Record<RostergateError['code'], number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

/** For errors raised outside resolvers (context creation), where Apollo expects a GraphQLError. */
export function toGraphQLError(error: RostergateError): GraphQLError {
  const status = HTTP_STATUS[error.code];
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.details, ...(status && { http: { status } }) },
    originalError: error,
  });
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isRostergateError(original)) {
    return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  // Unexpected: keep the path, hide the message, log on the server side.
  console.error('internal error', original);
  return { message: 'Internal error', ...(formatted.path && { path: formatted.path }), extensions: { code: 'INTERNAL' } };
}
