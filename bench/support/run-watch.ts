/**
 * Watches a tenant's runs from outside, by sampling: which phase the active run is in, and how
 * many Litmos requests the gateway has sent. Sampling rather than subscribing, because
 * webhook-triggered runs are started by the gateway itself and the benchmark learns their ids
 * only afterwards.
 */
import type { Tenant } from '../../src/tenant.js';
import type { SyncRunStatus } from '../../src/core/run.js';

export interface RunWatchResult {
  /** Time seen in each phase, summed over runs, ms (to the sampling period). */
  phases: { reading: number; applying: number };
  /**
   * From the sample before the first one that saw APPLYING to the last one in which a Litmos
   * request was sent, and the requests (attempts, retries included) sent meanwhile.
   */
  apply: { ms: number; requests: number };
}

export interface RunWatch {
  stop(): Promise<RunWatchResult>;
}

export interface RunWatchOptions {
  tenant: Tenant;
  /** Sampling period, ms. @default 20 */
  intervalMs?: number;
}

const READING: readonly SyncRunStatus[] = ['QUEUED', 'FETCHING', 'PLANNING'];

export function watchRuns(options: RunWatchOptions): RunWatch {
  const { tenant } = options;
  const attempts = () => tenant.http.litmos?.metrics().attempts ?? 0;
  const phases = { reading: 0, applying: 0 };
  let first: { at: number; attempts: number } | undefined;
  let last: { at: number; attempts: number } | undefined;
  let previous = { at: Date.now(), attempts: attempts() };
  let sampling: Promise<void> = Promise.resolve();

  const sample = async () => {
    const run = await tenant.store.runs.findActive(tenant.id, 'BAMBOOHR', [...READING, 'APPLYING']);
    const now = { at: Date.now(), attempts: attempts() };
    const elapsed = now.at - previous.at;
    if (run && READING.includes(run.status)) phases.reading += elapsed;
    if (run?.status === 'APPLYING') {
      phases.applying += elapsed;
      // Requests counted in this sample were sent after the previous one: the window opens there.
      first ??= previous;
      if (now.attempts > previous.attempts) last = now;
    }
    previous = now;
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample);
  }, options.intervalMs ?? 20);

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      const apply = first && last ? { ms: last.at - first.at, requests: last.attempts - first.attempts } : { ms: 0, requests: 0 };
      return { phases, apply };
    },
  };
}
