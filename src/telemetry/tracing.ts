/**
 * Optional OpenTelemetry traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, each upstream call becomes a
 * span (system, route template, status, attempt), exported over OTLP/HTTP to `<endpoint>/v1/traces`.
 * A span is made when the answer (or the failure) is known, dated back by the call's duration, so no
 * request has to be matched with its answer across concurrent calls.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { UpstreamEvent } from '../datasources/http.js';
import { VERSION } from '../version.js';

export interface Tracing {
  upstream(event: UpstreamEvent): void;
  /** Sends what is still buffered, then stops. */
  close(): Promise<void>;
}

export function startTracing(endpoint: string): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rostergate', 'service.version': VERSION }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  const tracer = provider.getTracer('rostergate', VERSION);
  return { upstream: (event) => spanOf(tracer, event), close: () => provider.shutdown() };
}

function spanOf(tracer: Tracer, event: UpstreamEvent): void {
  if (event.type !== 'response' && event.type !== 'error') return;
  const now = Date.now();
  const span = tracer.startSpan(`${event.system} ${event.method} ${event.route}`, {
    kind: SpanKind.CLIENT,
    startTime: event.type === 'response' ? now - event.durationMs : now,
    attributes: {
      'rostergate.upstream': event.system,
      'http.request.method': event.method,
      'url.template': event.route,
      'rostergate.attempt': event.attempt,
      ...(event.status > 0 && { 'http.response.status_code': event.status }),
      ...(event.type === 'error' && { 'error.type': event.code }),
    },
  });
  if (event.type === 'error' || event.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(now);
}
