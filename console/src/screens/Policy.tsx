/**
 * The source's policy: the blocklist, picked from the employment statuses its employees have; the
 * access flag and the HR field holding it, chosen from the fields able to; the safeguard; what the
 * draft would change before it is saved (previewSync); and the schedules.
 */
import { useEffect, useState } from 'react';
import type { ScreenProps } from '../App';
import type { Api } from '../api';
import { useAction, useApi, useLoad } from '../hooks';
import { Alert, Section } from '../ui';
import { FlagField } from '../policy/FlagField';
import { Schedules } from '../policy/Schedules';
import { PreviewDiff, previewSync, type SyncPreview } from '../preview/Preview';

interface Policy {
  blocklist: string[];
  accessFlag: { mode: string; fieldName: string };
  blockMissingStatus: boolean;
  prehireLeadDays: number;
  safeguard: { maxDeactivationPercent: number; maxDeactivations: number };
}

const POLICY = `query($source: Source!) { syncPolicy(source: $source) {
  blocklist accessFlag { mode fieldName } blockMissingStatus prehireLeadDays safeguard { maxDeactivationPercent maxDeactivations } } }`;

/** Every employment status the source's employees have today, read page by page. */
async function statusesFound(api: Api, source: string): Promise<string[]> {
  const found = new Set<string>();
  let after: string | null = null;
  do {
    const { employees }: { employees: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { employmentStatus: string | null }[] } } =
      await api.request(
        'query($source: Source, $after: String) { employees(first: 1000, after: $after, filter: { source: $source }) { pageInfo { hasNextPage endCursor } nodes { employmentStatus } } }',
        {
          source,
          after,
        },
      );
    for (const { employmentStatus } of employees.nodes) if (employmentStatus) found.add(employmentStatus);
    after = employees.pageInfo.hasNextPage ? employees.pageInfo.endCursor : null;
  } while (after);
  return [...found].sort((a, b) => a.localeCompare(b));
}

export function Policy({ source }: ScreenProps) {
  const api = useApi();
  const loaded = useLoad(
    async (client) => ({ ...(await client.request<{ syncPolicy: Policy }>(POLICY, { source })), statuses: await statusesFound(client, source) }),
    [source],
  );
  const [draft, setDraft] = useState<Policy>();
  const [saved, setSaved] = useState('');
  useEffect(() => setDraft(loaded.data?.syncPolicy), [loaded.data]);

  const [preview, setPreview] = useState<SyncPreview>();
  const what = useAction(async (policy: Policy) => setPreview(await previewSync(api, { source, policy })));
  const save = useAction(async ({ blocklist, ...fields }: Policy) => {
    setSaved('');
    await api.request('mutation($input: SetBlocklistInput!) { setBlocklist(input: $input) { source } }', { input: { source, statuses: blocklist } });
    await api.request('mutation($input: SyncPolicyInput!) { setSyncPolicy(input: $input) { source } }', { input: { source, ...fields } });
    setPreview(undefined);
    setSaved('Policy saved; the next run uses it.');
    loaded.reload();
  });

  if (!draft || !loaded.data) return <Section title="Policy">{loaded.error ? <Alert error={loaded.error} /> : <p>Loading…</p>}</Section>;
  const statuses = [...new Set([...loaded.data.statuses, ...draft.blocklist])];
  const block = (status: string, on: boolean) =>
    setDraft({ ...draft, blocklist: on ? [...draft.blocklist, status] : draft.blocklist.filter((s) => s !== status) });
  const number = (value: string) => (value === '' ? 0 : Number(value));

  return (
    <Section title="Policy">
      <form
        className="policy"
        onSubmit={(event) => {
          event.preventDefault();
          void save.run(draft);
        }}
      >
        <fieldset>
          <legend>Blocklist: employment statuses that are not provisioned</legend>
          <p className="hint">The statuses this source's employees have. Learners of blocklisted employees are deactivated by the next sync.</p>
          <div className="checks">
            {statuses.map((status) => (
              <label key={status}>
                <input type="checkbox" checked={draft.blocklist.includes(status)} onChange={(event) => block(status, event.target.checked)} /> {status}
              </label>
            ))}
          </div>
          <label>
            <input type="checkbox" checked={draft.blockMissingStatus} onChange={(event) => setDraft({ ...draft, blockMissingStatus: event.target.checked })} />{' '}
            Block employees with no employment status
          </label>
        </fieldset>
        <fieldset>
          <legend>Access flag</legend>
          <label>
            Who is provisioned{' '}
            <select value={draft.accessFlag.mode} onChange={(event) => setDraft({ ...draft, accessFlag: { ...draft.accessFlag, mode: event.target.value } })}>
              <option value="FIELD">only employees with the flag on</option>
              <option value="EVERYONE">everyone (the flag is ignored)</option>
            </select>
          </label>
          <FlagField
            source={source}
            value={draft.accessFlag.fieldName}
            onChange={(fieldName) => setDraft({ ...draft, accessFlag: { ...draft.accessFlag, fieldName } })}
          />
        </fieldset>
        <fieldset>
          <legend>Safeguard and pre-hires</legend>
          <label>
            Deactivations allowed without approval{' '}
            <input
              type="number"
              min={0}
              value={draft.safeguard.maxDeactivations}
              onChange={(event) => setDraft({ ...draft, safeguard: { ...draft.safeguard, maxDeactivations: number(event.target.value) } })}
            />
          </label>
          <label>
            …and at most this percent of active learners{' '}
            <input
              type="number"
              min={0}
              max={100}
              step="any"
              value={draft.safeguard.maxDeactivationPercent}
              onChange={(event) => setDraft({ ...draft, safeguard: { ...draft.safeguard, maxDeactivationPercent: number(event.target.value) } })}
            />
          </label>
          <label>
            Provision pre-hires this many days before they start{' '}
            <input
              type="number"
              min={0}
              value={draft.prehireLeadDays}
              onChange={(event) => setDraft({ ...draft, prehireLeadDays: number(event.target.value) })}
            />
          </label>
        </fieldset>
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.pending}>
            Save policy
          </button>
          <button type="button" disabled={what.pending} onClick={() => void what.run(draft)}>
            Preview changes
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(loaded.data?.syncPolicy);
              setPreview(undefined);
            }}
          >
            Discard changes
          </button>
        </div>
        <Alert error={save.error ?? what.error} />
        {preview && <PreviewDiff preview={preview} caption="What this policy would change, before it is saved" />}
        <p role="status">{saved}</p>
      </form>
      <Schedules source={source} />
    </Section>
  );
}
