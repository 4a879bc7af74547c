/**
 * What if: previewSync's answer — who a sync would treat otherwise under a draft policy and/or on a
 * later day than under the current policy today — by what would happen to them, with why. Nothing
 * is written or saved to get it.
 */
import type { Api } from '../api';
import { Badge, Head } from '../ui';
import { Changes, type FieldChange } from '../runs/PlanDiff';

interface PreviewEntry {
  employeeSourceId: string;
  name: string;
  before: string;
  after: string;
  reasons: { code: string; message: string }[];
  changes: FieldChange[];
  teamsJoined: string[];
  teamsLeft: string[];
}

type Groups = 'created' | 'deactivated' | 'moved' | 'updated';

export interface SyncPreview {
  asOf: string;
  safeguard: { deactivations: number; threshold: number; activeLearners: number; tripped: boolean };
  diff: Record<Groups, PreviewEntry[]>;
}

const ENTRY = 'employeeSourceId name before after reasons { code message } changes { field before after } teamsJoined teamsLeft';

const QUERY = `query($input: PreviewSyncInput!) { previewSync(input: $input) {
  asOf safeguard { deactivations threshold activeLearners tripped }
  diff { created { ${ENTRY} } deactivated { ${ENTRY} } moved { ${ENTRY} } updated { ${ENTRY} } } } }`;

/** The draft's policy fields (the current value for those left out) and the day, for one source. */
export interface PreviewInput {
  source: string;
  policy?: object;
  asOf?: string;
}

export const previewSync = async (api: Api, input: PreviewInput): Promise<SyncPreview> =>
  (await api.request<{ previewSync: SyncPreview }>(QUERY, { input })).previewSync;

const GROUPS: readonly { key: Groups; title: string }[] = [
  { key: 'created', title: 'Would get a learner' },
  { key: 'deactivated', title: 'Would be deactivated' },
  { key: 'moved', title: 'Would change teams' },
  { key: 'updated', title: 'Would have fields updated' },
];

export function PreviewDiff({ preview, caption }: { preview: SyncPreview; caption: string }) {
  const { safeguard } = preview;
  const groups = GROUPS.filter(({ key }) => preview.diff[key].length > 0);
  return (
    <div className="preview" role="region" aria-label={caption}>
      <h3>{caption}</h3>
      {safeguard.tripped && (
        <p className="alert">
          A run with this plan would wait for approval: {safeguard.deactivations} deactivations of {safeguard.activeLearners} active learners, over the
          safeguard's {safeguard.threshold}.
        </p>
      )}
      {groups.length === 0 && <p>No one would be treated otherwise than a sync would today.</p>}
      {groups.map(({ key, title }) => (
        <table key={key}>
          <caption>
            {title} ({preview.diff[key].length})
          </caption>
          <Head columns={['Employee', 'Today → then', 'Why', 'Changes']} />
          <tbody>
            {preview.diff[key].map((entry) => (
              <tr key={entry.employeeSourceId}>
                <th scope="row">{entry.name}</th>
                <td>
                  <Badge value={entry.before} /> → <Badge value={entry.after} />
                </td>
                <td>
                  {entry.reasons.map((reason) => (
                    <div key={reason.code}>
                      <code>{reason.code}</code> {reason.message}
                    </div>
                  ))}
                </td>
                <td>
                  <Changes changes={entry.changes} />
                  {entry.teamsJoined.length > 0 && <div>joins {entry.teamsJoined.join(', ')}</div>}
                  {entry.teamsLeft.length > 0 && <div>leaves {entry.teamsLeft.join(', ')}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
