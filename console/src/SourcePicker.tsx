/** The HR system the screens act on, chosen among those the tenant has connected. */
import { useEffect } from 'react';
import type { Source } from './App';
import { useLoad } from './hooks';

const NAMES: Readonly<Record<Source, string>> = { BAMBOOHR: 'BambooHR', NAMELY: 'Namely' };
const isSource = (system: string): system is Source => Object.hasOwn(NAMES, system);

export function SourcePicker({ source, onChange }: { source: Source; onChange: (source: Source) => void }) {
  const connections = useLoad((api) => api.request<{ connections: { system: string }[] }>('{ connections { system } }'), []);
  const sources = connections.data?.connections.map((connection) => connection.system).filter(isSource) ?? [source];
  const first = sources[0];
  // A tenant with Namely alone has nothing to show for BambooHR, the default.
  useEffect(() => {
    if (first && !sources.includes(source)) onChange(first);
  });
  return (
    <label className="source">
      Source{' '}
      <select value={source} onChange={(event) => isSource(event.target.value) && onChange(event.target.value)}>
        {sources.map((name) => (
          <option key={name} value={name}>
            {NAMES[name]}
          </option>
        ))}
      </select>
    </label>
  );
}
