import { BadUserInputError } from '../errors.js';

/** A page of a connection, in the shape GraphQL's `pageInfo` needs. */
export interface PageInfo {
  totalCount: number;
  hasNextPage: boolean;
  /** Cursor of the last item returned; null when the page is empty. */
  endCursor: string | null;
}

/** Opaque to clients; the kind prefix makes a run cursor useless as a record cursor and vice versa. */
export function encodeCursor(kind: string, payload: string): string {
  return Buffer.from(`${kind}:${payload}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(`${kind}:`)) throw invalidCursor(kind, cursor);
  return text.slice(kind.length + 1);
}

export function invalidCursor(kind: string, cursor: string): BadUserInputError {
  return new BadUserInputError(`'after' must be a ${kind} cursor returned by this API; received '${cursor}'`, {
    argument: 'after',
  });
}

export function assertPageSize(first: number): void {
  if (!Number.isSafeInteger(first) || first < 0) {
    throw new BadUserInputError(`'first' must be a non-negative integer; received ${first}`, { argument: 'first' });
  }
}
