/**
 * The CLI's exit codes: the contract scripts branch on, so they never change meaning.
 *
 * | code | name              | when                                                                      |
 * |------|-------------------|---------------------------------------------------------------------------|
 * | 0    | DONE              | the command did what was asked; a followed or inspected run SUCCEEDED      |
 * |      |                   | (or is still under way, for `sync status`)                                 |
 * | 1    | ERROR             | the command failed: gateway unreachable, refused, bad input or config      |
 * | 2    | NOT_SUCCESSFUL    | the run ended PARTIAL, FAILED or CANCELLED                                 |
 * | 3    | AWAITING_APPROVAL | the run is held by the safeguard: `rostergate sync approve <runId>`        |
 *
 * Codes 2 and 3 come from `sync start`, `sync status` and `sync approve --wait`, which report a run.
 */
export const EXIT = {
  DONE: 0,
  ERROR: 1,
  NOT_SUCCESSFUL: 2,
  AWAITING_APPROVAL: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// Keyed by the schema's SyncRunStatus names: the CLI speaks the API, not the engine's types.
const BY_STATUS: Record<string, ExitCode> = {
  SUCCEEDED: EXIT.DONE,
  PARTIAL: EXIT.NOT_SUCCESSFUL,
  FAILED: EXIT.NOT_SUCCESSFUL,
  CANCELLED: EXIT.NOT_SUCCESSFUL,
  AWAITING_APPROVAL: EXIT.AWAITING_APPROVAL,
};

/** The exit code for a run in `status`; a run still under way is not a failure. */
export function exitCodeFor(status: string): ExitCode {
  return BY_STATUS[status] ?? EXIT.DONE;
}

/** Statuses a follower stops at: the run is over, or waits for a person. */
export function isResting(status: string): boolean {
  return status in BY_STATUS;
}
