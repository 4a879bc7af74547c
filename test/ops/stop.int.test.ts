/**
 * Stopping the gateway closes open subscription connections with a proper WebSocket close code (1001, going
 * away), so a dashboard knows to reconnect rather than report an error, and says so in the log.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/log.js';
import { ADMIN_TOKEN, startTestGateway } from '../support/gateway.js';

describe('stopping the gateway', () => {
  it('closes subscription connections with 1001 and logs the stop', async () => {
    const lines: string[] = [];
    const t = await startTestGateway({
      employees: 10,
      seed: 2,
      logger: createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } }),
    });
    let connected!: () => void;
    const open = new Promise<void>((resolve) => (connected = resolve));
    const closed = new Promise<number>((resolve) => {
      // Not lazy: the connection stays open with nothing subscribed, as a dashboard's does between runs.
      createClient({
        url: `${t.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` },
        lazy: false,
        // Its close is what this test awaits, not an error to print.
        onNonLazyError: () => undefined,
        retryAttempts: 0,
        on: { connected, closed: (event) => resolve((event as { code: number }).code) },
      });
    });
    await open;
    await t.close();
    expect(await closed).toBe(1001);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain('gateway stopping');
  });
});
