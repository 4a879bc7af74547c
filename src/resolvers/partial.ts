/**
 * Answers in part. A field that merges HR sources (`employees`) answers from the sources that
 * answered and names each one that failed in an error at the field's path, beside the data — one
 * source's outage must not blank the others, and a caller must not take "fewer employees" for "no
 * more employees" without being told.
 *
 * A GraphQL resolver cannot return a value and an error for the same field: a thrown error makes the
 * field null. So the resolver records the failure here, against the request's context, and
 * `partialAnswersPlugin` adds it to the response's `errors` (formatted like every other error, with
 * `extensions.source` naming the source) just before Apollo sends it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, responsePathAsArray, type GraphQLFormattedError, type GraphQLResolveInfo } from 'graphql';
import type { SourceFailure } from '../datasources/read-model.js';
import { formatError } from '../errors-graphql.js';
import type { Source } from '../model.js';

interface PartFailure {
  source: Source;
  error: GraphQLError;
}

/** What Apollo's cache-control plugin adds to `info` (typed in @apollo/cache-control-types, which we do not depend on). */
interface CacheControlInfo {
  cacheControl?: { setCacheHint(hint: { maxAge: number }): void };
}

/** Per request (keyed by its context object), so concurrent requests never see each other's failures. */
const failuresByRequest = new WeakMap<object, PartFailure[]>();

/**
 * Records each failed source as an error at this field's path. When every source asked for failed
 * there is no part to answer, so the first failure fails the field as any resolver error would (the
 * others are still recorded).
 */
export function answerInPart(context: object, info: GraphQLResolveInfo, asked: number, failures: readonly SourceFailure[]): void {
  if (failures.length === 0) return;
  // An answer in part is never reused (resolvers/response-cache.ts): the source may be back next time.
  (info as CacheControlInfo).cacheControl?.setCacheHint({ maxAge: 0 });
  const path = responsePathAsArray(info.path);
  const parts = failures.map(({ source, error }) => ({
    source,
    error: new GraphQLError(error.message, { nodes: info.fieldNodes, path, originalError: error }),
  }));
  const recorded = failuresByRequest.get(context) ?? [];
  failuresByRequest.set(context, recorded);
  if (failures.length < asked) {
    recorded.push(...parts);
    return;
  }
  const [first, ...others] = parts;
  recorded.push(...others);
  if (first) throw first.error.originalError ?? first.error;
}

function formatPart({ source, error }: PartFailure): GraphQLFormattedError {
  const formatted = formatError(error.toJSON(), error);
  return { ...formatted, extensions: { ...formatted.extensions, source } };
}

/** Adds the failures `answerInPart` recorded to the response. Register it with Apollo Server. */
export function partialAnswersPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ contextValue, response }) => {
        const parts = failuresByRequest.get(contextValue);
        if (!parts?.length || response.body.kind !== 'single') return;
        const { singleResult } = response.body;
        response.body.singleResult = { ...singleResult, errors: [...(singleResult.errors ?? []), ...parts.map(formatPart)] };
      },
    }),
  };
}
