/**
 * A run's progress as a client sees it: the `syncProgress` subscription over graphql-ws. A test that
 * must wait for a run to get somewhere, in this process or another, awaits its event here rather
 * than asking again and again.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { FINAL_STATUSES, type SyncRunStatus } from '../../src/core/run.js';

export interface Progress {
  sequence: number;
  status: SyncRunStatus;
  phase: string;
  done: number;
  total: number;
  budgetLimit: number;
  etaMs: number | null;
  counts: { created: number; updated: number; failed: number };
}

const SUBSCRIPTION = `subscription($runId: ID!) { syncProgress(runId: $runId) { sequence status phase done total budgetLimit etaMs counts { created updated failed } } }`;

const ended = (event: Progress) => FINAL_STATUSES.includes(event.status);

export interface WatchOptions {
  /** The event awaited. @default the final status */
  until?: (event: Progress) => boolean;
  /** How long it may take to come before the watch fails, so a broken run fails its test rather than hangs it. @default 60_000 */
  timeoutMs?: number;
}

/**
 * The run's events from its current state up to the one `until` accepts, as the holder of `token`
 * sees them at the gateway at `url`. Rejects on an error, when the run ends before that event, or
 * after `timeoutMs`.
 */
export function watchProgress(url: string, token: string, runId: string, options: WatchOptions = {}): Promise<Progress[]> {
  const until = options.until ?? ended;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const events: Progress[] = [];
  return new Promise((resolve, reject) => {
    const stop = (settle: () => void) => {
      clearTimeout(timer);
      void client.dispose();
      settle();
    };
    const fail = (message: string) => stop(() => reject(new Error(`run ${runId}: ${message}`)));
    const timer = setTimeout(() => fail(`the awaited progress event did not come within ${timeoutMs} ms`), timeoutMs);
    client.subscribe<{ syncProgress: Progress }>(
      { query: SUBSCRIPTION, variables: { runId } },
      {
        next: ({ data, errors }) => {
          if (errors) {
            fail(JSON.stringify(errors));
            return;
          }
          if (!data) return;
          events.push(data.syncProgress);
          if (until(data.syncProgress)) stop(() => resolve(events));
        },
        error: (error) => fail(error instanceof Error ? error.message : ((error as { reason?: string }).reason ?? JSON.stringify(error))),
        complete: () => fail(`its progress ended (${events.at(-1)?.status ?? 'no event'}) before the awaited event`),
      },
    );
  });
}

/** The awaited event: the last of `watchProgress`'s. */
export async function progressUntil(url: string, token: string, runId: string, options: WatchOptions = {}): Promise<Progress> {
  return (await watchProgress(url, token, runId, options)).at(-1)!;
}
