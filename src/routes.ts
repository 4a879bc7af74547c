/**
 * The plain HTTP routes beside `/graphql`: liveness, readiness, run reports (same bearer token
 * as the API), and the console's page and assets (src/console.ts).
 *
 * Readiness of an upstream is two steps: a TCP connect on every probe (free), and one cheap
 * authenticated API call (`UpstreamReadiness`) that proves the base path and the credential —
 * a wrong `/v1.svc` or a revoked key answer every real call with 404/401 while the port is open.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from './context.js';
import { probePath, probeUpstream, verdictText, type UpstreamProbe } from './datasources/probe.js';
import { isRostergateError, NotFoundError, type UpstreamSystem } from './errors.js';
import { deliveryHeaders } from './datasources/bamboohr/delivery.js';
import { sendJson, type ExtraRoute } from './server.js';
import type { GatewayStore } from './tenant.js';
import { reportCsv, reportFileName } from './reports.js';
import { consoleRoutes } from './console.js';
import { upgradeRecord } from './core/run.js';
import type { Tenant } from './tenant.js';
import type { Telemetry } from './telemetry/observe.js';

export interface RouteDeps {
  store: GatewayStore;
  /** The default tenant as it is now (opened again when its connections change). */
  tenant: () => Promise<Tenant>;
  authenticate: (authorization: string | undefined) => Promise<Principal>;
  /** API checks of the configured upstreams; without it (the embedded sandbox) readiness is the TCP connect alone. */
  upstreams?: UpstreamReadiness;
  /** Distributed mode: answers once Redis (queue, budgets, progress) does. */
  pingRedis?: () => Promise<unknown>;
  /** Largest webhook delivery read, bytes; a larger one is refused unread. @default 262_144 */
  maxWebhookBytes?: number;
  telemetry: Telemetry;
}

