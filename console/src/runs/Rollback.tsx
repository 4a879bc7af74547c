/** Roll back: a new run that reverses what this one did and is still in effect, asked for twice so no stray click starts it. */
import { useState } from 'react';
import { useAction, useApi } from '../hooks';
import { Alert } from '../ui';

export function Rollback({ runId, onStarted }: { runId: string; onStarted: (rollbackRunId: string) => void }) {
  const api = useApi();
  const [asking, setAsking] = useState(false);
  const rollback = useAction(async () => {
    const { rollbackSyncRun } = await api.request<{ rollbackSyncRun: { runId: string } }>('mutation($id: ID!) { rollbackSyncRun(id: $id) { runId } }', {
      id: runId,
    });
    onStarted(rollbackSyncRun.runId);
  });
  if (!asking)
    return (
      <button type="button" onClick={() => setAsking(true)}>
        Roll back
      </button>
    );
  return (
    <div className="confirm" role="group" aria-label="Roll back this run?">
      <p>
        Roll back this run? A new run reactivates whom it deactivated, restores the fields it updated and deactivates (never deletes) the learners it created —
        except where Litmos has changed since. HR is not changed: the next sync redoes what HR still says.
      </p>
      <div className="buttons">
        <button type="button" className="primary" disabled={rollback.pending} onClick={() => void rollback.run()}>
          Start the roll back
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          Keep the run
        </button>
      </div>
      <Alert error={rollback.error} />
    </div>
  );
}
