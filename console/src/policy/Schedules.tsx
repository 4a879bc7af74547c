/** The source's schedules: each with its next fire time, switched on or off, removed, and a new one added. */
import { useState, type FormEvent } from 'react';
import { useAction, useApi, useLoad } from '../hooks';
import { Alert, when, Head, hidden } from '../ui';

interface Schedule {
  id: string;
  cron: string;
  timeZone: string;
  mode: string;
  enabled: boolean;
  nextFireAt: string | null;
}

const SET = 'mutation($input: SetScheduleInput!) { setSchedule(input: $input) { id } }';

export function Schedules({ source }: { source: string }) {
  const api = useApi();
  const schedules = useLoad(
    (client) =>
      client.request<{ schedules: Schedule[] }>('query($source: Source) { schedules(source: $source) { id cron timeZone mode enabled nextFireAt } }', {
        source,
      }),
    [source],
  );
  const [cron, setCron] = useState('0 3 * * *');
  const [timeZone, setTimeZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const change = useAction(async (mutation: string, variables: Record<string, unknown>) => {
    await api.request(mutation, variables);
    schedules.reload();
  });
  const add = (event: FormEvent) => {
    event.preventDefault();
    void change.run(SET, { input: { source, cron, timeZone } });
  };
  return (
    <section aria-labelledby="schedules-title">
      <h3 id="schedules-title">Schedules</h3>
      <Alert error={schedules.error ?? change.error} />
      <table>
        <Head columns={['When (cron)', 'Time zone', 'Reads', 'Next run', 'Enabled', hidden('Actions')]} />
        <tbody>
          {schedules.data?.schedules.map((schedule) => (
            <tr key={schedule.id}>
              <th scope="row">
                <code>{schedule.cron}</code>
              </th>
              <td>{schedule.timeZone}</td>
              <td>{schedule.mode.toLowerCase()}</td>
              <td>{when(schedule.nextFireAt)}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Schedule ${schedule.cron} enabled`}
                  checked={schedule.enabled}
                  onChange={(event) => void change.run(SET, { input: { id: schedule.id, source, enabled: event.target.checked } })}
                />
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove schedule ${schedule.cron}`}
                  onClick={() => void change.run('mutation($id: ID!) { removeSchedule(id: $id) }', { id: schedule.id })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="filters" onSubmit={add} aria-label="Add a schedule">
        <label>
          Cron <input required value={cron} onChange={(event) => setCron(event.target.value)} />
        </label>
        <label>
          Time zone <input required value={timeZone} onChange={(event) => setTimeZone(event.target.value)} />
        </label>
        <button type="submit" disabled={change.pending}>
          Add schedule
        </button>
      </form>
    </section>
  );
}
