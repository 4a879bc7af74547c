/**
 * Relay-style connections over an in-memory list. Upstream reads are bulk (one report, pages of
 * 1000), so a page of a connection is a slice of a list the gateway already holds; cursors are offsets.
 */
import { Field, Int, ObjectType, ArgsType, type ClassType } from 'type-graphql';
import { BadUserInputError } from '../errors.js';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;
  @Field(() => Boolean)
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true })
  startCursor!: string | null;
  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 1000. @default 50' })
  first?: number;
  @Field(() => String, { nullable: true, description: 'Return items after this cursor.' })
  after?: string;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

export function Connection<T extends object>(node: ClassType<T>): ClassType<ConnectionShape<T>> {
  @ObjectType(`${node.name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;
    @Field(() => node)
    node!: T;
  }

  // Not referenced by any field, so type-graphql never emits it: only the named subclasses appear.
  @ObjectType(`${node.name}ConnectionBase`)
  abstract class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];
    @Field(() => [node])
    nodes!: T[];
    @Field(() => PageInfo)
    pageInfo!: PageInfo;
    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionType as unknown as ClassType<ConnectionShape<T>>;
}

const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');

function offsetOf(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError(`"${cursor}" is not a cursor from this connection`, { argument: 'after' });
  return Number(match[1]);
}

export function paginate<T>(items: readonly T[], args: PageArgs): ConnectionShape<T> {
  const first = args.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > 1000) {
    throw new BadUserInputError(`first must be from 1 to 1000; received ${first}`, { argument: 'first' });
  }
  const start = args.after ? offsetOf(args.after) + 1 : 0;
  const page = items.slice(start, start + first);
  const edges = page.map((node, i) => ({ cursor: cursorOf(start + i), node }));
  return {
    edges,
    nodes: page,
    totalCount: items.length,
    pageInfo: {
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
