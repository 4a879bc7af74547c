/** A plan as its difference from Litmos today: how many of each kind, then each action with its field changes. */
import { Badge, Head } from '../ui';

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface PlannedAction {
  id: string;
  kind: string;
  employeeSourceId: string | null;
  learnerId: string | null;
  teamName: string | null;
  reason: string | null;
  changes: FieldChange[];
}

export interface Plan {
  complete: boolean;
  incompleteReason: string | null;
  summary: { kind: string; count: number }[];
  actions: PlannedAction[];
  skipped: number;
  unchanged: number;
}

export const PLAN_FIELDS = `complete incompleteReason summary { kind count } skipped unchanged
  actions { id kind employeeSourceId learnerId teamName reason changes { field before after } }`;

/** More rows than a reader can take in: the rest is in the run's records and its CSV report. */
const SHOWN = 200;

export function Changes({ changes }: { changes: readonly FieldChange[] }) {
  if (changes.length === 0) return null;
  return (
    <ul className="changes">
      {changes.map((change) => (
        <li key={change.field}>
          <span className="field">{change.field}</span> <del>{change.before ?? '∅'}</del> → <ins>{change.after ?? '∅'}</ins>
        </li>
      ))}
    </ul>
  );
}

/** `names`: the employees' names by HR id, where the caller has them (a run's records). */
export function PlanDiff({ plan, caption, names }: { plan: Plan; caption: string; names?: ReadonlyMap<string, string> }) {
  return (
    <div className="plan">
      {!plan.complete && <p className="alert">Incomplete read — this plan deactivates nobody: {plan.incompleteReason}</p>}
      <ul className="summary" aria-label={`${caption}: summary`}>
        {plan.summary
          .filter(({ count }) => count > 0)
          .map(({ kind, count }) => (
            <li key={kind}>
              <Badge value={kind} /> {count}
            </li>
          ))}
        <li>unchanged {plan.unchanged}</li>
        <li>skipped {plan.skipped}</li>
      </ul>
      <table>
        <caption>{caption}</caption>
        <Head columns={['Action', 'Employee', 'Why', 'Changes']} />
        <tbody>
          {plan.actions.slice(0, SHOWN).map((action) => (
            <tr key={action.id}>
              <td>
                <Badge value={action.kind} />
              </td>
              <td>
                {action.employeeSourceId ? (names?.get(action.employeeSourceId) ?? action.employeeSourceId) : (action.teamName ?? action.learnerId ?? '—')}
              </td>
              <td>{action.reason ?? ''}</td>
              <td>
                <Changes changes={action.changes} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.actions.length > SHOWN && <p>…and {plan.actions.length - SHOWN} more actions (all of them are in the run's records and its CSV report).</p>}
    </div>
  );
}
