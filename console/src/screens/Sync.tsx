/**
 * "Sync now", "Dry run" and "Preview as of…", and the run they started (or the one named in the URL, or the source's
 * latest) followed live; a run stopped by the safeguard shows its plan with Approve / Cancel.
 */
import { useState } from 'react';
import type { ScreenProps } from '../App';
import { useAction, useApi, useLoad } from '../hooks';
import { Alert, Section, when } from '../ui';
import { Approval } from '../runs/Approval';
import { PlanDiff } from '../runs/PlanDiff';
import { namesOf, RUN_WITH_PLAN, type Run, type RunWithPlan } from '../runs/run';
import { RunProgress, useProgress } from '../runs/RunProgress';
import { PreviewAsOf } from '../preview/PreviewAsOf';

export function SyncScreen({ source, detail, navigate }: ScreenProps) {
  const api = useApi();
  const [mode, setMode] = useState('FULL');
  const latest = useLoad(
    async (client) =>
      detail ??
      (
        await client.request<{ syncRuns: { nodes: { runId: string }[] } }>(
          'query($source: Source) { syncRuns(first: 1, source: $source) { nodes { runId } } }',
          { source },
        )
      ).syncRuns.nodes[0]?.runId,
    [detail, source],
  );
  const start = useAction(async (dryRun: boolean) => {
    const { startSync } = await api.request<{ startSync: { runId: string } }>('mutation($input: StartSyncInput!) { startSync(input: $input) { runId } }', {
      input: { source, dryRun, mode },
    });
    navigate(`sync/${startSync.runId}`);
  });
  const runId = latest.data;
  return (
    <Section title="Sync">
      <div className="toolbar">
        <button type="button" className="primary" disabled={start.pending} onClick={() => void start.run(false)}>
          Sync now
        </button>
        <button type="button" disabled={start.pending} onClick={() => void start.run(true)}>
          Dry run
        </button>
        <label>
          Read{' '}
          <select value={mode} onChange={(event) => setMode(event.target.value)}>
            <option value="FULL">everyone (full)</option>
            <option value="INCREMENTAL">only what changed (incremental)</option>
          </select>
        </label>
      </div>
      <Alert error={start.error ?? latest.error} />
      <PreviewAsOf source={source} />
      {runId ? <WatchedRun key={runId} runId={runId} /> : !latest.loading && <p>No run of this source yet.</p>}
    </Section>
  );
}

const title = (run: Run) =>
  run.rollbackOf ? `Roll back of run ${run.rollbackOf.runId.slice(0, 8)}` : `${run.dryRun ? 'Dry run' : 'Run'} of ${run.source} · ${run.trigger.toLowerCase()}`;

function WatchedRun({ runId }: { runId: string }) {
  const run = useLoad((client) => client.request<{ syncRun: RunWithPlan | null }>(RUN_WITH_PLAN, { id: runId }), [runId]);
  // Each new status reads the run again: its plan once planned, its final counts once done.
  const { progress, error } = useProgress(runId, run.reload);
  const view = run.data?.syncRun;
  return (
    <div className="run">
      <h3>
        {view ? `${title(view)} · started ${when(view.createdAt)}` : 'Run'} <a href={`#runs/${runId}`}>records</a>
      </h3>
      <Alert error={error ?? run.error} />
      {view?.error && <p className="alert">{view.error}</p>}
      {progress ? <RunProgress progress={progress} /> : <p>Connecting to the run's progress…</p>}
      {view?.status === 'AWAITING_APPROVAL' && <Approval run={view} onDecided={run.reload} />}
      {view?.dryRun && view.plan && <PlanDiff plan={view.plan} caption="What this dry run would do" names={namesOf(view)} />}
    </div>
  );
}
