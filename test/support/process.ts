/**
 * `rostergate serve` in a process of its own, for the tests that kill it: the same binary and
 * environment an operator runs, talked to over HTTP only.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServedGateway {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `bin/rostergate.js serve` (or another `entry`, such as the compiled `dist/main.js`) with `env` (and PATH/HOME), adding the child to `children` so the
 * caller can kill whatever is left; resolves once it says it is listening.
 */
export function serveProcess(env: Record<string, string>, children: Set<ChildProcess>, entry = 'bin/rostergate.js'): Promise<ServedGateway> {
  const child = spawn(process.execPath, [entry, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[^\s/]+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`rostergate exited with ${code}: ${output}`)));
  });
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
