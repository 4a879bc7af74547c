/**
 * The environment, read once and validated: nothing else in the codebase reads `process.env`.
 * A malformed or unknown `ROSTERGATE_*` variable stops the process at start with a message naming it,
 * because a typo in a rate limit or a port is better caught before the first sync than after.
 */
import { apiBaseUrl, baseUrlVariable, parseBaseUrl, resolveCompany, type BaseUrl } from './datasources/base-url.js';
import { ConfigError, type UpstreamSystem } from './errors.js';
import { DEFAULT_LIMITS, type OperationLimits } from './limits.js';
import { parseMailbox } from './notify/targets.js';
import { LOG_LEVELS, type LogLevel } from './telemetry/log.js';

/** The vendors an operator points the default tenant at; base URLs normalised by base-url.ts. */
export interface UpstreamOverrides {
  /** `baseUrl`: the origin (`https://api.bamboohr.com`); the client adds `/api/gateway.php/{subdomain}/v1`. */
  bamboohr?: { baseUrl: string; subdomain: string; apiKey: string };
  /** `baseUrl`: the API base URI, `https://{company}.namely.com/api/v1`. */
  namely?: { baseUrl: string; token: string };
  /** `baseUrl`: the API base URI, `https://api.litmos.com/v1.svc` (or a regional host's). */
  /** `applicationName`: LITMOS_SOURCE, the calling application's name Litmos wants as its `source` parameter. */
  litmos?: { baseUrl: string; apiKey: string; applicationName: string };
}

export interface Config {
  /** Gateway port. @default 4000 */
  port: number;
  /** Interface the gateway binds. @default "127.0.0.1" */
  host: string;
  /** Where the embedded store and secret key live. @default ".rostergate" */
  dataDir: string;
  /** keyv store URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://…` or `redis://…`. @default "sqlite:<dataDir>/rostergate.sqlite" */
  storeUrl: string;
  /** 32-byte key (base64 or hex) for credentials at rest; generated into dataDir when unset. */
  secretKey?: string;
  /** Bootstrap admin API token; `serve` creates and prints one when unset. */
  adminToken?: string;
  /** Upstream read cache lifetime, seconds. @default 300 */
  cacheTtlSeconds: number;
  /** Cron expression for the scheduled full sync of each configured source; none when unset. */
  syncSchedule?: string;
  sandbox: {
    /** First of the three simulator ports (BambooHR, then Namely, then Litmos). @default 4101 */
    port: number;
    /** Where `rostergate sandbox` listens (0.0.0.0 in a container other containers call). @default 127.0.0.1 */
    host: string;
    /** People in the seeded BambooHR company (the Namely company is a fifth of it). @default 250 */
    employees: number;
    /** @default 1 */
    seed: number;
    /** Every simulator's rate window, ms; the gateway paces its budgets to the same window. @default 60000 */
    rateWindowMs: number;
    /** Delay added to every simulated upstream call, ms. @default 0 */
    latencyMs: number;
  };
  /** Requests per rate window for each upstream credential. */
  rateLimits: { bamboohr: number; namely: number; litmos: number };
  /** Rate window for the budgets, ms: the sandbox's when it is embedded. @default 60000 */
  rateWindowMs: number;
  upstreams: UpstreamOverrides;
  /** What callers may send: operation limits, body sizes, request rate, browser origins. */
  inbound: InboundLimits;
  /** True when no upstream is configured: `serve` then starts the embedded sandbox. */
  useSandbox: boolean;
  /** Lowest level logged (ROSTERGATE_LOG_LEVEL). @default "info" */
  logLevel: LogLevel;
  /** OpenTelemetry's OTEL_EXPORTER_OTLP_ENDPOINT: upstream calls are exported there as spans. @default none */
  otlpEndpoint?: string;
  /** Serve the offline GraphiQL on `GET /graphql` to browsers (ROSTERGATE_IDE=on|off). @default on with the embedded sandbox, off otherwise */
  ide: boolean;
  /** Distributed mode, selected by ROSTERGATE_REDIS_URL: runs are BullMQ jobs; budgets, progress and cache invalidation go through Redis. @default none (embedded) */
  distributed?: DistributedConfig;
  /** Outgoing notifications' deliveries (ROSTERGATE_NOTIFY_*): attempts, backoff and the timeout of one attempt; SMTP for email targets (ROSTERGATE_SMTP_*). */
  notifications: { attempts: number; retryBaseMs: number; retryMaxMs: number; timeoutMs: number; smtp?: SmtpConfig };
}

