/**
 * Progress of runs, as ordered events per run. The bus here is in-process; in the distributed mode a
 * run executes in a worker while its subscribers sit on other gateway replicas, and the same
 * interface goes through Redis (scale/progress.ts) — hence `latest` and `subscribe` are asynchronous.
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
  /** Stamps the event with the run's next `sequence` and `at`, and sends it to the run's subscribers. Never throws for a transport failure. */
  publish(event: Omit<ProgressEvent, 'sequence' | 'at'>): void;
  /** The latest event of a run, so a late subscriber starts from the current state. */
  latest(runId: string): Promise<ProgressEvent | undefined>;
  /**
   * The run's events, in sequence order, until `signal` aborts (the iteration then ends). Resolves once
   * listening: every event published after that is delivered, so a caller that subscribes and then
   * reads `latest` misses none (it may see one twice, and tells by `sequence`).
   */
  subscribe(runId: string, signal: AbortSignal): Promise<AsyncIterable<ProgressEvent>>;
}

/**
 * What `emitter` emits as `name` from this call on (buffered until read), ending when `signal` aborts;
 * `onEnd` runs when a started iteration ends, however it ends.
 */
export function eventsOf<T>(emitter: EventEmitter, name: string, signal: AbortSignal, onEnd?: () => void): AsyncIterable<T> {
  // Listening starts here, not at the first `next()`: an event between the two would be lost. (`on`
  // throws at once for a signal already aborted.)
  const events = signal.aborted ? undefined : on(emitter, name, { signal });
  return (async function* () {
    try {
      if (events) for await (const [event] of events) yield event as T;
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      onEnd?.();
    }
  })();
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
    },
    latest: async (runId) => latest.get(runId),
    subscribe: async (runId, signal) => eventsOf<ProgressEvent>(emitter, runId, signal),
  };
}
