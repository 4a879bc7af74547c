/** "Preview as of…": what a sync on a later day would do otherwise than today, under the current policy. */
import { useState, type FormEvent } from 'react';
import { useAction, useApi } from '../hooks';
import { Alert } from '../ui';
import { PreviewDiff, previewSync, type SyncPreview } from './Preview';

export function PreviewAsOf({ source }: { source: string }) {
  const api = useApi();
  const [asOf, setAsOf] = useState('');
  const [preview, setPreview] = useState<SyncPreview>();
  const load = useAction(async () => setPreview(await previewSync(api, { source, asOf })));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void load.run();
  };
  return (
    <>
      <form className="toolbar" onSubmit={submit} aria-label="Preview as of a day">
        <label>
          Preview as of <input type="date" required value={asOf} onChange={(event) => setAsOf(event.target.value)} />
        </label>
        <button type="submit" disabled={load.pending}>
          Preview
        </button>
      </form>
      <Alert error={load.error} />
      {preview && <PreviewDiff preview={preview} caption={`What a sync on ${preview.asOf} would do otherwise than one today`} />}
    </>
  );
}
