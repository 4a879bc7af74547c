/**
 * Sync schedules through the API (issue 13): per source, in a time zone, stored so they survive a
 * restart, with their next fire time; a source whose scheduled runs keep failing stops being
 * started. Embedded mode here; test/scale/cluster.int.test.ts shows a schedule firing once per tick
 * across replicas in distributed mode.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/telemetry/log.js';
import { ADMIN_TOKEN, startTestGateway, startTestSandbox, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';
import { relaxSafeguard } from '../support/sync.js';

const opened: TestGateway[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function gateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const t = await startTestGateway({ employees: 40, seed: 33, ...options });
  opened.push(t);
  return t;
}

interface Schedule {
  id: string;
  source: string;
  cron: string;
  timeZone: string;
  mode: string;
  enabled: boolean;
  nextFireAt: string | null;
}
const FIELDS = 'id source cron timeZone mode enabled nextFireAt';

async function setSchedule(t: TestGateway, input: Record<string, unknown>): Promise<Schedule> {
  return (await t.data<{ setSchedule: Schedule }>(`mutation($input: SetScheduleInput!) { setSchedule(input: $input) { ${FIELDS} } }`, { input })).setSchedule;
}
const schedules = async (t: TestGateway): Promise<Schedule[]> => (await t.data<{ schedules: Schedule[] }>(`{ schedules { ${FIELDS} } }`)).schedules;

interface RunLine {
  id: string;
  trigger: string;
  status: string;
}
async function scheduledRuns(t: TestGateway): Promise<RunLine[]> {
  const { syncRuns } = await t.data<{ syncRuns: { nodes: RunLine[] } }>('{ syncRuns(source: BAMBOOHR, first: 100) { nodes { id trigger status } } }');
  return syncRuns.nodes.filter((run) => run.trigger === 'SCHEDULE');
}

describe('sync schedules', () => {
  it('default to 03:00 in Los Angeles for a full run, and keep that hour across a daylight-saving change', async () => {
    let now = new Date('2027-03-12T20:00:00Z'); // Friday, Pacific Standard Time
    const t = await gateway({ clock: () => now });
    const schedule = await setSchedule(t, { source: 'BAMBOOHR' });
    expect(schedule).toMatchObject({ source: 'BAMBOOHR', cron: '0 3 * * *', timeZone: 'America/Los_Angeles', mode: 'FULL', enabled: true });
    // 03:00 PST is 11:00 UTC...
    expect(schedule.nextFireAt).toBe('2027-03-13T11:00:00.000Z');
    // ...and once the clocks have gone forward on Sunday the 14th, 03:00 PDT is 10:00 UTC.
    now = new Date('2027-03-13T20:00:00Z');
    expect((await schedules(t))[0]?.nextFireAt).toBe('2027-03-14T10:00:00.000Z');

    const utc = await setSchedule(t, { id: schedule.id, source: 'BAMBOOHR', timeZone: 'UTC', cron: '30 2 * * 1-5' });
    expect(utc).toMatchObject({ id: schedule.id, cron: '30 2 * * 1-5', timeZone: 'UTC', enabled: true, nextFireAt: '2027-03-15T02:30:00.000Z' });
    const paused = await setSchedule(t, { id: schedule.id, source: 'BAMBOOHR', enabled: false });
    expect(paused).toMatchObject({ enabled: false, nextFireAt: null, cron: '30 2 * * 1-5' });
  });

  it('refuse what cannot be a schedule with a clear error, and are an admin matter', async () => {
    const t = await gateway();
    const refusal = async (input: Record<string, unknown>) => {
      const { errors } = await t.graphql(`mutation($input: SetScheduleInput!) { setSchedule(input: $input) { id } }`, { input });
      return { code: errors?.[0]?.extensions?.code, message: errors?.[0]?.message ?? '' };
    };
    expect(await refusal({ source: 'BAMBOOHR', cron: 'every day' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining("cron 'every day'"),
    });
    expect(await refusal({ source: 'BAMBOOHR', timeZone: 'Mars/Olympus' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('Mars/Olympus'),
    });
    expect(await refusal({ id: 'sch_missing', source: 'BAMBOOHR' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await schedules(t)).toEqual([]);

    const { createApiToken } = await t.data<{ createApiToken: { token: string } }>(`mutation { createApiToken(role: VIEWER, label: "dashboard") { token } }`);
    const asViewer = await t.graphql(`mutation { setSchedule(input: { source: BAMBOOHR }) { id } }`, {}, createApiToken.token);
    expect(asViewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listed = await t.graphql<{ schedules: Schedule[] }>(`{ schedules { id } }`, {}, createApiToken.token);
    expect(listed.data?.schedules).toEqual([]);
  });

  it('fire on their cron, and again after a restart without being set again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rostergate-schedules-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sandbox = await startTestSandbox({ employees: 40, seed: 34 });
    cleanups.push(() => sandbox.close());
    const env = { ROSTERGATE_STORE_URL: `sqlite:${join(dir, 'store.sqlite')}`, ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex') };

    const first = await gateway({ sandbox, env });
    await relaxSafeguard(first);
    const schedule = await setSchedule(first, { source: 'BAMBOOHR', cron: '* * * * * *', timeZone: 'UTC' });
    await vi.waitFor(async () => expect((await scheduledRuns(first)).length).toBeGreaterThan(0), { timeout: 20_000, interval: 200 });
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const before = new Set((await scheduledRuns(await gateway({ sandbox, env }))).map((run) => run.id));

    const second = opened.at(-1)!;
    expect((await schedules(second)).map((each) => each.id)).toEqual([schedule.id]);
    await vi.waitFor(async () => expect((await scheduledRuns(second)).some((run) => !before.has(run.id))).toBe(true), { timeout: 20_000, interval: 200 });
    expect(await second.data(`mutation($id: ID!) { removeSchedule(id: $id) }`, { id: schedule.id })).toEqual({ removeSchedule: true });
    expect(await schedules(second)).toEqual([]);
  });

  it('stop starting a source after three scheduled runs in a row failed', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const t = await gateway({ logger });
    await fetch(`${t.sandbox.bamboohr.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: 'POST /api/gateway.php/:company/v1/reports/custom', status: 401, count: 1000 }),
    });
    await setSchedule(t, { source: 'BAMBOOHR', cron: '* * * * * *', timeZone: 'UTC' });
    await vi.waitFor(() => expect(lines.some((line) => line.msg === 'scheduled sync skipped' && line.reason === 'ERROR_STATE')).toBe(true), {
      timeout: 30_000,
      interval: 200,
    });
    const runs = await scheduledRuns(t);
    expect(runs.map((run) => run.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
  });

  it('follow ROSTERGATE_SYNC_SCHEDULE for every connected source, read in UTC', async () => {
    const t = await gateway({ env: { ROSTERGATE_SYNC_SCHEDULE: '0 4 * * *', ROSTERGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
    const listed = await schedules(t);
    expect(listed.map(({ id, source, cron, timeZone }) => ({ id, source, cron, timeZone }))).toEqual([
      { id: 'environment-BAMBOOHR', source: 'BAMBOOHR', cron: '0 4 * * *', timeZone: 'UTC' },
      { id: 'environment-NAMELY', source: 'NAMELY', cron: '0 4 * * *', timeZone: 'UTC' },
    ]);
  });
});
