import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import type { SyncEngine } from '../../src/sync/engine.js';
import { createWebhookIntake, signWebhook } from '../../src/sync/webhooks.js';

const KEY = 'webhook-private-key';

/** Records the runs the intake asks for; the engine's own behaviour is covered by its integration tests. */
function recordingEngine(busyFor = 0) {
  const scopes: string[][] = [];
  let busy = busyFor;
  const engine = {
    start: async (options: { scope?: string[] }) => {
      const joined = busy > 0;
      busy -= 1;
      if (!joined) scopes.push([...(options.scope ?? [])].sort());
      return { run: {}, joined };
    },
    idle: async () => undefined,
  } as unknown as SyncEngine;
  return { engine, scopes };
}

function delivery(employeeId: string, at = Date.now()) {
  const body = Buffer.from(JSON.stringify({ type: 'employee.updated', data: { employeeId, changedFields: ['jobTitle'] } }));
  const timestamp = String(Math.floor(at / 1000));
  return [body, { timestamp, signature: signWebhook(KEY, body, timestamp) }] as const;
}

describe('the webhook intake', () => {
  it('gathers a burst of deliveries into one targeted run', async () => {
    const { engine, scopes } = recordingEngine();
    const intake = createWebhookIntake({ engine, keyv: new Keyv(), tenant: 't', privateKey: async () => KEY, gatherMs: 50 });
    for (const id of ['7', '8', '9']) {
      await intake.receive(...delivery(id));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await intake.drain();
    expect(scopes).toEqual([['7', '8', '9']]);
    intake.close();
  });

  it('keeps changes that arrive while another run holds the source for the next run', async () => {
    const { engine, scopes } = recordingEngine(1);
    const intake = createWebhookIntake({ engine, keyv: new Keyv(), tenant: 't', privateKey: async () => KEY, gatherMs: 10 });
    await intake.receive(...delivery('3'));
    await intake.drain();
    expect(scopes).toEqual([['3']]);
    intake.close();
  });

  it('ignores a replayed delivery and refuses an old one', async () => {
    const { engine } = recordingEngine();
    const intake = createWebhookIntake({ engine, keyv: new Keyv(), tenant: 't', privateKey: async () => KEY, gatherMs: 10 });
    const [body, headers] = delivery('5');
    expect(await intake.receive(body, headers)).toEqual(['5']);
    expect(await intake.receive(body, headers)).toEqual([]);
    await expect(intake.receive(...delivery('6', Date.now() - 3_600_000))).rejects.toThrow(/too old/);
    await intake.drain();
    intake.close();
  });
});