/** Where email notifications are sent from; without it, email targets are refused. */
export interface SmtpConfig {
  /** ROSTERGATE_SMTP_URL: smtp://user:pass@host:port (STARTTLS when the server offers it) or smtps:// (TLS from the start). Holds a password: never logged. */
  url: string;
  /** ROSTERGATE_SMTP_FROM: the sender, `alerts@example.com` or `Rostergate <alerts@example.com>`. */
  from: string;
}

export interface DistributedConfig {
  /** ROSTERGATE_REDIS_URL: `redis://host:port` (or `rediss://`). */
  redisUrl: string;
  /** ROSTERGATE_REDIS_PREFIX: every Redis key starts with it. @default "rostergate:" */
  prefix: string;
  /** ROSTERGATE_WORKER_CONCURRENCY: runs one worker process executes at once. @default 2 */
  concurrency: number;
  /** ROSTERGATE_WORKER_METRICS_PORT: where `rostergate worker` serves /metrics and /healthz (0: any free port); unset, nowhere. */
  metricsPort?: number;
  /**
   * ROSTERGATE_WORKER_LOCK_MS: how long a worker's hold on a run's job lasts without renewal; a worker that
   * dies mid-run has its job taken over by another about this long after. @default 30000
   */
  lockMs: number;
}

export interface InboundLimits {
  /** Per operation (ROSTERGATE_MAX_QUERY_*). @default DEFAULT_LIMITS */
  operation: OperationLimits;
  /** Largest `/graphql` body, bytes. @default 1 MiB */
  maxBodyBytes: number;
  /** Largest webhook delivery, bytes. @default 256 KiB */
  maxWebhookBytes: number;
  /** Requests per minute per caller (token, else address). @default 6000 */
  requestsPerMinute: number;
  /** Browser origins allowed to open a WebSocket. @default none */
  corsOrigins: string[];
  /** Longest a client may take to send a whole request, ms. @default 30_000 */
  requestTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

const KNOWN = new Set([
  'ROSTERGATE_PORT',
  'ROSTERGATE_HOST',
  'ROSTERGATE_DATA_DIR',
  'ROSTERGATE_STORE_URL',
  'ROSTERGATE_SECRET_KEY',
  'ROSTERGATE_ADMIN_TOKEN',
  'ROSTERGATE_CACHE_TTL_SECONDS',
  'ROSTERGATE_SYNC_SCHEDULE',
  'ROSTERGATE_SANDBOX_PORT',
  'ROSTERGATE_SANDBOX_HOST',
  'ROSTERGATE_WORKER_METRICS_PORT',
  'ROSTERGATE_SANDBOX_EMPLOYEES',
  'ROSTERGATE_SANDBOX_SEED',
  'ROSTERGATE_SANDBOX_RATE_WINDOW_MS',
  'ROSTERGATE_SANDBOX_LATENCY_MS',
  'ROSTERGATE_BAMBOOHR_RATE_LIMIT',
  'ROSTERGATE_NAMELY_RATE_LIMIT',
  'ROSTERGATE_LITMOS_RATE_LIMIT',
  'ROSTERGATE_RATE_WINDOW_MS',
  'ROSTERGATE_URL',
  'ROSTERGATE_TOKEN',
  'ROSTERGATE_MAX_QUERY_COST',
  'ROSTERGATE_MAX_QUERY_DEPTH',
  'ROSTERGATE_MAX_QUERY_ALIASES',
  'ROSTERGATE_MAX_QUERY_DIRECTIVES',
  'ROSTERGATE_MAX_QUERY_TOKENS',
  'ROSTERGATE_MAX_BODY_BYTES',
  'ROSTERGATE_MAX_WEBHOOK_BYTES',
  'ROSTERGATE_REQUESTS_PER_MINUTE',
  'ROSTERGATE_CORS_ORIGINS',
  'ROSTERGATE_REQUEST_TIMEOUT_MS',
  'ROSTERGATE_LOG_LEVEL',
  'ROSTERGATE_IDE',
  'ROSTERGATE_REDIS_URL',
  'ROSTERGATE_REDIS_PREFIX',
  'ROSTERGATE_WORKER_CONCURRENCY',
  'ROSTERGATE_WORKER_LOCK_MS',
  'ROSTERGATE_NOTIFY_ATTEMPTS',
  'ROSTERGATE_NOTIFY_RETRY_MS',
  'ROSTERGATE_NOTIFY_RETRY_MAX_MS',
  'ROSTERGATE_NOTIFY_TIMEOUT_MS',
  'ROSTERGATE_SMTP_URL',
  'ROSTERGATE_SMTP_FROM',
]);

function logLevel(env: Env): LogLevel {
  const raw = env.ROSTERGATE_LOG_LEVEL || 'info';
  const level = LOG_LEVELS.find((known) => known === raw);
  if (level === undefined)
    throw new ConfigError(`ROSTERGATE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; received "${raw}"`, { variable: 'ROSTERGATE_LOG_LEVEL' });
  return level;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; received "${raw}"`, { variable: name });
  }
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new ConfigError(`${name} must be on or off; received "${raw}"`, { variable: name });
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL; received "${raw}"`, { variable: name });
  }
  return raw.replace(/\/+$/, '');
}

