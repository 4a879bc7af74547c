/**
 * What the gateway tells its operators, from the events its parts already emit: the upstream
 * client's request events, the progress bus's run events, the engine's applied actions. Metrics
 * count all of them; the log gets a line for what a person would act on.
 */
import type { ActionResult } from '../core/plan-types.js';
import { ACTIVE_STATUSES } from '../core/run.js';
import type { UpstreamEvent } from '../datasources/http.js';
import type { ProgressEvent } from '../sync/progress.js';
import type { Logger } from './log.js';
import type { OperationObserver } from '../server.js';
import type { GatewayMetrics } from './metrics.js';
import type { Tracing } from './tracing.js';

export interface Telemetry {
  log: Logger;
  metrics: GatewayMetrics;
  /** Upstream calls as spans, when an OTLP endpoint is configured. */
  tracing?: Tracing;
}

/** For the upstream client's `onEvent`: throttles, retries and failures logged with the route template, never the URL's ids or secrets. */
export function observeUpstream({ log, metrics, tracing }: Telemetry, tenant: string): (event: UpstreamEvent) => void {
  return (event) => {
    metrics.upstream(event);
    tracing?.upstream(event);
    const where = { tenant, system: event.system, route: `${event.method} ${event.route}`, attempt: event.attempt };
    if (event.type === 'throttle') log.warn({ ...where, status: event.status, until: new Date(event.untilEpochMs).toISOString() }, 'upstream throttled');
    else if (event.type === 'retry') log.info({ ...where, status: event.status, delayMs: event.delayMs, reason: event.reason }, 'upstream request retried');
    else if (event.type === 'error') log.warn({ ...where, status: event.status, code: event.code }, 'upstream request failed');
  };
}

/** For the progress bus: a line each time a run's status changes, with its counts, and its duration once it ends. */
export function observeRuns({ log, metrics }: Telemetry, tenant: string): (event: ProgressEvent) => void {
  const seen = new Map<string, { status: ProgressEvent['status']; since: number }>();
  return (event) => {
    const before = seen.get(event.runId);
    if (before?.status === event.status) return;
    const since = before?.since ?? Date.parse(event.at);
    log.info(
      { tenant, runId: event.runId, status: event.status, phase: event.phase, done: event.done, total: event.total, counts: event.counts },
      `run ${event.status.toLowerCase()}`,
    );
    if (ACTIVE_STATUSES.includes(event.status)) {
      seen.set(event.runId, { status: event.status, since });
      return;
    }
    seen.delete(event.runId);
    metrics.runEnded(event.status, (Date.parse(event.at) - since) / 1000);
  };
}

export function observeActions({ metrics }: Telemetry): (result: ActionResult) => void {
  return (result) => metrics.actions(result.action.kind, result.ok ? 'ok' : 'failed');
}

/** For the HTTP/WebSocket edge: operations and answered errors counted; an INTERNAL one's cause logged, since the caller sees none of it. */
export function observeOperations({ log, metrics }: Telemetry): OperationObserver {
  return {
    operation: (type) => metrics.operation(type),
    error(code, error) {
      metrics.graphqlError(code);
      if (code === 'INTERNAL') log.error({ err: error }, 'internal error');
    },
  };
}
