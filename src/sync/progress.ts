/**
 * Progress of runs, as ordered events per run. In-process: a subscriber on another gateway replica
 * would need a shared bus (Redis pub/sub), which is the one piece of the distributed mode not here yet.
 */
import { EventEmitter, on } from 'node:events';
import type { Clock } from '../clock.js';
import type { SyncCounts, RunPhase, SyncRunStatus } from '../core/run.js';

export interface ProgressEvent {
  runId: string;
  /** 1, 2, 3… per run: a client can tell a gap or a repeat. */
  sequence: number;
  status: SyncRunStatus;
  phase: RunPhase;
  done: number;
  total: number;
  counts: SyncCounts;
  /** The Litmos rate budget at the time of the event. */
  budget: { limit: number; windowMs: number; used: number; remaining: number };
  /** Estimated ms until the remaining actions are applied, from the budget; null when not applying. */
  etaMs: number | null;
  message: string | null;
  at: string;
}

export interface ProgressBus {
  publish(event: Omit<ProgressEvent, 'sequence' | 'at'>): ProgressEvent;
  /** The latest event of a run, so a late subscriber starts from the current state. */
  latest(runId: string): ProgressEvent | undefined;
  /** Events published after the call, until `signal` aborts. */
  subscribe(runId: string, signal: AbortSignal): AsyncIterable<ProgressEvent>;
}

/** `clock` stamps each event's `at`; `observe` sees every event as it is published (logs, metrics). */
export function createProgressBus(clock: Clock, observe?: (event: ProgressEvent) => void): ProgressBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const latest = new Map<string, ProgressEvent>();
  return {
    publish(partial) {
      const event: ProgressEvent = { ...partial, sequence: (latest.get(partial.runId)?.sequence ?? 0) + 1, at: clock().toISOString() };
      latest.set(event.runId, event);
      observe?.(event);
      emitter.emit(event.runId, event);
      return event;
    },
    latest: (runId) => latest.get(runId),
    async *subscribe(runId, signal) {
      try {
        for await (const [event] of on(emitter, runId, { signal })) yield event as ProgressEvent;
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    },
  };
}
