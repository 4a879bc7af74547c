/**
 * Following a run over graphql-ws (`syncProgress`) until it rests: finished, or AWAITING_APPROVAL,
 * where a person must act, so the follower stops there and says so rather than wait silently.
 * On a terminal the progress is a cli-progress bar; elsewhere one line per status change, so a log
 * file reads as a history; with --json nothing, so stdout stays one document.
 */
import { Presets, SingleBar } from 'cli-progress';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { GatewayRefusalError, GatewayUnreachableError, causeCode, refusalFrom, type GraphQLErrorView, type Target } from './client.js';
import { isResting } from './exit.js';

export interface ProgressView {
  status: string;
  phase: string;
  done: number;
  total: number;
  etaMs: number | null;
  message: string | null;
}

const PROGRESS = `subscription Progress($runId: ID!) {
  syncProgress(runId: $runId) { status phase done total etaMs message }
}`;

/** How a follower shows progress. */
export interface Display {
  update(event: ProgressView): void;
  stop(): void;
}

export function displayFor(options: { json: boolean }, runId: string): Display {
  if (options.json) return { update: () => undefined, stop: () => undefined };
  return process.stdout.isTTY ? barDisplay() : lineDisplay(runId);
}

function barDisplay(): Display {
  const bar = new SingleBar(
    { format: '{phase} [{bar}] {value}/{total}{etaText}', stream: process.stdout, hideCursor: true, emptyOnZero: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(event) {
      const payload = { phase: event.phase.padEnd(17), etaText: event.etaMs ? `  eta ${Math.ceil(event.etaMs / 1000)}s` : '' };
      if (!started) bar.start(event.total, event.done, payload);
      else bar.setTotal(event.total);
      started = true;
      bar.update(event.done, payload);
    },
    stop: () => bar.stop(),
  };
}

function lineDisplay(runId: string): Display {
  let status = '';
  return {
    update(event) {
      if (event.status === status) return;
      status = event.status;
      process.stdout.write(`run ${runId} ${status}\n`);
    },
    stop: () => undefined,
  };
}

/** Resolves with the event the run rested at (null when the stream ended without one). */
export function follow(target: Target, runId: string, display: Display): Promise<ProgressView | null> {
  const client = createClient({
    url: target.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${target.token}` },
    retryAttempts: 3,
  });
  let last: ProgressView | null = null;
  return new Promise<ProgressView | null>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      display.stop();
      void client.dispose();
      outcome();
    };
    client.subscribe<{ syncProgress: ProgressView }>(
      { query: PROGRESS, variables: { runId } },
      {
        next: ({ data, errors }) => {
          if (errors?.length) {
            settle(() => reject(refusalFrom(errors)));
            return;
          }
          if (!data) return;
          last = data.syncProgress;
          display.update(last);
          // AWAITING_APPROVAL is not final for the server, so the stream would stay open: stop here.
          if (isResting(last.status)) settle(() => resolve(last));
        },
        error: (error) => settle(() => reject(subscriptionFailure(target.url, error))),
        complete: () => settle(() => resolve(last)),
      },
    );
  });
}

/** graphql-ws reports GraphQL errors as a list, a refused connection as a close or error event. */
function subscriptionFailure(url: string, error: unknown): Error {
  if (Array.isArray(error)) return refusalFrom(error as GraphQLErrorView[]);
  if (isCloseEvent(error)) {
    // 4401/4403: the server refused the token (graphql-ws's Unauthorized/Forbidden close codes).
    if (error.code === 4401 || error.code === 4403) return new GatewayRefusalError('UNAUTHENTICATED', error.reason || 'the gateway refused the token');
    return new GatewayUnreachableError(url, `websocket closed ${error.code}${error.reason ? `: ${error.reason}` : ''}`);
  }
  const inner = typeof error === 'object' && error !== null && 'error' in error ? error.error : error;
  return new GatewayUnreachableError(url, causeCode(inner));
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number' && 'reason' in value;
}
