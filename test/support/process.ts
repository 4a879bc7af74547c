/**
 * `rostergate serve` in a process of its own, for the tests that kill it: the same binary and
 * environment an operator runs, talked to over HTTP only.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServedGateway {
  child: ChildProcess;
  url: string;
}

/** A `rostergate` command in a process of its own, and everything it has printed so far. */
interface Started {
  child: ChildProcess;
  /** stdout and stderr as printed so far. */
  output(): string;
}

/**
 * Starts `bin/rostergate.js <command>` (or another `entry`, such as the compiled `dist/main.js`) with
 * `env` (and PATH/HOME), adding the child to `children` so the caller can kill whatever is left;
 * resolves once its output matches `ready`, with the match.
 */
function startCommand(command: string[], env: Record<string, string>, children: Set<ChildProcess>, ready: RegExp, entry: string) {
  const child = spawn(process.execPath, [entry, ...command], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const started: Started = { child, output: () => output };
  return new Promise<{ started: Started; match: RegExpExecArray }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve({ started, match });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`rostergate ${command.join(' ')} exited with ${code}: ${output}`)));
  });
}

/** Starts `rostergate serve` (see `startCommand`); resolves once it says it is listening. */
export async function serveProcess(env: Record<string, string>, children: Set<ChildProcess>, entry = 'bin/rostergate.js'): Promise<ServedGateway> {
  const { started, match } = await startCommand(['serve'], env, children, /listening on (http:\/\/[^\s/]+)/, entry);
  return { child: started.child, url: match[1]! };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The ids of the runs whose jobs it has taken so far (its `run job taken` log lines: give it ROSTERGATE_LOG_LEVEL=info). */
  taken(): string[];
}

/** Starts `rostergate worker` (see `startCommand`); resolves once it says it takes runs. */
export async function workerProcess(env: Record<string, string>, children: Set<ChildProcess>): Promise<WorkerProcess> {
  const { started } = await startCommand(['worker'], env, children, /rostergate worker taking runs/, 'bin/rostergate.js');
  const taken = () =>
    started
      .output()
      .split('\n')
      .filter((line) => line.includes('"run job taken"'))
      .map((line) => (JSON.parse(line) as { runId: string }).runId);
  return { child: started.child, taken };
}

/** A GraphQL client for a gateway at any URL, as the holder of `token`; any error fails the call. */
export function graphqlAs(token: string) {
  return async <T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
}