/** A vendor's base URL by the one rule in base-url.ts (origin or documented base URI); undefined when unset. */
function vendorBase(env: Env, vendor: UpstreamSystem): BaseUrl | undefined {
  const raw = env[baseUrlVariable(vendor)];
  return raw === undefined || raw === '' ? undefined : parseBaseUrl(vendor, raw);
}

/** All or none: half a set of credentials is a mistake worth stopping for. */
function group<T>(names: string[], env: Env, build: (values: string[]) => T): T | undefined {
  const values = names.map((name) => env[name] ?? '');
  const present = values.filter((value) => value !== '');
  if (present.length === 0) return undefined;
  const missing = names.filter((_, i) => values[i] === '');
  if (missing.length > 0) {
    throw new ConfigError(`${missing.join(', ')} must be set together with ${names.filter((n) => !missing.includes(n)).join(', ')}`, {
      variable: missing[0],
    });
  }
  return build(values);
}

/**
 * The upstreams the environment names. Base URLs are checked even when their credentials are
 * absent, so a malformed one is reported rather than silently ignored. Namely and Litmos get the
 * base URI their clients append paths to; BambooHR keeps origin and company apart, because its
 * client and its webhooks need the company on its own.
 */
function upstreams(env: Env): UpstreamOverrides {
  const bases = { bamboohr: vendorBase(env, 'bamboohr'), namely: vendorBase(env, 'namely'), litmos: vendorBase(env, 'litmos') };
  // The key is what makes BambooHR configured: the company may come from BAMBOOHR_BASE_URL instead of BAMBOOHR_SUBDOMAIN.
  if (env.BAMBOOHR_SUBDOMAIN && !env.BAMBOOHR_API_KEY) {
    throw new ConfigError('BAMBOOHR_API_KEY must be set together with BAMBOOHR_SUBDOMAIN', { variable: 'BAMBOOHR_API_KEY' });
  }
  let bamboohr: UpstreamOverrides['bamboohr'];
  if (env.BAMBOOHR_API_KEY) {
    const base = bases.bamboohr ?? { origin: 'https://api.bamboohr.com' };
    bamboohr = { baseUrl: base.origin, subdomain: resolveCompany(base, env.BAMBOOHR_SUBDOMAIN), apiKey: env.BAMBOOHR_API_KEY };
  }
  // `group` builds only when NAMELY_BASE_URL is set, so its base is there.
  const namely = group(['NAMELY_BASE_URL', 'NAMELY_TOKEN'], env, ([, token = '']) => bases.namely && { baseUrl: apiBaseUrl('namely', bases.namely), token });
  const litmos = group(['LITMOS_API_KEY', 'LITMOS_SOURCE'], env, ([apiKey = '', applicationName = '']) => ({
    baseUrl: apiBaseUrl('litmos', bases.litmos ?? { origin: 'https://api.litmos.com' }),
    apiKey,
    applicationName,
  }));
  return { ...(bamboohr && { bamboohr }), ...(namely && { namely }), ...(litmos && { litmos }) };
}

