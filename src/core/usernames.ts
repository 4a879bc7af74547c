/**
 * Usernames a plan moves between learners. A learner's username follows its employee's work email,
 * so one run can free a username (its learner is renamed away) and hand it to someone else (a
 * rename to it, or a create). Litmos refuses a username held by anyone (409), so a plan may only
 * give out what is free once its own renames have run, and apply must run those renames in an
 * order that frees each username before it is taken (`renameWaves`).
 *
 * All usernames here are identity keys (trimmed, lower case): Litmos compares them that way.
 */
import type { Learner } from '../model.js';
import { identityKey } from './fields.js';

/** A learner whose username the plan wants to change. */
export interface Rename {
  learnerId: string;
  from: string;
  to: string;
}

export interface UsernameBook {
  /**
   * Whether the learner may be renamed: its new username is free, or is freed by renames that can
   * themselves happen — a chain ending at a free username, or a cycle (a swap) apply breaks with a
   * temporary name. A username held by a learner that keeps it (a Litmos user no HR system knows,
   * say) can never be taken, so the rename is not planned.
   */
  canRename(learnerId: string): boolean;
  /** Takes a username for a new learner; false when it is held once the renames have run, or taken already. */
  claimForCreate(username: string): boolean;
}

export function bookUsernames(learners: readonly Learner[], renames: readonly Rename[]): UsernameBook {
  const holder = new Map<string, string>();
  for (const learner of learners) {
    const username = identityKey(learner.userName);
    if (username !== null) holder.set(username, learner.id);
  }
  const renameOf = new Map(renames.map((rename) => [rename.learnerId, rename]));
  const feasible = new Map<string, boolean>();

  const canRename = (learnerId: string): boolean => {
    const known = feasible.get(learnerId);
    if (known !== undefined) return known;
    // Follow who holds each target until a free username (yes), a holder that keeps its name (no),
    // or a learner already on the path (a cycle: yes).
    const path: string[] = [];
    let current: string | undefined = learnerId;
    let verdict = false;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- `current` is reassigned in the loop, which the rule's narrowing does not see
    while (current !== undefined) {
      const settled = feasible.get(current);
      if (settled !== undefined) {
        verdict = settled;
        break;
      }
      if (path.includes(current)) {
        verdict = true;
        break;
      }
      path.push(current);
      const rename = renameOf.get(current);
      if (rename === undefined) break; // a holder that keeps its username
      const next = holder.get(rename.to);
      if (next === undefined || next === current) {
        verdict = true;
        break;
      }
      current = next;
    }
    for (const id of path) if (renameOf.has(id)) feasible.set(id, verdict);
    return feasible.get(learnerId) ?? false;
  };

  const claimed = new Set<string>();
  const heldAfterRenames = (username: string): boolean => {
    const id = holder.get(username);
    if (id === undefined) return false;
    return !canRename(id);
  };
  const takenByRename = new Set(renames.filter((rename) => canRename(rename.learnerId)).map((rename) => rename.to));

  return {
    canRename,
    claimForCreate(username) {
      if (claimed.has(username) || takenByRename.has(username) || heldAfterRenames(username)) return false;
      claimed.add(username);
      return true;
    },
  };
}

/**
 * Where a learner waits while a swap of usernames goes round: its own, unique to it, and under the
 * reserved `.invalid` domain so it can never be anyone's address. Fixed per learner, so a resumed
 * run moves it to the same place.
 */
export function asideUsername(learnerId: string): string {
  return `${learnerId}.renaming@rostergate.invalid`;
}

/**
 * The order apply runs a plan's renames in: waves, each of which only takes usernames freed by the
 * waves before it, so every rename within a wave can run at once. A cycle (two employees who swap
 * addresses) cannot be ordered: one learner of each cycle is first moved `aside` to a temporary
 * username, which frees its own; it takes its new one in the cycle's last wave.
 */
export function renameWaves(renames: readonly Rename[]): { aside: Rename[]; waves: Rename[][] } {
  const byFrom = new Map(renames.map((rename) => [rename.from, rename]));
  const blockerOf = new Map<Rename, Rename>();
  for (const rename of renames) {
    const other = byFrom.get(rename.to);
    if (other !== undefined && other !== rename) blockerOf.set(rename, other);
  }
  const aside = breakCycles(renames, blockerOf);
  // Whoever waited for a learner moved aside waits no more: the aside step freed its username.
  for (const [rename, blocker] of blockerOf) if (aside.includes(blocker)) blockerOf.delete(rename);

  const depth = new Map<Rename, number>();
  for (const rename of renames) {
    const chain: Rename[] = [];
    for (let step: Rename | undefined = rename; step !== undefined && !depth.has(step); step = blockerOf.get(step)) chain.push(step);
    for (const step of chain.reverse()) {
      const blocker = blockerOf.get(step);
      depth.set(step, blocker === undefined ? 0 : (depth.get(blocker) ?? 0) + 1);
    }
  }
  const waves: Rename[][] = [];
  for (const rename of renames) (waves[depth.get(rename) ?? 0] ??= []).push(rename);
  return { aside, waves };
}

/** One member of each cycle of "waits for", the first the walk meets: moving it aside breaks the cycle. */
function breakCycles(renames: readonly Rename[], blockerOf: ReadonlyMap<Rename, Rename>): Rename[] {
  const done = new Set<Rename>();
  const aside: Rename[] = [];
  for (const rename of renames) {
    const path = new Set<Rename>();
    let step: Rename | undefined = rename;
    while (step !== undefined && !done.has(step) && !path.has(step)) {
      path.add(step);
      step = blockerOf.get(step);
    }
    if (step !== undefined && path.has(step)) aside.push(step);
    for (const visited of path) done.add(visited);
  }
  return aside;
}
