/**
 * What a query asks below a list of employees, read from its selection before any of it resolves, so
 * the reads those fields need can start beside the roster's instead of after it: a round trip of
 * waiting saved for the learners, and another for the team and course lists their teams and courses
 * hang from.
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ReadModel } from '../datasources/read-model.js';

type Part = Parameters<ReadModel['prefetch']>[0][number];

/** The selections of the object fields named `name` directly in `set`, looking through fragments. */
function fields(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, name: string): SelectionSetNode[] {
  return (set?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name && selection.selectionSet ? [selection.selectionSet] : [];
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
    return fields(info, inner, name);
  });
}

/** For an employee connection's field: learners if `learner { … }` is asked of its nodes, and teams and courses if asked of those. */
export function learnerPartsAsked(info: GraphQLResolveInfo): Part[] {
  const roots = info.fieldNodes.map((node) => node.selectionSet);
  const employees = roots.flatMap((set) => [...fields(info, set, 'nodes'), ...fields(info, set, 'edges').flatMap((edges) => fields(info, edges, 'node'))]);
  const learners = employees.flatMap((set) => fields(info, set, 'learner'));
  if (learners.length === 0) return [];
  return ['learners', ...(['teams', 'courses'] as const).filter((part) => learners.some((set) => fields(info, set, part).length > 0))];
}
