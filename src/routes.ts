/**
 * The plain HTTP routes beside `/graphql`: liveness, readiness, and run reports (same bearer token
 * as the API).
 *
 * Readiness of an upstream is two steps: a TCP connect on every probe (free), and one cheap
 * authenticated API call (`UpstreamReadiness`) that proves the base path and the credential —
 * a wrong `/v1.svc` or a revoked key answer every real call with 404/401 while the port is open.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from './context.js';
import { acceptedForms } from './datasources/base-url.js';
import type { UpstreamClient, UpstreamRequest } from './datasources/http.js';
import { isRostergateError, NotFoundError, type UpstreamSystem } from './errors.js';
import { deliveryHeaders } from './datasources/bamboohr/delivery.js';
import { sendJson, type ExtraRoute } from './server.js';
import type { GatewayStore } from './tenant.js';
import { reportCsv } from './reports.js';
import { upgradeRecord } from './core/run.js';
import type { Tenant } from './tenant.js';
import type { Telemetry } from './telemetry/observe.js';

export interface RouteDeps {
  store: GatewayStore;
  tenant: Tenant;
  authenticate: (authorization: string | undefined) => Promise<Principal>;
  /** API checks of the configured upstreams; without it (the embedded sandbox) readiness is the TCP connect alone. */
  upstreams?: UpstreamReadiness;
  /** Distributed mode: answers once Redis (queue, budgets, progress) does. */
  pingRedis?: () => Promise<unknown>;
  /** Largest webhook delivery read, bytes; a larger one is refused unread. @default 262_144 */
  maxWebhookBytes?: number;
  telemetry: Telemetry;
}

export function gatewayRoutes({ store, tenant, authenticate, upstreams, pingRedis, maxWebhookBytes, telemetry }: RouteDeps): ExtraRoute[] {
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
          'content-disposition': `attachment; filename="rostergate-${run.source.toLowerCase()}-${runId}.csv"`,
        });
        // ?bom=1 for Excel, which otherwise reads UTF-8 without a BOM as the legacy code page.
        res.end(reportCsv(run, records.map(upgradeRecord), { bom: url.searchParams.get('bom') === '1' }));
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

/** One upstream's cheap authenticated call, with the names an operator needs when it fails. */
export interface UpstreamProbe {
  system: UpstreamSystem;
  /** The tenant's client for it: the call counts against the same rate budget as every other. */
  client: UpstreamClient;
  /** Where it points, e.g. `LITMOS_BASE_URL`. */
  baseUrlSetting: string;
  /** What authenticates it, e.g. `LITMOS_API_KEY`. */
  credentialSetting: string;
  /** The origin configured, so the message can show both accepted forms on the operator's own host. */
  origin: string;
  /** Query every call to this vendor needs (Litmos's `source`). */
  query?: Record<string, string>;
}

interface ProbeCall {
  vendor: string;
  request: Pick<UpstreamRequest, 'path' | 'query' | 'headers'>;
  /** True when a 2xx body is this vendor's answer, not some other service's page. */
  recognise(body: unknown): boolean;
  /** Said after a 404, beside the base path. */
  notFound: string;
  /** Said after a 401/403, beside the credential. */
  rejected: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The cheapest authenticated read of each vendor (UPSTREAMS.md: BambooHR's self, Namely's me, one Litmos user). */
const PROBE_CALLS: Record<UpstreamSystem, ProbeCall> = {
  bamboohr: {
    vendor: 'BambooHR',
    // Employee 0 is the key's own employee: `{"id":"8"}` for any valid key and company.
    request: { path: '/employees/0', headers: { accept: 'application/json' } },
    recognise: (body) => isObject(body) && 'id' in body,
    notFound: 'the base path is wrong or names no company',
    rejected: '',
  },
  namely: {
    vendor: 'Namely',
    request: { path: '/profiles/me', headers: { accept: 'application/json' } },
    recognise: (body) => isObject(body) && Array.isArray(body.profiles),
    notFound: 'the base path is wrong',
    rejected: ' — a personal access token also stops working when its user is deactivated',
  },
  litmos: {
    vendor: 'Litmos',
    request: { path: '/users', query: { limit: 1, format: 'json' } },
    recognise: (body) => Array.isArray(body),
    notFound: 'the base path is wrong',
    rejected: '',
  },
};

/** What the probe got: an answer (any status), or the client's error after its retries. */
export type ProbeOutcome = { status: number; body: string } | { error: string };

/** Pure: the verdict on an upstream from its probe's outcome, `'ok'` or a sentence naming the setting to fix. */
export function judgeProbe(probe: Pick<UpstreamProbe, 'system' | 'baseUrlSetting' | 'credentialSetting' | 'origin'>, outcome: ProbeOutcome): string {
  const call = PROBE_CALLS[probe.system];
  const what = `GET ${call.request.path}`;
  const expected = `expected ${acceptedForms(probe.system, probe.origin)}`;
  if ('error' in outcome) return `${call.vendor} could not be checked (${what}): ${outcome.error}`;
  const { status } = outcome;
  if (status === 401 || status === 403) return `${probe.credentialSetting} was rejected (${status})${call.rejected}`;
  if (status === 404) return `${probe.baseUrlSetting}: ${what} answered 404 — ${call.notFound}; ${expected}`;
  if (status >= 200 && status < 300) {
    let body: unknown;
    try {
      body = JSON.parse(outcome.body);
    } catch {
      body = undefined;
    }
    if (call.recognise(body)) return 'ok';
    return `${probe.baseUrlSetting}: ${what} answered ${status} but not as ${call.vendor}'s API does — is it another service? ${expected}`;
  }
  return `${call.vendor} could not be checked (${what} answered ${status})`;
}

async function runProbe(probe: UpstreamProbe): Promise<string> {
  const call = PROBE_CALLS[probe.system];
  try {
    const response = await probe.client.request({
      method: 'GET',
      ...call.request,
      query: { ...call.request.query, ...probe.query },
      // Returned, not thrown: these are the answers the verdict explains. 5xx and throttles are retried first.
      accept: [400, 401, 403, 404, 405, 410],
    });
    return judgeProbe(probe, { status: response.status, body: response.body });
  } catch (error) {
    // The client's errors show redacted URLs and never a credential; anything else is reported by kind only.
    return judgeProbe(probe, { error: isRostergateError(error) ? error.message : 'unexpected failure' });
  }
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
      const checking = `checking ${entry.probe.baseUrlSetting} and ${entry.probe.credentialSetting} (GET ${PROBE_CALLS[system].request.path})`;
      return waited ?? entry.verdict ?? checking;
    },
  };
}
