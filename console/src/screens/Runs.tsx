/** Run history of the source; a run's records filtered by outcome, its CSV report, and approval when it waits for one. */
import { useState } from 'react';
import type { ScreenProps } from '../App';
import { useAction, useApi, useLoad } from '../hooks';
import { Alert, Badge, CountList, Section, when, Head } from '../ui';
import { Approval } from '../runs/Approval';
import { Rollback } from '../runs/Rollback';
import { FINAL } from '../runs/RunProgress';
import { Changes, type FieldChange } from '../runs/PlanDiff';
import { RUN_FIELDS, RUN_WITH_PLAN, type Run, type RunWithPlan } from '../runs/run';

const OUTCOMES = ['CREATED', 'LINKED', 'UPDATED', 'REACTIVATED', 'DEACTIVATED', 'UNCHANGED', 'SKIPPED', 'FAILED'];

interface SyncRecord {
  employeeSourceId: string;
  name: string;
  email: string | null;
  outcome: string;
  reason: string | null;
  changes: FieldChange[];
  error: string | null;
}

export function Runs({ source, detail, navigate }: ScreenProps) {
  const runs = useLoad(
    (client) =>
      client.request<{ syncRuns: { nodes: Run[] } }>(`query($source: Source) { syncRuns(first: 25, source: $source) { nodes { ${RUN_FIELDS} } } }`, { source }),
    [source],
  );
  return (
    <Section title="Runs">
      <Alert error={runs.error} />
      <table>
        <Head columns={['Started', 'Trigger', 'Status', 'Created', 'Updated', 'Deactivated', 'Failed']} />
        <tbody>
          {runs.data?.syncRuns.nodes.map((run) => (
            <tr key={run.runId} aria-current={run.runId === detail ? 'true' : undefined}>
              <th scope="row">
                <a href={`#runs/${run.runId}`}>{when(run.createdAt)}</a>
              </th>
              <td>
                {run.rollbackOf ? 'roll back' : run.trigger.toLowerCase()}
                {run.dryRun && ' (dry run)'}
              </td>
              <td>
                <Badge value={run.status} />
              </td>
              <td>{run.counts.created}</td>
              <td>{run.counts.updated}</td>
              <td>{run.counts.deactivated}</td>
              <td>{run.counts.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail && <RunDetail key={detail} runId={detail} onChanged={runs.reload} navigate={navigate} />}
    </Section>
  );
}

function RunDetail({ runId, onChanged, navigate }: { runId: string; onChanged: () => void; navigate: (hash: string) => void }) {
  const api = useApi();
  const run = useLoad((client) => client.request<{ syncRun: RunWithPlan | null }>(RUN_WITH_PLAN, { id: runId }), [runId]);
  const [outcome, setOutcome] = useState('');
  const records = useLoad(
    (client) =>
      client.request<{ syncRun: { records: { totalCount: number; nodes: SyncRecord[] } } | null }>(
        'query($id: ID!, $outcome: SyncOutcome) { syncRun(id: $id) { records(first: 500, outcome: $outcome) { totalCount nodes { employeeSourceId name email outcome reason error changes { field before after } } } } }',
        { id: runId, outcome: outcome || null },
      ),
    [runId, outcome],
  );
  const download = useAction(async (path: string) => {
    const { blob, filename } = await api.download(path);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  const view = run.data?.syncRun;
  if (run.error) return <Alert error={run.error} />;
  if (!view) return null;
  const decided = () => {
    run.reload();
    onChanged();
  };
  const shown = records.data?.syncRun?.records;
  return (
    <section className="run" aria-labelledby="run-title">
      <div className="section-head">
        <h3 id="run-title">
          {view.rollbackOf ? 'Roll back' : 'Run'} {view.runId.slice(0, 8)} · <Badge value={view.status} /> ·{' '}
          {view.mode?.toLowerCase() ?? view.trigger.toLowerCase()}
          {view.dryRun && ' dry run'} · {when(view.createdAt)}
        </h3>
        <div className="buttons">
          <a href={`#sync/${view.runId}`}>Follow live</a>
          <button type="button" disabled={download.pending} onClick={() => void download.run(view.reportPath)}>
            Download CSV
          </button>
          {!view.dryRun && FINAL.includes(view.status) && !view.rollbackOf && <Rollback runId={view.runId} onStarted={(id) => navigate(`sync/${id}`)} />}
        </div>
      </div>
      <Alert error={download.error} />
      {view.error && <p className="alert">{view.error}</p>}
      <CountList counts={view.counts} />
      {view.status === 'AWAITING_APPROVAL' && <Approval run={view} onDecided={decided} />}
      <div className="toolbar">
        <label>
          Outcome{' '}
          <select value={outcome} onChange={(event) => setOutcome(event.target.value)}>
            <option value="">all</option>
            {OUTCOMES.map((name) => (
              <option key={name} value={name}>
                {name.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <span role="status">
          {shown && `${shown.totalCount} records${shown.totalCount > shown.nodes.length ? `, the first ${shown.nodes.length} shown` : ''}`}
        </span>
      </div>
      <Alert error={records.error} />
      <table>
        <caption>Records of this run</caption>
        <Head columns={['Employee', 'Outcome', 'Why', 'Changes']} />
        <tbody>
          {shown?.nodes.map((record) => (
            <tr key={record.employeeSourceId}>
              <th scope="row">
                {record.name} <small>{record.email}</small>
              </th>
              <td>
                <Badge value={record.outcome} />
              </td>
              <td>{record.error ?? record.reason ?? ''}</td>
              <td>
                <Changes changes={record.changes} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
