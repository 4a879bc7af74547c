/**
 * The plain HTTP routes beside `/graphql`: liveness, readiness, and run reports (same bearer token
 * as the API).
 */
import { connect } from 'node:net';
import type { Principal } from './context.js';
import { NotFoundError } from './errors.js';
import { sendJson, type ExtraRoute } from './server.js';
import type { GatewayStore } from './tenant.js';
import { reportCsv } from './sync/report.js';
import type { SyncRun } from './sync/run.js';
import type { Tenant } from './tenant.js';

export interface RouteDeps {
  store: GatewayStore;
  tenant: Tenant;
  authenticate(authorization: string | undefined): Promise<Principal>;
}

export function gatewayRoutes({ store, tenant, authenticate }: RouteDeps): ExtraRoute[] {
  return [
    { method: 'GET', path: /^\/healthz$/, handle: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: /^\/readyz$/,
      handle: async ({ res }) => {
        const checks: Record<string, string> = {};
        await store.ping().then(
          () => (checks.store = 'ok'),
          (error: unknown) => (checks.store = String(error)),
        );
        // A TCP connect, not an API call: probes every few seconds must not spend the vendors' rate budgets.
        await Promise.all(
          tenant.origins.map(async ({ system, url }) => {
            checks[system] = await reachable(url);
          }),
        );
        const ready = Object.values(checks).every((value) => value === 'ok');
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      },
    },
    {
      // BambooHR retries 5xx but not 4xx: a bad signature is answered 401 and never redelivered.
      method: 'POST',
      path: /^\/webhooks\/bamboohr$/,
      // A delivery names one employee (a legacy batch, a few): 256 KiB is generous, and refused unread beyond.
      maxBodyBytes: 256 * 1024,
      handle: async ({ req, res, body }) => {
        const header = (name: string) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const queued = await tenant.webhooks.receive(await body(), {
          timestamp: header('x-bamboohr-timestamp'),
          signature: header('x-bamboohr-signature'),
          contentType: header('content-type'),
        });
        sendJson(res, 202, { queued });
      },
    },
    {
      method: 'GET',
      path: /^\/reports\/([0-9a-f-]{36})\.csv$/,
      handle: async ({ req, res, params }) => {
        const principal = await authenticate(req.headers.authorization);
        const runId = params[0] ?? '';
        const run = (await store.runs.get(principal.tenant, runId)) as SyncRun | null;
        if (!run) throw new NotFoundError(`no sync run ${runId}`, { runId });
        const records = await store.records.all(principal.tenant, runId);
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="rostergate-${run.source.toLowerCase()}-${runId}.csv"`,
        });
        res.end(reportCsv(run, records));
      },
    },
  ];
}

function reachable(url: string, timeoutMs = 2000): Promise<string> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || (protocol === 'https:' ? 443 : 80) });
    const done = (result: string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer from ${hostname} within ${timeoutMs} ms`));
    socket.once('connect', () => done('ok'));
    socket.once('error', (error) => done(`unreachable: ${error.message}`));
  });
}
