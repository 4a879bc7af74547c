/**
 * `rostergate sync …` against a real gateway, spawned as a user runs it: every command, its --json
 * document, and the exit codes scripts branch on (src/cli/exit.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../support/cli.js';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';
import { relaxSafeguard } from '../support/sync.js';
import { expectEveryEligibleOnce } from '../support/upstreams.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The CLI pointed at the test gateway by environment, as a script would be. */
function rostergate(...args: string[]): Promise<CliResult> {
  return cli(args, { ROSTERGATE_URL: t!.url, ROSTERGATE_TOKEN: ADMIN_TOKEN });
}

interface RunDocument {
  runId: string;
  status: string;
  dryRun: boolean;
  mode: string | null;
  modeReason: string | null;
  counts: Record<string, number>;
  next?: string;
}

function json(result: CliResult): RunDocument {
  return JSON.parse(result.stdout) as RunDocument;
}

// Each case spawns the CLI (about 2 s to load on a shared 2-core machine) up to ten times.
describe('rostergate sync', { timeout: 180_000 }, () => {
  it('start --wait, status, list and report, in human words and as JSON', async () => {
    t = await startTestGateway({ employees: 40, seed: 29 });
    await relaxSafeguard(t);

    const dry = await rostergate('sync', 'start', '--source', 'bamboohr', '--dry-run', '--wait', '--json');
    expect(dry.code).toBe(0);
    const run = json(dry);
    expect(run).toMatchObject({ status: 'SUCCEEDED', dryRun: true });
    expect(run.counts.created).toBeGreaterThan(0);

    const [status, statusJson, list, report, reportJson] = await Promise.all([
      rostergate('sync', 'status', run.runId),
      rostergate('sync', 'status', run.runId, '--json'),
      rostergate('sync', 'list', '--first', '5', '--json'),
      rostergate('sync', 'report', run.runId, '--out', join(mkdtempSync(join(tmpdir(), 'rostergate-cli-')), 'run.csv'), '--json'),
      rostergate('sync', 'report', run.runId, '--json'),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^run ${run.runId} SUCCEEDED FULL \\(dry run\\)\\n  created \\d+`));
    expect(json(statusJson)).toMatchObject({ runId: run.runId, status: 'SUCCEEDED' });
    expect(JSON.parse(list.stdout)).toMatchObject({ totalCount: 1, runs: [{ runId: run.runId }] });

    const written = JSON.parse(report.stdout) as { out: string; bytes: number };
    const csv = readFileSync(written.out, 'utf8');
    expect(Buffer.byteLength(csv)).toBe(written.bytes);
    expect(csv.split('\r\n').length).toBeGreaterThan(run.counts.created!);
    expect((JSON.parse(reportJson.stdout) as { csv: string }).csv).toBe(csv);

    const human = await rostergate('sync', 'list');
    expect(human.stdout).toContain(`${run.runId}  BAMBOOHR  SUCCEEDED`);
    expect(human.stdout).toMatch(/1 of 1 runs\n$/);
  });

  it('a run held by the safeguard: start --wait exits 3 naming the approve command; cancel, then approve --wait', async () => {
    t = await startTestGateway({ employees: 40, seed: 29 });
    // No deactivation without approval: the seeded Litmos holds leavers the first run deactivates.
    await t.data(`mutation { setSyncPolicy(input: { source: BAMBOOHR, safeguard: { maxDeactivationPercent: 0, maxDeactivations: 0 } }) { source } }`);

    const held = await rostergate('sync', 'start', '--source', 'bamboohr', '--wait');
    expect(held.code).toBe(3);
    const runId = /^run (\S+) started$/m.exec(held.stdout)?.[1];
    expect(held.stdout).toContain(`run ${runId} AWAITING_APPROVAL`);
    expect(held.stdout).toContain(`next: rostergate sync approve ${runId}`);

    // Starting again returns the held run: still reported, still exit 3, never waited on.
    const again = await rostergate('sync', 'start', '--source', 'bamboohr', '--wait', '--json');
    expect(again.code).toBe(3);
    expect(json(again)).toMatchObject({ runId, status: 'AWAITING_APPROVAL', next: `rostergate sync approve ${runId}` });
    expect((await rostergate('sync', 'status', runId!)).code).toBe(3);

    const cancel = await rostergate('sync', 'cancel', runId!, '--json');
    expect(cancel.code).toBe(0);
    expect(json(cancel).status).toBe('CANCELLED');
    expect((await rostergate('sync', 'status', runId!, '--json')).code).toBe(2);

    const second = json(await rostergate('sync', 'start', '--source', 'bamboohr', '--wait', '--json'));
    expect(second.status).toBe('AWAITING_APPROVAL');
    const approved = await rostergate('sync', 'approve', second.runId, '--wait');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`run ${second.runId} SUCCEEDED`);
    expect(approved.stdout).toMatch(/deactivated [1-9]/);

    const refused = await rostergate('sync', 'approve', second.runId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rostergate: CONFLICT: .+\n$/);
  });

  // A start without --mode runs FULL: the first case's status line shows it.
  it('start --mode incremental runs incremental once a full run left a checkpoint, full before; status and list say which', async () => {
    t = await startTestGateway({ employees: 40, seed: 31 });
    await relaxSafeguard(t);

    const bad = await rostergate('sync', 'start', '--source', 'bamboohr', '--mode', 'weekly');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--mode <mode>.*'weekly' is invalid\. Allowed choices are full, incremental/);
    expect(bad.stdout).toBe('');

    // No checkpoint yet: the gateway runs FULL and says why.
    const first = await rostergate('sync', 'start', '--source', 'bamboohr', '--mode', 'incremental', '--wait', '--json');
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({ status: 'SUCCEEDED', mode: 'FULL', modeReason: expect.any(String) });

    const second = await rostergate('sync', 'start', '--source', 'bamboohr', '--mode', 'incremental', '--wait');
    expect(second.code).toBe(0);
    const incremental = /^run (\S+) started$/m.exec(second.stdout)?.[1];
    expect(second.stdout).toContain(`run ${incremental} SUCCEEDED INCREMENTAL\n`);

    const [status, list, listJson] = await Promise.all([
      rostergate('sync', 'status', json(first).runId),
      rostergate('sync', 'list'),
      rostergate('sync', 'list', '--json'),
    ]);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain(`run ${json(first).runId} SUCCEEDED FULL (${json(first).modeReason})\n`);
    expect(list.stdout).toContain(`${incremental}  BAMBOOHR  SUCCEEDED          INCREMENTAL`);
    const listed = (JSON.parse(listJson.stdout) as { runs: RunDocument[] }).runs;
    expect(listed.map((run) => run.mode)).toEqual(['INCREMENTAL', 'FULL']);

    await expectEveryEligibleOnce(t.sandbox, t.sandbox.companies.bamboohr, t.today);
  });

  it('an unknown run is NOT_FOUND, in one line', async () => {
    t = await startTestGateway({ employees: 20, seed: 3 });
    const missing = await rostergate('sync', 'status', '00000000-0000-0000-0000-000000000000');
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'rostergate: NOT_FOUND: no sync run 00000000-0000-0000-0000-000000000000\n' });
  });
});
