/**
 * Optional traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, each upstream call of a sync reaches an
 * OTLP/HTTP collector as a span named by system, method and route template — never a URL with ids or
 * a credential. The collector here is a plain HTTP server on loopback that keeps what it is sent.
 */
import { SANDBOX_CREDENTIALS } from '@rostergate/sandbox';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_FAULTS, startTestGateway } from '../support/gateway.js';
import { relaxSafeguard, sync } from '../support/sync.js';

interface ExportedSpan {
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}
interface TraceExport {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: ExportedSpan[] }[] }[];
}

let collector: Server;
const received: string[] = [];
beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => collector.once('listening', resolve));
});
afterAll(() => collector.close());

describe('traces', () => {
  it('exports each upstream call of a sync as a span to the OTLP endpoint', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const t = await startTestGateway({ employees: 20, seed: 6, quirks: QUIET_FAULTS, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    try {
      await relaxSafeguard(t);
      expect((await sync(t)).status).toBe('SUCCEEDED');
    } finally {
      // Closing flushes the batch.
      await t.close();
    }
    const exports = received.map((body) => JSON.parse(body) as TraceExport);
    const spans = exports.flatMap((each) => each.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((scope) => scope.spans)));
    const names = new Set(spans.map((span) => span.name));
    expect(names).toContain('litmos POST /users');
    expect(names).toContain('bamboohr POST /reports/custom');
    // Ids are templated out of the names: one name per route, however many users were read.
    expect(names).toContain('litmos GET /users/:id');
    expect([...names].filter((name) => /\/[^/]*\d/.test(name.split(' ')[2] ?? ''))).toEqual([]);
    const service = exports[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.name');
    expect(service?.value.stringValue).toBe('rostergate');
    const create = spans.find((span) => span.name === 'litmos POST /users');
    expect(create?.attributes.find((a) => a.key === 'http.response.status_code')?.value.intValue).toBeDefined();
    const everything = received.join('');
    for (const secret of [SANDBOX_CREDENTIALS.litmos.apiKey, SANDBOX_CREDENTIALS.bamboohr.apiKey]) expect(everything).not.toContain(secret);
  });
});
