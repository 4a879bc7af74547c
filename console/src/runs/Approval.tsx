/** A run the safeguard stopped: why, its plan as a diff, and Approve (ADMIN) or Cancel. */
import { useApi, useAction } from '../hooks';
import { Alert } from '../ui';
import { PlanDiff } from './PlanDiff';
import { namesOf, type RunWithPlan } from './run';

export function Approval({ run, onDecided }: { run: RunWithPlan; onDecided: () => void }) {
  const api = useApi();
  const decide = useAction(async (mutation: 'approveSyncRun' | 'cancelSyncRun') => {
    await api.request(`mutation($id: ID!) { ${mutation}(id: $id) { runId status } }`, { id: run.runId });
    onDecided();
  });
  return (
    <div className="approval" role="region" aria-label="Awaiting approval">
      <h3>Awaiting approval</h3>
      {run.safeguard && (
        <p>
          This run would deactivate {run.safeguard.deactivations} of {run.safeguard.activeLearners} active learners; the safeguard allows{' '}
          {run.safeguard.threshold} without approval.
        </p>
      )}
      <div className="buttons">
        <button type="button" className="primary" disabled={decide.pending} onClick={() => void decide.run('approveSyncRun')}>
          Approve
        </button>
        <button type="button" disabled={decide.pending} onClick={() => void decide.run('cancelSyncRun')}>
          Cancel run
        </button>
      </div>
      <Alert error={decide.error} />
      {run.plan && <PlanDiff plan={run.plan} caption="The plan awaiting approval" names={namesOf(run)} />}
    </div>
  );
}
