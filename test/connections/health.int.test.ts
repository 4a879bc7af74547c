/**
 * Connection health (issue 13): three failed runs in a row put a connection in ERROR, the next
 * success clears it, and the hook notifications hang on hears each change once; a run that needed a
 * retry leaves it DEGRADED. Real gateway, real sandbox (no random faults: the test injects the one
 * retry it counts), HTTP.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { leaks, startConnectionsGateway, type ConnectionsGateway } from './support.js';

let g: ConnectionsGateway | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const WRONG_TOKEN = 'revoked-namely-token-0123456789abcdef';

describe('connection health', () => {
  it('puts a source in ERROR after three failed runs, names why without the credential, and clears it at the next success', async () => {
    const changes: unknown[][] = [];
    g = await startConnectionsGateway({ gateway: { onHealthChange: (...change) => void changes.push(change) } });
    const { sandbox } = g.t;
    await g.setConnection({ system: 'NAMELY', baseUrl: sandbox.namely.baseUrl, credential: WRONG_TOKEN });

    const statuses: [string, number][] = [];
    for (let run = 0; run < 3; run += 1) {
      expect((await g.sync('NAMELY')).status).toBe('FAILED');
      const namely = await g.connection('NAMELY');
      statuses.push([namely!.status, namely!.consecutiveFailures]);
    }
    expect(statuses).toEqual([
      ['DEGRADED', 1],
      ['DEGRADED', 2],
      ['ERROR', 3],
    ]);
    const failing = await g.connection('NAMELY');
    expect(failing).toMatchObject({ status: 'ERROR', consecutiveFailures: 3, lastSuccessAt: null, lastFailureAt: expect.any(String) });
    expect(failing?.lastError).toMatch(/^namely: GET \/profiles.* 401/);
    // Litmos was never reached by these runs: nothing is said of it.
    expect(await g.connection('LITMOS')).toMatchObject({ status: 'UNTESTED', consecutiveFailures: 0 });
    expect(changes).toEqual([['default', 'namely', 'DEGRADED', 'ERROR', failing?.lastError]]);

    // A new credential alone does not clear the state: a run (or a test) that succeeds does.
    await g.setConnection({ system: 'NAMELY', credential: SANDBOX_CREDENTIALS.namely.token });
    expect((await g.connection('NAMELY'))?.status).toBe('ERROR');
    expect((await g.sync('NAMELY')).status).toBe('SUCCEEDED');
    const recovered = await g.connection('NAMELY');
    expect(recovered).toMatchObject({ status: 'CONNECTED', consecutiveFailures: 0, lastSuccessAt: expect.any(String), lastError: failing?.lastError });
    expect(changes).toEqual([
      ['default', 'namely', 'DEGRADED', 'ERROR', failing?.lastError],
      ['default', 'namely', 'ERROR', 'CONNECTED', undefined],
    ]);

    const lines = g.logLines.map((line) => JSON.parse(line) as { msg: string; system?: string; to?: string });
    expect(lines.filter((line) => line.msg === 'connection in error').map((line) => [line.system, line.to])).toEqual([['namely', 'ERROR']]);
    expect(lines.filter((line) => line.msg === 'connection recovered')).toHaveLength(1);
    expect(leaks([...g.answers, ...g.logLines], [WRONG_TOKEN, SANDBOX_CREDENTIALS.namely.token])).toEqual([]);
  });

  it('counts failed tests like failed runs, and a success that needed a retry as DEGRADED', async () => {
    g = await startConnectionsGateway();
    await g.setConnection({ system: 'LITMOS', credential: 'rejected-litmos-key-0123456789' });
    for (let test = 0; test < 3; test += 1) expect((await g.testConnection('LITMOS')).ok).toBe(false);
    expect(await g.connection('LITMOS')).toMatchObject({ status: 'ERROR', consecutiveFailures: 3 });
    await g.setConnection({ system: 'LITMOS', credential: SANDBOX_CREDENTIALS.litmos.apiKey });

    // One 500 on the first user list: the client retries it, and the run succeeds.
    await fetch(`${g.t.sandbox.litmos.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /v1.svc/users', status: 500, count: 1 }) });
    expect((await g.sync('BAMBOOHR')).status).toBe('SUCCEEDED');
    expect(await g.connection('LITMOS')).toMatchObject({ status: 'DEGRADED', consecutiveFailures: 0 });
    expect(await g.connection('BAMBOOHR')).toMatchObject({ status: 'CONNECTED' });
    expect((await g.testConnection('LITMOS')).connection).toMatchObject({ status: 'CONNECTED' });
  });
});
