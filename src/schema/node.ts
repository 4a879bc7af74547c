/**
 * Global ids: opaque to clients, but stable and self-describing for the gateway, so `node(id)` can
 * route any id to its type without a lookup table.
 */
import { Field, ID, InterfaceType } from 'type-graphql';
import { BadUserInputError } from '../errors.js';

export const NODE_TYPES = ['Employee', 'Learner', 'Team', 'Course', 'SyncRun'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export function toGlobalId(type: NodeType, localId: string): string {
  return Buffer.from(`${type}:${localId}`, 'utf8').toString('base64url');
}

export function fromGlobalId(id: string): { type: NodeType; localId: string } {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator);
  if (separator < 0 || !(NODE_TYPES as readonly string[]).includes(type)) {
    throw new BadUserInputError(`"${id}" is not a rostergate id; expected an id returned by this API`, { id });
  }
  return { type: type as NodeType, localId: decoded.slice(separator + 1) };
}

/** Values resolved through `node(id)` carry their type name so the interface can be resolved. */
export interface Typed {
  __typename: NodeType;
}

@InterfaceType('Node', {
  description: 'An object with a global id, fetchable with `node(id)`.',
  resolveType: (value: Typed) => value.__typename,
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
