/**
 * `rostergate sync start|status|approve|cancel|list|report`: runs through the gateway's API.
 * Commands that report a run exit by its status (exit.ts), so a script can branch on the outcome,
 * and a run held for approval always names the command that releases it.
 */
import { Command, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { download, print, request, targetOf, withClientOptions, type ClientOptions, type Target } from './client.js';
import { exitCodeFor } from './exit.js';
import { displayFor, follow } from './progress.js';

interface RunView {
  runId: string;
  source: string;
  status: string;
  dryRun: boolean;
  trigger: string;
  /** Null for import and webhook runs, which read the employees they name. */
  mode: string | null;
  modeReason: string | null;
  createdAt: string;
  finishedAt: string | null;
  counts: Record<string, number>;
  progress: { done: number; total: number };
  error: string | null;
  safeguard: { deactivations: number; threshold: number; activeLearners: number } | null;
  reportPath: string;
}

const RUN = `runId source status dryRun trigger mode modeReason createdAt finishedAt
  counts { created linked updated deactivated reactivated unchanged skipped failed }
  progress { done total } error safeguard { deactivations threshold activeLearners } reportPath`;

const approveCommand = (runId: string) => `rostergate sync approve ${runId}`;

async function getRun(target: Target, runId: string): Promise<RunView> {
  const { syncRun } = await request<{ syncRun: RunView | null }>(target, `query($id: ID!) { syncRun(id: $id) { ${RUN} } }`, { id: runId });
  if (!syncRun) throw new NotFoundError(`no sync run ${runId}`, { runId });
  return syncRun;
}

function countsLine(counts: Record<string, number>): string {
  const nonZero = Object.entries(counts).filter(([, n]) => n > 0);
  return nonZero.length > 0 ? `  ${nonZero.map(([name, n]) => `${name} ${n}`).join(', ')}` : '  nothing to change';
}

/** What the run read, and why it is not what was asked when it is not: ' FULL (no checkpoint yet)'. */
function modeText(run: RunView): string {
  if (!run.mode) return '';
  return ` ${run.mode}${run.modeReason ? ` (${run.modeReason})` : ''}`;
}

function runLines(run: RunView, message: string | null): string[] {
  const lines = [`run ${run.runId} ${run.status}${modeText(run)}${run.dryRun ? ' (dry run)' : ''}`, countsLine(run.counts)];
  if (run.error) lines.push(`  error: ${run.error}`);
  if (message && run.status !== 'AWAITING_APPROVAL') lines.push(`  ${message}`);
  if (run.status === 'AWAITING_APPROVAL' && run.safeguard) {
    const { deactivations, threshold } = run.safeguard;
    lines.push(
      `  held by the safeguard: would deactivate ${deactivations} learners, over the threshold of ${threshold}`,
      `  next: ${approveCommand(run.runId)}   (or: rostergate sync cancel ${run.runId})`,
    );
  }
  return lines;
}

/** Prints a run and sets the exit code its status means. */
function reportRun(options: ClientOptions, run: RunView, message: string | null = null): void {
  const next = run.status === 'AWAITING_APPROVAL' ? { next: approveCommand(run.runId) } : {};
  print(options, { ...run, ...next }, () => runLines(run, message));
  process.exitCode = exitCodeFor(run.status);
}

/** Follows a run until it rests, then reports it as the API has it then. */
async function followAndReport(options: ClientOptions, target: Target, runId: string): Promise<void> {
  const rested = await follow(target, runId, displayFor(options, runId));
  reportRun(options, await getRun(target, runId), rested?.message ?? null);
}

interface StartOptions extends ClientOptions {
  source: string;
  mode: string;
  dryRun: boolean;
  wait: boolean;
}

async function start(options: StartOptions): Promise<void> {
  const target = targetOf(options);
  const { startSync: run } = await request<{ startSync: RunView }>(target, `mutation($input: StartSyncInput!) { startSync(input: $input) { ${RUN} } }`, {
    input: { source: options.source.toUpperCase(), mode: options.mode.toUpperCase(), dryRun: options.dryRun },
  });
  if (!options.wait) {
    reportRun(options, run);
    return;
  }
  // The start line first, so a person sees the run id before the progress.
  if (!options.json) process.stdout.write(`run ${run.runId} started\n`);
  await followAndReport(options, target, run.runId);
}

async function status(runId: string, options: ClientOptions): Promise<void> {
  reportRun(options, await getRun(targetOf(options), runId));
}

/** approve and cancel: one mutation on a run; the command succeeded whatever the run's status. */
function transition(mutation: 'approveSyncRun' | 'cancelSyncRun') {
  return async (runId: string, options: ClientOptions & { wait?: boolean }): Promise<void> => {
    const target = targetOf(options);
    const answer = await request<Record<typeof mutation, RunView>>(target, `mutation($id: ID!) { ${mutation}(id: $id) { ${RUN} } }`, { id: runId });
    const run = answer[mutation];
    if (options.wait) await followAndReport(options, target, run.runId);
    else print(options, run, () => runLines(run, null));
  };
}

async function list(options: ClientOptions & { first: string }): Promise<void> {
  const { syncRuns } = await request<{ syncRuns: { totalCount: number; nodes: RunView[] } }>(
    targetOf(options),
    `query($first: Int) { syncRuns(first: $first) { totalCount nodes { ${RUN} } } }`,
    { first: Number(options.first) },
  );
  print(options, { totalCount: syncRuns.totalCount, runs: syncRuns.nodes }, () => [
    ...syncRuns.nodes.map((run) =>
      [run.runId, run.source.padEnd(8), run.status.padEnd(17), (run.mode ?? '-').padEnd(11), run.createdAt, run.dryRun ? 'dry run' : ''].join('  ').trimEnd(),
    ),
    `${syncRuns.nodes.length} of ${syncRuns.totalCount} runs`,
  ]);
}

async function report(runId: string, options: ClientOptions & { out?: string }): Promise<void> {
  const target = targetOf(options);
  // The run first: an unknown id reads as NOT_FOUND, and the path is the one the API names.
  const run = await getRun(target, runId);
  const csv = await download(target, run.reportPath);
  if (!options.out) {
    print(options, { runId: run.runId, csv }, () => [csv.replace(/\r?\n$/, '')]);
    return;
  }
  await writeFile(options.out, csv);
  // Bytes, not rows: a quoted cell may hold a line break, so counting lines would mislead.
  const bytes = Buffer.byteLength(csv);
  print(options, { runId: run.runId, out: options.out, bytes }, () => [`wrote ${options.out} (${bytes} bytes)`]);
}

export function syncCommand(): Command {
  const sync = new Command('sync').description('start, follow and decide on sync runs of a running gateway');
  withClientOptions(
    sync
      .command('start')
      .description('start a sync of one source; exit 0 SUCCEEDED, 2 PARTIAL/FAILED/CANCELLED, 3 AWAITING_APPROVAL')
      .addOption(new Option('--source <source>', 'HR system').choices(['bamboohr', 'namely']).makeOptionMandatory())
      .addOption(
        new Option(
          '--mode <mode>',
          'full reads everyone; incremental reads what changed since the last successful run (the gateway may run full instead, and says why)',
        )
          .choices(['full', 'incremental'])
          .default('full'),
      )
      .option('--dry-run', 'plan only; write nothing to Litmos', false)
      .option('--wait', 'follow the run until it ends or needs approval', false),
  ).action(start);
  withClientOptions(sync.command('status <runId>').description('show a run; exits like `start --wait` for a finished or held run')).action(status);
  withClientOptions(
    sync.command('approve <runId>').description('apply a run held AWAITING_APPROVAL by the safeguard').option('--wait', 'follow the run until it ends', false),
  ).action(transition('approveSyncRun'));
  withClientOptions(sync.command('cancel <runId>').description('stop a run; what it already wrote stays written')).action(transition('cancelSyncRun'));
  withClientOptions(sync.command('list').description('run history, newest first').option('--first <n>', 'how many runs', '20')).action(list);
  withClientOptions(
    sync.command('report <runId>').description("a run's CSV report: one line per employee").option('--out <file>', 'write it to a file instead of stdout'),
  ).action(report);
  return sync;
}
