/** The tenant's connections to BambooHR, Namely and Litmos, their health, and a test of each. */
import { useState } from 'react';
import { useAction, useApi, useLoad } from '../hooks';
import { Alert, Badge, Section, when, Head, hidden } from '../ui';

interface Connection {
  system: string;
  baseUrl: string;
  subdomain: string | null;
  applicationName: string | null;
  credential: { set: boolean; last4: string | null };
  managedBy: string;
  status: string;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastError: string | null;
}

const FIELDS = 'system baseUrl subdomain applicationName credential { set last4 } managedBy status consecutiveFailures lastSuccessAt lastError';

export function Connections() {
  const api = useApi();
  const connections = useLoad((client) => client.request<{ connections: Connection[] }>(`{ connections { ${FIELDS} } }`), []);
  const [verdict, setVerdict] = useState<string>();
  const test = useAction(async (system: string) => {
    const { testConnection } = await api.request<{ testConnection: { ok: boolean; message: string } }>(
      'mutation($system: UpstreamSystem!) { testConnection(system: $system) { ok message } }',
      { system },
    );
    setVerdict(`${system}: ${testConnection.ok ? 'connected' : 'failed'} — ${testConnection.message}`);
    connections.reload();
  });
  return (
    <Section title="Connections">
      <Alert error={connections.error ?? test.error} />
      <p role="status" className="status-line">
        {verdict}
      </p>
      <table>
        <Head columns={['System', 'Where', 'Credential', 'Health', 'Last success', 'Last error', hidden('Actions')]} />
        <tbody>
          {connections.data?.connections.map((connection) => (
            <tr key={connection.system}>
              <th scope="row">{connection.system}</th>
              <td>
                {connection.baseUrl}
                {connection.subdomain && ` (${connection.subdomain})`}
                {connection.applicationName && ` · ${connection.applicationName}`}
              </td>
              <td>{connection.credential.set ? `set${connection.credential.last4 ? ` …${connection.credential.last4}` : ''}` : 'not set'}</td>
              <td>
                <Badge value={connection.status} />
                {connection.consecutiveFailures > 0 && ` ${connection.consecutiveFailures} failed in a row`}
              </td>
              <td>{when(connection.lastSuccessAt)}</td>
              <td className="wrap">{connection.lastError ?? '—'}</td>
              <td>
                <button type="button" disabled={test.pending} onClick={() => void test.run(connection.system)} aria-label={`Test ${connection.system}`}>
                  Test
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
