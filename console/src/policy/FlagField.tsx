/**
 * The HR field holding the access flag, chosen from the source's fields able to hold it as its HR
 * system has them now (`accessFlagFields`: the same ones the gateway offers when it refuses a name),
 * so an admin picks a field that exists instead of typing one that may not.
 */
import { useLoad } from '../hooks';
import { Alert } from '../ui';

const FIELDS = 'query($source: Source!) { accessFlagFields(source: $source) }';

/** The gateway matches the name as HR admins retype it: ignoring case and surrounding blanks. */
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function FlagField({ source, value, onChange }: { source: string; value: string; onChange: (fieldName: string) => void }) {
  const fields = useLoad((client) => client.request<{ accessFlagFields: string[] }>(FIELDS, { source }), [source]);
  const names = fields.data?.accessFlagFields ?? [];
  const chosen = names.find((name) => same(name, value)) ?? value;
  // The saved name stays shown while HR has no such field (deleted, or the list not read yet), so the
  // form says what the next run will look for; the gateway refuses it if saved again.
  const missing = !names.includes(chosen);
  return (
    <>
      <label>
        HR field holding the flag{' '}
        <select value={chosen} aria-busy={fields.loading} onChange={(event) => onChange(event.target.value)}>
          {missing && <option value={chosen}>{fields.data ? `${chosen} (not in ${source} now)` : chosen}</option>}
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <Alert error={fields.error} />
    </>
  );
}
