/**
 * CPU time, this process's and a child's: a run that waits on a simulator busy on its own core is not
 * slow for the gateway's sake, and only the two side by side say which it is.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** This process's CPU time so far, ms (user + system, every thread: libuv's pool included). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second, the unit of /proc's CPU times (100 almost everywhere; asked once). */
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** `pid`'s CPU time so far, ms (Linux /proc, in clock ticks); null where /proc is not available. */
export async function cpuMsOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): state is the first,
    // utime and stime the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks() : null;
  } catch {
    return null;
  }
}