function origins(env: Env): string[] {
  const raw = env.ROSTERGATE_CORS_ORIGINS ?? '';
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
    .map((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      // An origin is scheme://host[:port] and nothing more; a path would never match a browser's Origin header.
      if (parsed?.origin !== origin) {
        throw new ConfigError(`ROSTERGATE_CORS_ORIGINS must list origins like https://app.example.com, comma-separated; received "${origin}"`, {
          variable: 'ROSTERGATE_CORS_ORIGINS',
        });
      }
      return origin;
    });
}

/** Distributed mode when ROSTERGATE_REDIS_URL is set; its other settings are refused without it, rather than ignored. */
function distributed(env: Env): DistributedConfig | undefined {
  const redisUrl = env.ROSTERGATE_REDIS_URL ?? '';
  if (redisUrl === '') {
    const stray = ['ROSTERGATE_REDIS_PREFIX', 'ROSTERGATE_WORKER_CONCURRENCY', 'ROSTERGATE_WORKER_LOCK_MS', 'ROSTERGATE_WORKER_METRICS_PORT'].find(
      (name) => env[name],
    );
    if (stray) throw new ConfigError(`${stray} applies only in distributed mode; set ROSTERGATE_REDIS_URL too`, { variable: stray });
    return undefined;
  }
  if (!/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new ConfigError(`ROSTERGATE_REDIS_URL must be a redis:// or rediss:// URL; received "${redisUrl}"`, { variable: 'ROSTERGATE_REDIS_URL' });
  }
  return {
    redisUrl,
    prefix: env.ROSTERGATE_REDIS_PREFIX || 'rostergate:',
    concurrency: integer(env, 'ROSTERGATE_WORKER_CONCURRENCY', 2, 1, 64),
    lockMs: integer(env, 'ROSTERGATE_WORKER_LOCK_MS', 30_000, 1_000, 600_000),
    ...(env.ROSTERGATE_WORKER_METRICS_PORT && { metricsPort: integer(env, 'ROSTERGATE_WORKER_METRICS_PORT', 0, 0, 65_535) }),
  };
}

/**
 * A PostgreSQL URL must name its user: without one, node-postgres falls back to the OS account's name,
 * which fails later with an authentication error that does not say the URL was incomplete.
 */
function checkStoreUrl(storeUrl: string): void {
  if (!/^(sqlite:|postgres(ql)?:\/\/|rediss?:\/\/)/.test(storeUrl)) {
    throw new ConfigError(`ROSTERGATE_STORE_URL must start with sqlite:, postgres:// or redis://; received "${storeUrl}"`, {
      variable: 'ROSTERGATE_STORE_URL',
    });
  }
  if (/^postgres(ql)?:\/\/(?![^/@]*@)/.test(storeUrl)) {
    throw new ConfigError('ROSTERGATE_STORE_URL names no PostgreSQL user: write postgres://USER[:PASSWORD]@HOST:5432/DATABASE[?schema=SCHEMA]', {
      variable: 'ROSTERGATE_STORE_URL',
    });
  }
}

/** Every process of a distributed deployment must reach the same store and unseal it with the same key. */
function assertShared(env: Env, storeUrl: string): void {
  if (storeUrl.startsWith('sqlite:')) {
    throw new ConfigError('distributed mode (ROSTERGATE_REDIS_URL) needs a store every process reaches: set ROSTERGATE_STORE_URL=postgres://… (or redis://…)', {
      variable: 'ROSTERGATE_STORE_URL',
    });
  }
  if (!env.ROSTERGATE_SECRET_KEY) {
    throw new ConfigError('distributed mode (ROSTERGATE_REDIS_URL) needs ROSTERGATE_SECRET_KEY: every process must unseal the same store with the same key', {
      variable: 'ROSTERGATE_SECRET_KEY',
    });
  }
}

