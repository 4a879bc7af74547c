/**
 * Prometheus metrics (prom-client), served at `/metrics`: one registry per gateway, so two gateways
 * in one process (the tests) do not add into each other's counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BudgetState } from '../datasources/budget.js';
import type { UpstreamEvent } from '../datasources/http.js';
import type { SyncRunStatus } from '../core/run.js';

export interface GatewayMetrics {
  registry: Registry;
  upstream(event: UpstreamEvent): void;
  /** A run reached a final status `seconds` after its first event. */
  runEnded(status: SyncRunStatus, seconds: number): void;
  /** Applied actions of one kind, by outcome. */
  actions(kind: string, outcome: 'ok' | 'failed', count?: number): void;
  operation(type: string): void;
  graphqlError(code: string): void;
  webhook(outcome: 'accepted' | 'refused'): void;
  /** Budgets read when scraped. */
  watchBudget(tenant: string, system: string, state: () => BudgetState): void;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  // Process metrics, the event-loop lag among them.
  collectDefaultMetrics({ register: registry, prefix: 'rostergate_' });
  const registers = [registry];
  const requests = new Counter({
    name: 'rostergate_upstream_requests_total',
    help: 'Upstream answers by system, route template and status (0: no answer).',
    labelNames: ['system', 'route', 'status'],
    registers,
  });
  const latency = new Histogram({
    name: 'rostergate_upstream_request_seconds',
    help: 'Upstream answer time.',
    labelNames: ['system'],
    registers,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const throttles = new Counter({
    name: 'rostergate_upstream_throttles_total',
    help: 'Throttled answers (429/503) by system.',
    labelNames: ['system'],
    registers,
  });
  const retries = new Counter({
    name: 'rostergate_upstream_retries_total',
    help: 'Requests retried, by system and reason.',
    labelNames: ['system', 'reason'],
    registers,
  });
  const failures = new Counter({
    name: 'rostergate_upstream_failures_total',
    help: 'Requests given up on, by system and error code.',
    labelNames: ['system', 'code'],
    registers,
  });
  const runs = new Histogram({
    name: 'rostergate_run_seconds',
    help: 'Runs by final status, and how long they took.',
    labelNames: ['status'],
    registers,
    buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
  });
  const actions = new Counter({
    name: 'rostergate_actions_total',
    help: 'Applied plan actions by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const operations = new Counter({ name: 'rostergate_graphql_operations_total', help: 'GraphQL operations by type.', labelNames: ['type'], registers });
  const errors = new Counter({ name: 'rostergate_graphql_errors_total', help: 'GraphQL errors by extensions.code.', labelNames: ['code'], registers });
  const webhooks = new Counter({ name: 'rostergate_webhook_deliveries_total', help: 'Webhook deliveries by outcome.', labelNames: ['outcome'], registers });
  const budgets = new Map<string, { labels: { tenant: string; system: string }; state: () => BudgetState }>();
  new Gauge({
    name: 'rostergate_upstream_budget_used',
    help: 'Requests counted in the rolling window of each upstream credential (in flight included).',
    labelNames: ['tenant', 'system'],
    registers,
    collect() {
      for (const { labels, state } of budgets.values()) this.set(labels, state().used);
    },
  });

  return {
    registry,
    upstream(event) {
      switch (event.type) {
        case 'response':
          requests.inc({ system: event.system, route: `${event.method} ${event.route}`, status: String(event.status) });
          latency.observe({ system: event.system }, event.durationMs / 1000);
          return;
        case 'throttle':
          throttles.inc({ system: event.system });
          return;
        case 'retry':
          retries.inc({ system: event.system, reason: event.reason });
          return;
        case 'error':
          failures.inc({ system: event.system, code: event.code });
          return;
        case 'request':
          return;
      }
    },
    runEnded: (status, seconds) => runs.observe({ status }, seconds),
    actions: (kind, outcome, count = 1) => actions.inc({ kind, outcome }, count),
    operation: (type) => operations.inc({ type }),
    graphqlError: (code) => errors.inc({ code }),
    webhook: (outcome) => webhooks.inc({ outcome }),
    watchBudget: (tenant, system, state) => void budgets.set(`${tenant}/${system}`, { labels: { tenant, system }, state }),
  };
}
