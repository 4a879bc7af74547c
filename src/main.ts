/**
 * The one entry point: `serve` (the gateway, with the embedded sandbox unless upstreams are
 * configured), `worker` (distributed mode: runs from the queue, nothing answered), `sandbox` (the
 * simulators alone), `schema` (print the SDL), and `sync` and `token`
 * (drive a running gateway from a script; src/cli/).
 */
import 'reflect-metadata';
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { startGateway } from './app.js';
import { failureLine } from './cli/client.js';
import { EXIT } from './cli/exit.js';
import { syncCommand } from './cli/sync.js';
import { tokenCommand } from './cli/token.js';
import { loadConfig } from './config.js';
import { startWorker } from './runtime.js';
import { SANDBOX_CREDENTIALS, startSandbox } from '@rostergate/sandbox';
import { printGatewaySchema } from './schema/build.js';
import { VERSION } from './version.js';

const program = new Command('rostergate').description('GraphQL gateway between BambooHR, Namely and Litmos').version(VERSION);

function onShutdown(close: () => Promise<void>): void {
  const stop = () => void close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

program
  .command('serve')
  .description('start the gateway (and the sandbox upstreams when none are configured)')
  .option('--no-worker', 'distributed mode: answer GraphQL only, leaving runs to `rostergate worker` processes')
  .action(async (options: { worker: boolean }) => {
    const config = loadConfig();
    const gateway = await startGateway(config, { worker: options.worker });
    const lines = [`rostergate listening on ${gateway.url}/graphql`];
    if (gateway.sandbox) {
      lines.push(`sandbox upstreams: BambooHR ${gateway.sandbox.bamboohr.url}, Namely ${gateway.sandbox.namely.url}, Litmos ${gateway.sandbox.litmos.url}`);
    }
    if (gateway.generatedAdminToken) {
      lines.push(`admin token (shown once; set ROSTERGATE_ADMIN_TOKEN to choose your own): ${gateway.generatedAdminToken}`);
    }
    lines.push(
      `try: curl -s ${gateway.url}/graphql -H 'authorization: Bearer <token>' -H 'content-type: application/json' \\`,
      `       -d '{"query":"{ employees(first: 5) { totalCount nodes { displayName department learner { userName } } } }"}'`,
    );
    // Said only when there was something to forget: a first start has nothing.
    if (gateway.sandboxReset && (gateway.sandboxReset.links > 0 || gateway.sandboxReset.endedRuns.length > 0)) {
      const { endedRuns, links } = gateway.sandboxReset;
      const ended = endedRuns.length > 0 ? ` and ended unfinished run(s) ${endedRuns.join(', ')}` : '';
      lines.push(`the embedded sandbox was reseeded: forgot ${links} links to its previous learners${ended}; run a sync to provision this one`);
    }
    console.log(lines.join('\n'));
    onShutdown(() => gateway.close());
    // After "listening": the gateway serves while an upstream is misconfigured, and says which setting to fix.
    for (const problem of await gateway.upstreamProblems) {
      console.error(`rostergate: warning: ${problem} (/readyz answers 503 until a check passes)`);
    }
  });

program
  .command('worker')
  .description('distributed mode (ROSTERGATE_REDIS_URL): execute sync runs from the queue; answers no requests')
  .option('--concurrency <n>', 'runs executed at once (ROSTERGATE_WORKER_CONCURRENCY)')
  .action(async (options: { concurrency?: string }) => {
    const config = loadConfig({ ...process.env, ...(options.concurrency !== undefined && { ROSTERGATE_WORKER_CONCURRENCY: options.concurrency }) });
    const worker = await startWorker(config);
    const metrics = worker.metricsUrl ? `; metrics on ${worker.metricsUrl}/metrics` : '';
    console.log(`rostergate worker taking runs from ${worker.scaleOut?.redis.address ?? ''} (concurrency ${config.distributed?.concurrency ?? 0})${metrics}`);
    onShutdown(() => worker.close());
  });

program
  .command('sandbox')
  .description('start only the BambooHR, Namely and Litmos simulators')
  .action(async () => {
    const config = loadConfig();
    const sandbox = await startSandbox({
      port: config.sandbox.port,
      host: config.sandbox.host,
      employees: config.sandbox.employees,
      seed: config.sandbox.seed,
      rateWindowMs: config.sandbox.rateWindowMs,
      latencyMs: config.sandbox.latencyMs,
    });
    console.log(
      [
        `BambooHR ${sandbox.bamboohr.url}/api/gateway.php/${sandbox.bamboohr.companyDomain}/v1  (Basic auth, API key "${SANDBOX_CREDENTIALS.bamboohr.apiKey}")`,
        `Namely   ${sandbox.namely.baseUrl}  (Bearer "${SANDBOX_CREDENTIALS.namely.token}")`,
        `Litmos   ${sandbox.litmos.baseUrl}  (apikey "${SANDBOX_CREDENTIALS.litmos.apiKey}", source=any)`,
        'control API on each: GET /__sandbox/stats, POST /__sandbox/reset, POST /__sandbox/faults, PUT /__sandbox/limits',
      ].join('\n'),
    );
    onShutdown(() => sandbox.close());
  });

program
  .command('schema')
  .description('print the GraphQL schema (SDL) generated from the code')
  .option('--out <file>', 'write it to a file instead')
  .action(async (options: { out?: string }) => {
    const sdl = await printGatewaySchema();
    if (options.out) await writeFile(options.out, sdl);
    else process.stdout.write(sdl);
  });

program.addCommand(syncCommand());
program.addCommand(tokenCommand());

program.parseAsync().catch((error: unknown) => {
  // Configuration, connection and API errors are the user's to fix: one line, not a stack; a bug keeps its stack.
  console.error(failureLine(error) ?? error);
  process.exit(EXIT.ERROR);
});
