/** A run followed live through the syncProgress subscription: phase, a progress bar, counts, the rate budget and ETA. */
import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { useApi } from '../hooks';
import { Badge, CountList, type Counts } from '../ui';

export interface Progress {
  sequence: number;
  status: string;
  phase: string;
  done: number;
  total: number;
  counts: Counts;
  budgetRemaining: number;
  budgetLimit: number;
  etaMs: number | null;
  message: string | null;
}

export const FINAL = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

const SUBSCRIPTION = `subscription($runId: ID!) { syncProgress(runId: $runId) {
  sequence status phase done total budgetRemaining budgetLimit etaMs message
  counts { created linked updated deactivated reactivated unchanged skipped failed } } }`;

function eta(ms: number | null): string {
  if (ms === null) return '';
  const seconds = Math.ceil(ms / 1000);
  return seconds < 90 ? `about ${seconds} s left` : `about ${Math.ceil(seconds / 60)} min left`;
}

/** The latest event of the run, or undefined before the first; `onStatus` hears each new status. */
export function useProgress(runId: string, onStatus: (status: string) => void): { progress: Progress | undefined; error: ApiError | undefined } {
  const api = useApi();
  const [progress, setProgress] = useState<Progress>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    setProgress(undefined);
    let status = '';
    return api.subscribe<{ syncProgress: Progress }>(
      SUBSCRIPTION,
      { runId },
      {
        next: ({ syncProgress }) => {
          setProgress(syncProgress);
          if (syncProgress.status !== status) onStatus((status = syncProgress.status));
        },
        error: setError,
        complete: () => undefined,
      },
    );
    // onStatus is the caller's reload, a new function every render: only the run resubscribes.
  }, [api, runId]);
  return { progress, error };
}

export function RunProgress({ progress }: { progress: Progress }) {
  const ended = FINAL.includes(progress.status);
  // Before the plan exists there is no total: the bar is indeterminate. A run held for approval has
  // applied nothing; a finished run's bar is full.
  const max = Math.max(progress.total, 1);
  const value = ended ? max : progress.status === 'AWAITING_APPROVAL' ? 0 : progress.total > 0 ? progress.done : undefined;
  return (
    <div className="progress">
      <p>
        {/* Announced when the status or phase changes, not at every action applied. */}
        <span role="status">
          <Badge value={progress.status} /> phase <strong>{progress.phase.toLowerCase().replace(/_/g, ' ')}</strong>
        </span>
        {progress.total > 0 && ` · ${progress.done} of ${progress.total} actions`}
        {!ended && progress.etaMs !== null && ` · ${eta(progress.etaMs)}`}
      </p>
      <progress aria-label="Run progress" max={max} value={value} />
      <p className="budget">
        Litmos budget: {progress.budgetRemaining} of {progress.budgetLimit} requests left in this window
        {progress.message && ` · ${progress.message}`}
      </p>
      <CountList counts={progress.counts} />
    </div>
  );
}
