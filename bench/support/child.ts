/**
 * A TypeScript module run in a child process under tsx, which reports readiness with one IPC
 * message and stops when the parent disconnects (so a crashed benchmark leaves no servers behind).
 */
import { fork } from 'node:child_process';
import { cpuMsOf } from './cpu.js';
import { peakRssOf } from './memory.js';

export interface Child<T> {
  /** What the child sent when it was ready. */
  ready: T;
  pid: number;
  /** The child's peak resident set, bytes (Linux `VmHWM`); null elsewhere. */
  peakRss(): Promise<number | null>;
  /** The child's CPU time so far, ms; null where /proc is not available. */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

export async function startChild<T>(file: string, argument: unknown): Promise<Child<T>> {
  const child = fork(file, [JSON.stringify(argument)], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${String(code)} before it was ready`)));
  });
  child.removeAllListeners('exit');
  const pid = child.pid ?? 0;
  return {
    ready,
    pid,
    peakRss: () => peakRssOf(pid),
    cpuMs: () => cpuMsOf(pid),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || !child.connected) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** The child's side: the JSON argument the parent passed. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the parent and child agree on the argument's shape; T names it at the call
export function childArgument<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** The child's side: report readiness, and close and exit when the parent goes away. */
export function serveUntilDisconnect(ready: unknown, close: () => Promise<void>): void {
  process.send?.(ready);
  process.on('disconnect', () => void close().then(() => process.exit(0)));
}