export function gatewayRoutes({ store, tenant: current, authenticate, upstreams, pingRedis, maxWebhookBytes, telemetry }: RouteDeps): ExtraRoute[] {
  return [
    { method: 'GET', path: /^\/healthz$/, handle: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    {
      // Unauthenticated, as Prometheus scrapers expect (like /healthz): counts and labels only, no
      // credential or personal data. Where the gateway faces the internet, keep /metrics at the proxy.
      method: 'GET',
      path: /^\/metrics$/,
      handle: async ({ res }) => {
        const { registry } = telemetry.metrics;
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      },
    },
    {
      method: 'GET',
      path: /^\/readyz$/,
      handle: async ({ res }) => {
        const checks: Record<string, string> = {};
        const check = (name: string, ping: () => Promise<unknown>) =>
          ping().then(
            () => (checks[name] = 'ok'),
            (error: unknown) => (checks[name] = String(error)),
          );
        await Promise.all([check('store', () => store.ping()), pingRedis && check('redis', pingRedis)]);
        const tenant = await current();
        // A TCP connect on every probe, since it costs the vendors nothing; the API check behind it
        // spends one call per upstream at most once a minute while it fails, and none once it has passed.
        await Promise.all(
          tenant.origins.map(async ({ system, url }) => {
            const tcp = await reachable(url);
            checks[system] = tcp === 'ok' ? ((await upstreams?.verdict(system)) ?? 'ok') : tcp;
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
      maxBodyBytes: maxWebhookBytes ?? 256 * 1024,
      handle: async ({ req, res, body }) => {
        const tenant = await current();
        const queued = await tenant.webhooks.receive(await body(), deliveryHeaders(req.headers)).catch((error: unknown) => {
          telemetry.metrics.webhook('refused');
          telemetry.log.warn({ tenant: tenant.id, source: 'BAMBOOHR', code: isRostergateError(error) ? error.code : 'INTERNAL' }, 'webhook delivery refused');
          throw error;
        });
        telemetry.metrics.webhook('accepted');
        telemetry.log.info({ tenant: tenant.id, source: 'BAMBOOHR', queued }, 'webhook delivery accepted');
        sendJson(res, 202, { queued });
      },
    },
    {
      method: 'GET',
      path: /^\/reports\/([0-9a-f-]{36})\.csv$/,
      handle: async ({ req, res, url, params }) => {
        const principal = await authenticate(req.headers.authorization);
        const runId = params[0] ?? '';
        const run = await store.runs.get(principal.tenant, runId);
        if (!run) throw new NotFoundError(`no sync run ${runId}`, { runId });
        const records = await store.records.all(principal.tenant, runId);
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${reportFileName(run)}"`,
        });
        // ?bom=1 for Excel, which otherwise reads UTF-8 without a BOM as the legacy code page.
        res.end(reportCsv(run, records.map(upgradeRecord), { bom: url.searchParams.get('bom') === '1' }));
      },
    },
    ...consoleRoutes(),
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

export { judgeProbe, type ProbeOutcome, type UpstreamProbe } from './datasources/probe.js';

async function runProbe(probe: UpstreamProbe): Promise<string> {
  return verdictText(await probeUpstream(probe));
}

export interface UpstreamReadinessOptions {
  probes: UpstreamProbe[];
  /** Least time between two API checks of a failing upstream, ms. @default 60_000 */
  recheckMs?: number;
  /** Longest a readiness request waits for a check in flight before answering "checking", ms. @default 3_000 */
  waitMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface UpstreamReadiness {
  /** Checks every upstream now (at start); resolves with the messages of those that failed. Never rejects. */
  checkAll(): Promise<string[]>;
  /** The verdict on `system`: `'ok'`, a message, or undefined when it is not checked here. */
  verdict(system: UpstreamSystem): Promise<string | undefined>;
}

/**
 * Each upstream is checked once at start. A failing one is checked again when readiness is next
 * asked, but at most every `recheckMs`, so probes every few seconds do not spend the vendor's rate
 * budget; a passing one is not checked again — its base path and credential are proven, later
 * outages show in the TCP step and in the calls themselves, and a flapping readiness would take
 * every replica out of service at once for a vendor's blip.
 */
export function createUpstreamReadiness(options: UpstreamReadinessOptions): UpstreamReadiness {
  const recheckMs = options.recheckMs ?? 60_000;
  const waitMs = options.waitMs ?? 3_000;
  const now = options.now ?? Date.now;
  interface Entry {
    probe: UpstreamProbe;
    /** The last verdict; undefined until the first check has answered. */
    verdict?: string;
    /** When the last check was sent (`now()`). */
    at: number;
    pending?: Promise<string>;
  }
  const state = new Map<UpstreamSystem, Entry>(options.probes.map((probe) => [probe.system, { probe, at: 0 }]));

  const check = (system: UpstreamSystem): Promise<string> => {
    const entry = state.get(system);
    if (!entry) return Promise.resolve('ok');
    if (entry.pending) return entry.pending;
    entry.at = now();
    entry.pending = runProbe(entry.probe).then((verdict) => {
      entry.verdict = verdict;
      entry.pending = undefined;
      return verdict;
    });
    return entry.pending;
  };

  return {
    async checkAll() {
      const verdicts = await Promise.all([...state.keys()].map(check));
      return verdicts.filter((verdict) => verdict !== 'ok');
    },
    async verdict(system) {
      const entry = state.get(system);
      if (!entry) return undefined;
      if (entry.verdict === 'ok') return 'ok';
      const due = entry.verdict === undefined || now() - entry.at >= recheckMs;
      const pending = entry.pending ?? (due ? check(system) : undefined);
      if (!pending) return entry.verdict;
      const waited = await Promise.race([pending, sleep(waitMs, undefined, { ref: false })]);
      const checking = `checking ${entry.probe.baseUrlSetting} and ${entry.probe.credentialSetting} (GET ${probePath(system)})`;
      return waited ?? entry.verdict ?? checking;
    },
  };
}
