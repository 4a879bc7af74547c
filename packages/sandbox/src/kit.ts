/**
 * What every simulator shares: a tiny router, a rolling-window rate limit per credential, optional
 * latency, injected faults and the `/__sandbox/` control API. A simulator supplies its routes, how it
 * authenticates, and how it resets its state; the kit serves them over real HTTP on loopback.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BadUserInputError } from './errors.js';
import { createRandom } from './random.js';
import type { CommonQuirks } from './quirks.js';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  body: Buffer;
  /** The credential `authenticate` returned: the key the rate limit counts against. */
  credential: string;
}

export interface SimResponse {
  status: number;
  /** Reason phrase; Litmos puts its error text here ("409 UserName already exists"). */
  statusText?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Counted in the route's stats under `variants` (never sent): which kind of a request this was,
   * where one route serves reads of very different cost — BambooHR's report filtered by employee or
   * over everyone, Litmos's user list paged or searched.
   */
  statsVariant?: string;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: SimHandler;
}

export class Router {
  readonly routes: Route[] = [];

  /** `pattern` segments starting with `:` capture; a trailing `.json` on the request path is allowed. */
  on(method: string, pattern: string, handler: SimHandler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+?)';
      })
      .join('/');
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}(?:\\.json)?/?$`), names, handler });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const found = route.regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1] ?? '')));
      return { route, params };
    }
    return undefined;
  }
}

export interface RateLimit {
  /** Requests allowed per window and credential. */
  limit: number;
  /** Rolling window, ms. */
  windowMs: number;
  /** Status sent when over the limit (Litmos and BambooHR send 503; newer BambooHR endpoints 429). */
  status: 429 | 503;
  /** Whether the throttle response carries `Retry-After` (seconds until a slot frees). */
  retryAfter: boolean;
}

export interface Fault {
  /** `"GET /v1.svc/users"` (a route pattern) or omitted for every route. */
  route?: string;
  /** Respond with this status (and an empty body) instead of handling the request. */
  status?: number;
  /** `Retry-After` value to send with `status`. */
  retryAfter?: string;
  /** Wait this long before answering (or before dropping). */
  delayMs?: number;
  /** Destroy the connection without a response. */
  drop?: boolean;
  /**
   * Handle the request first, so it takes effect, and only then answer `status` or, with `drop`, cut
   * the answer mid-body: the server-side failure a client cannot tell from one that happened before
   * the effect. Such a fault waits for a request the rate limit admits, so it never goes to waste on
   * a throttled one. @default false
   */
  afterEffect?: boolean;
  /** How many matching requests this fault applies to. @default 1 */
  count?: number;
}

export interface SimulatorSpec {
  name: string;
  router: Router;
  /** Returns the credential id, or the response to send when authentication fails. */
  authenticate(req: Omit<SimRequest, 'credential' | 'params'>): string | SimResponse;
  /** Restore the seeded state (control API `POST /__sandbox/reset`). */
  reset(): void;
  /** Body of a throttled response. */
  throttled?: () => SimResponse;
  /** Extra control routes under `/__sandbox/`, e.g. BambooHR's webhook delivery. */
  control?: Router;
  rate: RateLimit;
  /** Delay added to every request, ms. @default 0 */
  latencyMs?: number;
  /**
   * Live quirk switches: `common` ones the kit applies to every API route, `vendor` ones the
   * simulator reads per request. `PUT /__sandbox/quirks` merges a flat object into whichever holds
   * each key. @default no quirks
   */
  quirks?: { common: CommonQuirks; vendor: object };
  /** The vendor's transient server error (the kit sends it for `transientErrorRate`). @default an empty 500 */
  transientError?: () => SimResponse;
  /** Seeds the fault draws, so a failing run can be replayed. @default 1 */
  seed?: number;
}

export interface RouteStats {
  count: number;
  statuses: Record<string, number>;
  /** Answered requests by the handler's `statsVariant`, for routes that set one. */
  variants?: Record<string, number>;
}

export interface SimulatorStats {
  total: number;
  throttled: number;
  routes: Record<string, RouteStats>;
}

export interface RunningSimulator {
  name: string;
  url: string;
  port: number;
  stats(): SimulatorStats;
  resetStats(): void;
  setLimits(limits: Partial<RateLimit>): void;
  setLatency(ms: number): void;
  /** Merges quirk switches by key (common or vendor); unknown keys throw. */
  setQuirks(patch: Record<string, unknown>): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timestamps of accepted requests per credential; old ones fall out as the window rolls. */
class RollingWindow {
  private readonly hits = new Map<string, number[]>();

  /** Returns 0 when the request is admitted, else ms until the oldest hit leaves the window. */
  admit(credential: string, limit: RateLimit, now = Date.now()): number {
    const recent = (this.hits.get(credential) ?? []).filter((t) => t > now - limit.windowMs);
    this.hits.set(credential, recent);
    if (recent.length >= limit.limit) return (recent[0] ?? now) + limit.windowMs - now;
    recent.push(now);
    return 0;
  }

  clear(): void {
    this.hits.clear();
  }
}

function send(res: ServerResponse, response: SimResponse, head: boolean): void {
  const body = response.body ?? '';
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(head ? undefined : body);
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A request carrying this header is spared the injected faults (format quirks still apply). */
export const QUIET_HEADER = 'x-sandbox-quiet';

const NO_COMMON_QUIRKS: CommonQuirks = { transientErrorRate: 0, dropRate: 0, retryAfterForm: 'seconds' };

/**
 * Merges `patch` into the live switch objects by key; a key neither knows is a test's typo, not a
 * no-op, and so is a value of another type than the switch's (`"0.1"` for a rate would never fire).
 */
function mergeQuirks(targets: readonly object[], patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const target = targets.find((t) => key in t) as Record<string, unknown> | undefined;
    if (!target) throw new BadUserInputError(`unknown quirk ${key}`, { key });
    if (typeof value !== typeof target[key]) {
      throw new BadUserInputError(`quirk ${key} takes a ${typeof target[key]}, received ${JSON.stringify(value)}`, { key });
    }
  }
  for (const [key, value] of Object.entries(patch)) (targets.find((t) => key in t) as Record<string, unknown>)[key] = value;
}

/**
 * `Retry-After` for a wait of `waitMs`, in the form the quirk asks for. Delta-seconds round up, as
 * a careful server's would; the HTTP-date is written the way most servers write one, by formatting
 * the instant, which truncates it to the second — so it may name a moment up to 999 ms before the
 * slot frees, and a client must wait out the whole second it names.
 */
function retryAfterValue(waitMs: number, form: CommonQuirks['retryAfterForm'], turn: number, now = Date.now()): string {
  const asDate = form === 'date' || (form === 'both' && turn % 2 === 1);
  return asDate ? new Date(now + waitMs).toUTCString() : String(Math.max(1, Math.ceil(waitMs / 1000)));
}

/** Sends the status line, headers and half the body, then cuts the connection: a response lost mid-body. */
function sendTruncated(res: ServerResponse, response: SimResponse): void {
  const body = Buffer.from(response.body ?? '');
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Length', Math.max(body.length, 2));
  res.flushHeaders();
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

export async function startSimulator(spec: SimulatorSpec, options: { port?: number; host?: string } = {}): Promise<RunningSimulator> {
  const window = new RollingWindow();
  const rate: RateLimit = { ...spec.rate };
  let latencyMs = spec.latencyMs ?? 0;
  const common = spec.quirks?.common ?? { ...NO_COMMON_QUIRKS };
  const vendorQuirks = spec.quirks?.vendor ?? {};
  const random = createRandom(spec.seed ?? 1);
  let throttles = 0;
  let faults: Fault[] = [];
  let stats: SimulatorStats = { total: 0, throttled: 0, routes: {} };
  const sockets = new Set<Socket>();

  const count = (key: string, status: number, variant?: string) => {
    stats.total += 1;
    const route = (stats.routes[key] ??= { count: 0, statuses: {} });
    route.count += 1;
    route.statuses[String(status)] = (route.statuses[String(status)] ?? 0) + 1;
    if (variant !== undefined) (route.variants ??= {})[variant] = (route.variants[variant] ?? 0) + 1;
  };

  const control = new Router()
    .on('GET', '/__sandbox/stats', () => json(200, stats))
    .on('POST', '/__sandbox/reset', () => {
      spec.reset();
      window.clear();
      faults = [];
      // The Retry-After form alternates from the start again, so a run after a reset sees the same sequence.
      throttles = 0;
      stats = { total: 0, throttled: 0, routes: {} };
      return json(200, { ok: true });
    })
    .on('POST', '/__sandbox/faults', (req) => {
      const body = JSON.parse(req.body.toString() || '{}') as Fault | Fault[];
      faults.push(...(Array.isArray(body) ? body : [body]).map((f) => ({ count: 1, ...f })));
      return json(200, { faults });
    })
    .on('DELETE', '/__sandbox/faults', () => {
      faults = [];
      return json(200, { faults });
    })
    .on('PUT', '/__sandbox/limits', (req) => {
      Object.assign(rate, JSON.parse(req.body.toString() || '{}') as Partial<RateLimit>);
      window.clear();
      return json(200, rate);
    })
    .on('GET', '/__sandbox/limits', () => json(200, rate))
    .on('GET', '/__sandbox/quirks', () => json(200, { ...common, ...vendorQuirks }))
    .on('PUT', '/__sandbox/quirks', (req) => {
      try {
        mergeQuirks([common, vendorQuirks], JSON.parse(req.body.toString() || '{}') as Record<string, unknown>);
      } catch (error) {
        return json(400, { error: String(error) });
      }
      return json(200, { ...common, ...vendorQuirks });
    })
    .on('PUT', '/__sandbox/latency', (req) => {
      latencyMs = (JSON.parse(req.body.toString() || '{}') as { ms?: number }).ms ?? 0;
      return json(200, { ms: latencyMs });
    });
  for (const route of spec.control?.routes ?? []) control.routes.push(route);

  /** The first armed fault for `key` of the given kind, spent by one. */
  const takeFault = (key: string, afterEffect: boolean): Fault | undefined => {
    const fault = faults.find((f) => (f.count ?? 1) > 0 && (!f.route || f.route === key) && (f.afterEffect ?? false) === afterEffect);
    if (!fault) return undefined;
    fault.count = (fault.count ?? 1) - 1;
    faults = faults.filter((f) => (f.count ?? 0) > 0);
    return fault;
  };

  /** A fault in place of handling; false when it only delays (the request then goes on as usual). */
  const answerFault = async (req: IncomingMessage, res: ServerResponse, key: string, fault: Fault): Promise<boolean> => {
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.drop) {
      count(key, 0);
      req.socket.destroy();
      return true;
    }
    if (!fault.status) return false;
    count(key, fault.status);
    send(res, { status: fault.status, headers: fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}, body: '' }, false);
    return true;
  };

  /** An after-effect fault: the handler ran (its `response` is what the client would have had); the answer is lost. */
  const answerAfterEffect = async (res: ServerResponse, key: string, fault: Fault, response: SimResponse): Promise<void> => {
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.drop) {
      count(key, 0);
      sendTruncated(res, response);
      return;
    }
    if (!fault.status) {
      count(key, response.status, response.statsVariant);
      send(res, response, false);
      return;
    }
    count(key, fault.status);
    const error = fault.status === 500 && spec.transientError ? spec.transientError() : { status: fault.status, body: '' };
    send(res, { ...error, status: fault.status, headers: { ...error.headers, ...(fault.retryAfter && { 'Retry-After': fault.retryAfter }) } }, false);
  };

  const sendTransient = (res: ServerResponse, key: string) => {
    const error = spec.transientError?.() ?? { status: 500, body: '' };
    count(key, error.status);
    send(res, error, false);
  };

  const sendThrottled = (res: ServerResponse, key: string, waitMs: number) => {
    stats.throttled += 1;
    count(key, rate.status);
    const throttled = spec.throttled?.() ?? { status: rate.status, body: '' };
    const headers = { ...throttled.headers };
    if (rate.retryAfter) headers['Retry-After'] = retryAfterValue(waitMs, common.retryAfterForm, throttles++);
    send(res, { ...throttled, status: rate.status, headers }, false);
  };

  // The handler answers every failure itself (try/catch around all of it), so its promise never rejects.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- see above
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      const base = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body };

      if (url.pathname.startsWith('/__sandbox/')) {
        const found = control.match(method, url.pathname);
        const response = found
          ? await found.route.handler({ ...base, params: found.params, credential: 'control' })
          : json(404, { error: `no control route ${method} ${url.pathname}` });
        send(res, response, false);
        return;
      }

      if (latencyMs > 0) await sleep(latencyMs);
      const found = spec.router.match(method, url.pathname);
      const key = found ? `${found.route.method} ${found.route.pattern}` : `${method} (unmatched)`;

      const fault = takeFault(key, false);
      if (fault && (await answerFault(req, res, key, fault))) return;

      const credential = spec.authenticate(base);
      if (typeof credential !== 'string') {
        count(key, credential.status);
        send(res, credential, method === 'HEAD');
        return;
      }

      const waitMs = window.admit(credential, rate);
      if (waitMs > 0) {
        sendThrottled(res, key, waitMs);
        return;
      }

      const handle = () =>
        found ? found.route.handler({ ...base, params: found.params, credential }) : json(404, { error: `no route ${method} ${url.pathname}` });
      const after = takeFault(key, true);
      if (after) {
        await answerAfterEffect(res, key, after, await handle());
        return;
      }

      // Injected faults are drawn only for routes that exist (a 404 stays a 404), and never for a
      // request marked QUIET_HEADER: a test's own HR admin and Litmos checks are the oracle, not the
      // client under test, and a hire repeated after a lost answer would be a second person.
      const faultable = found !== undefined && req.headers[QUIET_HEADER] === undefined;
      const transient = faultable && random.chance(common.transientErrorRate);
      if (transient && random.chance(0.5)) {
        sendTransient(res, key);
        return;
      }
      const response = await handle();
      // The request took effect; only its answer is lost to a server error.
      if (transient) {
        sendTransient(res, key);
        return;
      }
      if (faultable && method !== 'HEAD' && random.chance(common.dropRate)) {
        count(key, 0);
        sendTruncated(res, response);
        return;
      }
      count(key, response.status, response.statsVariant);
      send(res, response, method === 'HEAD');
    } catch (error) {
      // A simulator bug must surface in the test that hit it, not hang the client.
      send(res, json(500, { error: String(error) }), false);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    name: spec.name,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { total: 0, throttled: 0, routes: {} };
    },
    setLimits: (limits) => {
      Object.assign(rate, limits);
      window.clear();
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setQuirks: (patch) => mergeQuirks([common, vendorQuirks], patch),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
