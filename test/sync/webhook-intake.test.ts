import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bambooHrDeliveries, signDelivery, type DeliveryHeaders } from '../../src/datasources/bamboohr/delivery.js';
import { tenantKey } from '../../src/store/keys.js';
import { KeyedMutex } from '../../src/store/lock.js';
import { WebhookOutbox } from '../../src/store/outbox.js';
import type { SyncEngine } from '../../src/sync/engine.js';
import { createWebhookIntake, type WebhookIntakeOptions } from '../../src/sync/webhooks.js';
import { stoppedAt } from '../support/clock.js';

const KEY = 'webhook-private-key';
const NOW = Date.parse('2025-03-14T12:00:00.000Z');

/** Records the runs the intake asks for; the engine's own behaviour is covered by its integration tests. */
function recordingEngine(options: { busyFor?: number; status?: string } = {}) {
  const scopes: string[][] = [];
  let busy = options.busyFor ?? 0;
  const engine = {
    start: async (start: { scope?: string[] }) => {
      const joined = busy > 0;
      busy -= 1;
      if (!joined) scopes.push([...(start.scope ?? [])].sort());
      return { run: { id: `run-${scopes.length}` }, joined };
    },
    get: async (id: string) => ({ id, status: options.status ?? 'SUCCEEDED' }),
    idle: async () => undefined,
  } as unknown as SyncEngine;
  return { engine, scopes };
}

function delivery(employeeId: string, at = NOW) {
  const body = Buffer.from(JSON.stringify({ type: 'employee.updated', data: { employeeId, changedFields: ['jobTitle'] } }));
  const timestamp = String(Math.floor(at / 1000));
  return [body, { timestamp, signature: signDelivery(KEY, body, timestamp) }] as const;
}

const ROSTER = new Set(['3', '5', '6', '7', '8', '9']);

function intakeOver(outbox: WebhookOutbox, engine: SyncEngine, extra: Partial<WebhookIntakeOptions<DeliveryHeaders>> = {}) {
  return createWebhookIntake({
    engine,
    outbox,
    tenant: 't',
    source: 'BAMBOOHR',
    deliveries: bambooHrDeliveries(async () => KEY),
    roster: async () => ROSTER,
    gatherMs: 10,
    clock: stoppedAt(new Date(NOW).toISOString()),
    ...extra,
  });
}
const newOutbox = () => new WebhookOutbox(new Keyv(), new KeyedMutex());

describe('the webhook intake', () => {
  afterEach(() => vi.useRealTimers());

  it('gathers a burst of deliveries into one targeted run', async () => {
    // The quiet period is timed on the timers, faked so the gaps are exact however loaded the machine is.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { engine, scopes } = recordingEngine();
    const intake = intakeOver(newOutbox(), engine, { gatherMs: 50 });
    for (const id of ['7', '8', '9']) {
      await intake.receive(...delivery(id));
      await vi.advanceTimersByTimeAsync(40);
    }
    expect(scopes).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    await intake.drain();
    expect(scopes).toEqual([['7', '8', '9']]);
    intake.close();
  });

  it('keeps changes that arrive while another run holds the source for the next run', async () => {
    const { engine, scopes } = recordingEngine({ busyFor: 1 });
    const intake = intakeOver(newOutbox(), engine);
    await intake.receive(...delivery('3'));
    await intake.drain();
    expect(scopes).toEqual([['3']]);
    intake.close();
  });

  it('ignores a replayed delivery, even one acknowledged and not yet applied, and refuses an old one', async () => {
    const { engine } = recordingEngine();
    const intake = intakeOver(newOutbox(), engine);
    const [body, headers] = delivery('5');
    expect(await intake.receive(body, headers)).toEqual(['5']);
    expect(await intake.receive(body, headers)).toEqual([]);
    await intake.drain();
    expect(await intake.receive(body, headers)).toEqual([]);
    expect(intake.stats()).toMatchObject({ accepted: 1, replayed: 2 });
    await expect(intake.receive(...delivery('6', NOW - 3_600_000))).rejects.toThrow(/outside the accepted window/);
    intake.close();
  });

  it('drops employees the roster does not know (after one fresh look) and counts them', async () => {
    const { engine, scopes } = recordingEngine();
    const looks: boolean[] = [];
    const intake = intakeOver(newOutbox(), engine, { roster: async (fresh) => (looks.push(fresh), ROSTER) });
    await intake.receive(...delivery('7'));
    await intake.receive(...delivery('424242'));
    await intake.drain();
    expect(scopes).toEqual([['7']]);
    expect(looks).toEqual([false, true]);
    expect(intake.stats().unknownEmployees).toBe(1);
    intake.close();
  });

  it('applies after a restart a delivery acknowledged before the process died', async () => {
    const outbox = newOutbox();
    const first = recordingEngine();
    const dying = intakeOver(outbox, first.engine, { gatherMs: 60_000 });
    expect(await dying.receive(...delivery('8'))).toEqual(['8']);
    dying.close(); // the process ends inside the quiet period: no run was started
    expect(first.scopes).toEqual([]);

    const second = recordingEngine();
    const restarted = intakeOver(outbox, second.engine);
    await restarted.drain();
    expect(second.scopes).toEqual([['8']]);
    expect(await outbox.pending('t')).toEqual([]);
    restarted.close();
  });

  it('keeps a delivery whose run failed for the next attempt', async () => {
    const outbox = newOutbox();
    const { engine } = recordingEngine({ status: 'FAILED' });
    const intake = intakeOver(outbox, engine);
    await intake.receive(...delivery('9'));
    await intake.drain();
    expect((await outbox.pending('t')).map((entry) => entry.sourceIds)).toEqual([['9']]);
    intake.close();
  });

  it('applies a pending delivery an earlier version stored under `employeeIds`', async () => {
    const kv = new Keyv();
    await kv.set(tenantKey('t', 'webhooks-pending'), ['old']);
    await kv.set(tenantKey('t', 'webhook', 'old'), { id: 'old', employeeIds: ['5'], acceptedAt: new Date(NOW).toISOString(), state: 'PENDING' });
    const { engine, scopes } = recordingEngine();
    const intake = intakeOver(new WebhookOutbox(kv, new KeyedMutex()), engine);
    await intake.drain();
    expect(scopes).toEqual([['5']]);
    intake.close();
  });
});
