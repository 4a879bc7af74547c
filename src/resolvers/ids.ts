import { BadUserInputError } from '../errors.js';
import { fromGlobalId, type NodeType } from '../schema/node.js';

/** The local id inside a global id, insisting on its type: a Team id passed as a Learner id is a client bug worth naming. */
export function localIdOf(type: NodeType, id: string): string {
  const decoded = fromGlobalId(id);
  if (decoded.type !== type) throw new BadUserInputError(`${id} is a ${decoded.type} id, not a ${type} id`, { id });
  return decoded.localId;
}
