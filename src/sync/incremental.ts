/**
 * What a run reads, decided as it starts fetching (issue 13, incremental runs):
 *
 * - a scoped run (import, webhook) reads its named employees; it neither needs nor moves the checkpoint;
 * - a FULL run reads everyone and, when its source has a change feed, takes a checkpoint first (the
 *   vendor's clock less a skew allowance, `HrChangeFeed.mark`), so whatever changes while it reads is
 *   in the next incremental run;
 * - an INCREMENTAL run reads the source's change feed from the stored checkpoint and then only those
 *   employees — unless core/checkpoint.ts's `chooseMode` says it must run FULL (no checkpoint yet, no
 *   SUCCEEDED FULL run within the policy's `fullRunEveryDays`), which the run shows as its `mode` and
 *   `modeReason`.
 *
 * The checkpoint a run would leave travels in its draft and is stored only once the run SUCCEEDED
 * (engine.ts), never by a dry run: a run that fails leaves the next one to read the same changes.
 * Deactivations in an incremental run rest on what that run read for the employee (a terminated
 * status, the flag turned off): an id the feed names but HR no longer returns (deleted) is reported
 * as not found and deactivates nobody, and nobody the feed does not name is looked at, so absence
 * from a feed is never evidence of anything.
 */
import type { SyncCheckpoint } from '../core/checkpoint.js';
import { chooseMode } from '../core/checkpoint.js';
import type { Policy } from '../core/policy.js';
import type { SyncRun } from '../core/run.js';
import type { SyncMode } from '../core/schedule.js';
import type { HrClient } from '../datasources/hr.js';
import type { Learner } from '../model.js';
import type { SyncSettingsPort } from './ports.js';
import type { ReadTarget } from './read.js';

export interface ReadDecision {
  target: ReadTarget;
  /** The mode the run reads in (null for a scoped run), and why it is not the one asked for. */
  mode: SyncMode | null;
  modeReason: string | null;
  /** Only these employees produce actions (scoped and incremental runs). */
  scope: string[] | null;
  /** Active learners the safeguard is a share of when the read does not list them all (the last full read's). */
  activeLearners: number | undefined;
  /** The checkpoint to store if the run succeeds, given the active learners its read found; null: none. */
  checkpointAfter: ((learners: readonly Learner[]) => SyncCheckpoint) | null;
}

export async function decideRead(options: {
  run: SyncRun;
  hr: HrClient;
  settings: Pick<SyncSettingsPort, 'checkpoint'>;
  tenant: string;
  policy: Policy;
  now: Date;
}): Promise<ReadDecision> {
  const { run, hr, policy, now } = options;
  const stored = await options.settings.checkpoint(options.tenant, run.source);
  if (run.scope) {
    return { target: { sourceIds: run.scope }, mode: null, modeReason: null, scope: run.scope, activeLearners: stored?.activeLearners, checkpointAfter: null };
  }
  const feed = hr.changes;
  const { mode, reason } = chooseMode({
    requested: run.mode ?? 'FULL',
    checkpoint: stored,
    fullRunEveryDays: policy.fullRunEveryDays,
    now,
    hasFeed: feed !== undefined,
  });
  const keep = !run.dryRun;
  if (mode === 'FULL' || feed === undefined || stored === null) {
    const since = feed ? await feed.mark() : null;
    const checkpointAfter =
      keep && since !== null
        ? (learners: readonly Learner[]) => ({ since, lastFullAt: now.toISOString(), activeLearners: learners.filter((learner) => learner.active).length })
        : null;
    return { target: { everyone: true }, mode: 'FULL', modeReason: reason, scope: null, activeLearners: undefined, checkpointAfter };
  }
  const changes = await feed.read(stored.since);
  return {
    target: { changed: changes.employees, notFound: changes.notFound },
    mode: 'INCREMENTAL',
    modeReason: null,
    scope: [...changes.employees.map((employee) => employee.sourceId), ...changes.notFound],
    activeLearners: stored.activeLearners,
    checkpointAfter: keep ? () => ({ ...stored, since: changes.next }) : null,
  };
}
