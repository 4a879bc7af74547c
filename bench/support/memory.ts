/**
 * Resident memory: a sampler for this process (`process.memoryUsage().rss` every few ms, because
 * the peak of a sync lasts only as long as one big read is being parsed) and the kernel's own
 * high-water mark for a child process.
 */
import { readFile } from 'node:fs/promises';

export interface RssSampler {
  /** Highest RSS seen since the sampler started or was last reset, bytes. */
  peak(): number;
  /** Highest V8 heap in use over the same time, bytes: the rest of RSS is native memory (SQLite, buffers). */
  peakHeap(): number;
  reset(): void;
  stop(): void;
}

export interface RssSamplerOptions {
  /** Sampling period, ms. @default 50 */
  intervalMs?: number;
}

export function sampleRss(options: RssSamplerOptions = {}): RssSampler {
  let peak = 0;
  let heap = 0;
  const take = () => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  };
  take();
  const timer = setInterval(take, options.intervalMs ?? 50);
  // A sampler must never be what keeps a finished benchmark alive.
  timer.unref();
  return {
    peak: () => (take(), peak),
    peakHeap: () => (take(), heap),
    reset: () => {
      peak = 0;
      heap = 0;
      take();
    },
    stop: () => clearInterval(timer),
  };
}

/** Linux's VmHWM for `pid`, bytes; null where /proc is not available. */
export async function peakRssOf(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

export const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${Math.round(bytes / 1024 / 1024)} MiB`);