/** Both or neither; the URL's text is never repeated in an error, as it may hold the SMTP password. */
function smtp(env: Env): SmtpConfig | undefined {
  return group(['ROSTERGATE_SMTP_URL', 'ROSTERGATE_SMTP_FROM'], env, ([url = '', from = '']) => {
    const protocol = URL.canParse(url) ? new URL(url).protocol : null;
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError(
        `ROSTERGATE_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…; received ${protocol ? `a ${protocol}// URL` : 'no URL'}`,
        {
          variable: 'ROSTERGATE_SMTP_URL',
        },
      );
    }
    if (!parseMailbox(from)) {
      throw new ConfigError(`ROSTERGATE_SMTP_FROM must be an address, e.g. alerts@example.com or "Rostergate <alerts@example.com>"; received "${from}"`, {
        variable: 'ROSTERGATE_SMTP_FROM',
      });
    }
    return { url, from: from.trim() };
  });
}

function inbound(env: Env): InboundLimits {
  const limit = (name: string, fallback: number, max: number) => integer(env, name, fallback, 1, max);
  return {
    operation: {
      maxCost: limit('ROSTERGATE_MAX_QUERY_COST', DEFAULT_LIMITS.maxCost, 1_000_000_000),
      maxDepth: limit('ROSTERGATE_MAX_QUERY_DEPTH', DEFAULT_LIMITS.maxDepth, 1000),
      maxAliases: limit('ROSTERGATE_MAX_QUERY_ALIASES', DEFAULT_LIMITS.maxAliases, 100_000),
      maxDirectives: limit('ROSTERGATE_MAX_QUERY_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 100_000),
      maxTokens: limit('ROSTERGATE_MAX_QUERY_TOKENS', DEFAULT_LIMITS.maxTokens, 10_000_000),
    },
    maxBodyBytes: limit('ROSTERGATE_MAX_BODY_BYTES', 1024 * 1024, 1024 ** 3),
    maxWebhookBytes: limit('ROSTERGATE_MAX_WEBHOOK_BYTES', 256 * 1024, 1024 ** 3),
    requestsPerMinute: limit('ROSTERGATE_REQUESTS_PER_MINUTE', 6000, 100_000_000),
    corsOrigins: origins(env),
    requestTimeoutMs: limit('ROSTERGATE_REQUEST_TIMEOUT_MS', 30_000, 3_600_000),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const unknown = Object.keys(env).filter((name) => name.startsWith('ROSTERGATE_') && !KNOWN.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown setting ${unknown.join(', ')}; known settings: ${[...KNOWN].join(', ')}`, {
      variable: unknown[0],
    });
  }
  const dataDir = env.ROSTERGATE_DATA_DIR || '.rostergate';
  const storeUrl = env.ROSTERGATE_STORE_URL || `sqlite:${dataDir}/rostergate.sqlite`;
  checkStoreUrl(storeUrl);
  const scaleOut = distributed(env);
  const smtpConfig = smtp(env);
  if (scaleOut) assertShared(env, storeUrl);
  const sandboxWindow = integer(env, 'ROSTERGATE_SANDBOX_RATE_WINDOW_MS', 60_000, 10, 3_600_000);
  const configured = upstreams(env);
  const useSandbox = Object.keys(configured).length === 0;
  // Real HR systems with the sandbox's Litmos would provision nobody anyone can see: refuse it.
  if (!useSandbox && !configured.litmos) {
    throw new ConfigError('LITMOS_API_KEY and LITMOS_SOURCE are required when BambooHR or Namely is configured', { variable: 'LITMOS_API_KEY' });
  }
  return {
    port: integer(env, 'ROSTERGATE_PORT', 4000, 0, 65_535),
    inbound: inbound(env),
    logLevel: logLevel(env),
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT && { otlpEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') }),
    host: env.ROSTERGATE_HOST || '127.0.0.1',
    dataDir,
    storeUrl,
    ...(env.ROSTERGATE_SECRET_KEY && { secretKey: env.ROSTERGATE_SECRET_KEY }),
    ...(env.ROSTERGATE_ADMIN_TOKEN && { adminToken: env.ROSTERGATE_ADMIN_TOKEN }),
    cacheTtlSeconds: integer(env, 'ROSTERGATE_CACHE_TTL_SECONDS', 300, 0, 86_400),
    ...(env.ROSTERGATE_SYNC_SCHEDULE && { syncSchedule: env.ROSTERGATE_SYNC_SCHEDULE }),
    sandbox: {
      port: integer(env, 'ROSTERGATE_SANDBOX_PORT', 4101, 0, 65_533),
      host: env.ROSTERGATE_SANDBOX_HOST || '127.0.0.1',
      employees: integer(env, 'ROSTERGATE_SANDBOX_EMPLOYEES', 250, 1, 100_000),
      seed: integer(env, 'ROSTERGATE_SANDBOX_SEED', 1, 0, 2 ** 31 - 1),
      rateWindowMs: sandboxWindow,
      latencyMs: integer(env, 'ROSTERGATE_SANDBOX_LATENCY_MS', 0, 0, 60_000),
    },
    rateLimits: {
      bamboohr: integer(env, 'ROSTERGATE_BAMBOOHR_RATE_LIMIT', 100, 1, 100_000),
      namely: integer(env, 'ROSTERGATE_NAMELY_RATE_LIMIT', 300, 1, 100_000),
      litmos: integer(env, 'ROSTERGATE_LITMOS_RATE_LIMIT', 100, 1, 100_000),
    },
    rateWindowMs: integer(env, 'ROSTERGATE_RATE_WINDOW_MS', useSandbox ? sandboxWindow : 60_000, 10, 3_600_000),
    upstreams: configured,
    useSandbox,
    // A demo gateway is explored in a browser; a production one is opted in.
    ide: onOff(env, 'ROSTERGATE_IDE', useSandbox),
    ...(scaleOut && { distributed: scaleOut }),
    notifications: {
      attempts: integer(env, 'ROSTERGATE_NOTIFY_ATTEMPTS', 10, 1, 100),
      retryBaseMs: integer(env, 'ROSTERGATE_NOTIFY_RETRY_MS', 5_000, 1, 3_600_000),
      retryMaxMs: integer(env, 'ROSTERGATE_NOTIFY_RETRY_MAX_MS', 900_000, 1, 86_400_000),
      timeoutMs: integer(env, 'ROSTERGATE_NOTIFY_TIMEOUT_MS', 10_000, 100, 300_000),
      ...(smtpConfig && { smtp: smtpConfig }),
    },
  };
}

/** What the CLI needs to reach a running gateway. */
export interface ClientConfig {
  /** @default where `serve` listens with the same environment: http://ROSTERGATE_HOST:ROSTERGATE_PORT */
  url: string;
  token: string | undefined;
}

/** Command-line flags, which win over their variables. */
export interface ClientFlags {
  url?: string;
  token?: string;
}

/** The address `serve` would listen on with this environment, as a client on the same machine reaches it. */
function servedUrl(env: Env): string {
  const bound = env.ROSTERGATE_HOST || '127.0.0.1';
  // A wildcard bind accepts loopback connections; the wildcard itself is not an address to connect to.
  const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
  const port = integer(env, 'ROSTERGATE_PORT', 4000, 1, 65_535);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function loadClientConfig(env: Env = process.env, flags: ClientFlags = {}): ClientConfig {
  // url() validates a flag like a variable, and its message names whichever was given.
  const given = url({ '--url': flags.url }, '--url') ?? url(env, 'ROSTERGATE_URL');
  return { url: given ?? servedUrl(env), token: flags.token || env.ROSTERGATE_TOKEN || undefined };
}
