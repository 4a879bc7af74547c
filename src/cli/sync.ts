/**
 * `rostergate sync start`: for scripts. Starts a run through the gateway's GraphQL API and, with
 * --wait, follows it over graphql-ws with a progress bar, exiting non-zero unless it succeeded.
 */
import { Command, Option } from 'commander';
import { GraphQLClient, gql } from 'graphql-request';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadClientConfig } from '../config.js';
import { ConfigError } from '../errors.js';

interface RunView {
  runId: string;
  status: string;
  counts: Record<string, number>;
}

interface ProgressView {
  status: string;
  phase: string;
  done: number;
  total: number;
  etaMs: number | null;
  message: string | null;
  counts: Record<string, number>;
}

const COUNTS = 'counts { created linked updated deactivated reactivated unchanged skipped failed }';

const START = gql`
  mutation Start($input: StartSyncInput!) {
    startSync(input: $input) { runId status ${COUNTS} }
  }
`;

const PROGRESS = `subscription Progress($runId: ID!) {
  syncProgress(runId: $runId) { status phase done total etaMs message ${COUNTS} }
}`;

function bar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

function follow(url: string, token: string, runId: string): Promise<ProgressView | null> {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  let last: ProgressView | null = null;
  return new Promise((resolve, reject) => {
    client.subscribe<{ syncProgress: ProgressView }>(
      { query: PROGRESS, variables: { runId } },
      {
        next: ({ data }) => {
          if (!data) return;
          last = data.syncProgress;
          const eta = last.etaMs ? `  eta ${Math.ceil(last.etaMs / 1000)}s` : '';
          process.stderr.write(`\r${last.phase.padEnd(17)} ${bar(last.done, last.total)}${eta}   `);
        },
        error: (error) => {
          void client.dispose();
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          process.stderr.write('\n');
          void client.dispose();
          resolve(last);
        },
      },
    );
  });
}

export function syncCommand(): Command {
  const sync = new Command('sync').description('drive a running gateway');
  sync
    .command('start')
    .description('start a full sync of one source')
    .addOption(new Option('--source <source>', 'HR system').choices(['bamboohr', 'namely']).makeOptionMandatory())
    .option('--dry-run', 'plan only; write nothing to Litmos', false)
    .option('--wait', 'follow the run until it ends, with a progress bar', false)
    .option('--url <url>', 'gateway URL (ROSTERGATE_URL)')
    .option('--token <token>', 'API token (ROSTERGATE_TOKEN)')
    .action(async (options: { source: string; dryRun: boolean; wait: boolean; url?: string; token?: string }) => {
      const config = loadClientConfig();
      const url = (options.url ?? config.url).replace(/\/+$/, '');
      const token = options.token ?? config.token;
      if (!token) throw new ConfigError('an API token is needed: --token or ROSTERGATE_TOKEN', { variable: 'ROSTERGATE_TOKEN' });
      const client = new GraphQLClient(`${url}/graphql`, { headers: { authorization: `Bearer ${token}` } });
      const { startSync: run } = await client.request<{ startSync: RunView }>(START, {
        input: { source: options.source.toUpperCase(), dryRun: options.dryRun },
      });
      console.log(`run ${run.runId} ${run.status}`);
      if (!options.wait) return;
      const final = await follow(url, token, run.runId);
      console.log(`run ${run.runId} ${final?.status ?? 'unknown'} ${JSON.stringify(final?.counts ?? {})}`);
      if (final?.message) console.log(final.message);
      if (final?.status !== 'SUCCEEDED') process.exitCode = 2;
    });
  return sync;
}
