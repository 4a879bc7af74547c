/**
 * The BambooHR simulator: the API-key gateway (`/api/gateway.php/{company}/v1/...`) over a seeded
 * company, with BambooHR's auth failures, throttling, effective-dated history and signed webhooks.
 *
 * Control routes beyond the kit's: `POST /__sandbox/webhooks/flush` (await deliveries in flight;
 * answers `{ deliveries }`), `PUT /__sandbox/today` (`{ "today": "YYYY-MM-DD" }`: move the
 * simulated day so future-dated rows take effect; answers `{ today, changed }`), and the custom
 * checkbox fields an HR admin manages: `POST /__sandbox/fields` (`{ "name": "LMS Access" }`: add one,
 * unchecked for everyone; answers `{ id, name, alias, type }`), `PUT /__sandbox/fields/{alias or id}`
 * (`{ "name": … }`: rename it, alias kept) and `DELETE /__sandbox/fields/{alias or id}`; `DELETE /__sandbox/employees/{id}`
 * deletes an employee as an admin can in the web app (then only `GET /employees/changed` names them, as `Deleted`).
 */
import type { SeedCompany } from '../company.js';
import type { LocalDate } from '../days.js';
import { json, Router, type RateLimit, type SimRequest, type SimulatorSpec } from '../kit.js';
import { employeeRoutes, API } from './employee-routes.js';
import { isLocalDate } from './records.js';
import { reportRoutes } from './report-routes.js';
import { BambooHrStore } from './store.js';
import { WebhookHub, type WebhookResult } from './webhooks.js';
import { failure } from './wire.js';
import { NO_QUIRKS, type BambooHrQuirks, type CommonQuirks } from '../quirks.js';
import type { CheckboxField } from './fields.js';

export interface BambooHrSimulatorOptions {
  company: SeedCompany;
  /** The one valid API key (the Basic auth user name; any password). @default 'sandbox-bamboohr-key' */
  apiKey?: string;
  /** Requests per rolling window and key, and how a refusal looks. @default { limit: 100, windowMs: 60_000, status: 429 under `throttleAs429` else 503, retryAfter: true } */
  rate?: Partial<RateLimit>;
  /** Delay added to every request, ms. @default 0 */
  latencyMs?: number;
  /** The day "current" values are read as of. @default company.today */
  today?: LocalDate;
  /** Waits before each retry of a failed webhook delivery, ms (BambooHR's 5…80 minutes, scaled down). @default [50, 100, 200, 400, 800] */
  webhookRetryDelaysMs?: readonly number[];
  /** Live quirk switches (see ../quirks.ts), read per request; `throttleAs429` only sets the default throttle status at start (the kit owns it then: `PUT /__sandbox/limits`). @default none */
  quirks?: { common: CommonQuirks; vendor: BambooHrQuirks };
  /** Seeds the injected-fault draws. @default 1 */
  seed?: number;
}

export interface BambooHrSimulator {
  spec: SimulatorSpec;
  /** The live state, for tests: read records, move the day, await webhook deliveries. */
  state: { store: BambooHrStore; webhooks: WebhookHub };
}

export const BAMBOOHR_RATE_DEFAULTS: RateLimit = { limit: 100, windowMs: 60_000, status: 503, retryAfter: true };

/** A small, stable number standing in for BambooHR's numeric company id in webhook payloads. */
const companyIdOf = (domain: string): string => String(Array.from(domain).reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) % 900_000, 7) + 100_000);

const fromWebhook = ({ status, value }: WebhookResult) =>
  typeof value === 'string' ? { status, headers: { 'Content-Type': 'text/plain' }, body: value } : json(status, value);

const checkboxAnswer = (field: CheckboxField | undefined, key: string) =>
  field ? json(200, { ...field, type: 'checkbox' }) : json(404, { error: `no custom checkbox field ${key}` });

function readJson(req: SimRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8') || 'null');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createBambooHrSimulator(options: BambooHrSimulatorOptions): BambooHrSimulator {
  const { company } = options;
  const apiKey = options.apiKey ?? 'sandbox-bamboohr-key';
  const store = new BambooHrStore(company, options.today ?? company.today);
  const webhooks = new WebhookHub({
    store,
    companyId: companyIdOf(company.domain),
    companyDomain: company.domain,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [50, 100, 200, 400, 800],
  });

  const quirks = options.quirks?.vendor ?? { ...NO_QUIRKS.bamboohr };
  const router = new Router();
  employeeRoutes(router, store, quirks);
  reportRoutes(router, store, quirks);
  router
    .on('GET', `${API}/webhooks`, () => fromWebhook(webhooks.list()))
    .on('POST', `${API}/webhooks`, (req) => {
      const body = readJson(req);
      return fromWebhook(
        body ? webhooks.create(body) : { status: 400, value: { errors: [{ error: 'Invalid request body', issues: ['body must be a JSON object'] }] } },
      );
    })
    .on('GET', `${API}/webhooks/:id`, (req) => fromWebhook(webhooks.get(req.params.id ?? '')))
    .on('DELETE', `${API}/webhooks/:id`, (req) => fromWebhook(webhooks.remove(req.params.id ?? '')));

  const control = new Router()
    .on('POST', '/__sandbox/webhooks/flush', async () => json(200, { deliveries: await webhooks.flush() }))
    .on('PUT', '/__sandbox/today', (req) => {
      const today = readJson(req)?.today;
      if (!isLocalDate(today)) return json(400, { error: `today must be YYYY-MM-DD, got ${JSON.stringify(today ?? null)}` });
      return json(200, { today, changed: store.setToday(today) });
    })
    .on('POST', '/__sandbox/fields', (req) => {
      const name = readJson(req)?.name;
      const added = typeof name === 'string' ? store.changeFields((fields) => fields.addCheckbox(name)) : { refused: 'name must be a string' };
      return 'refused' in added ? json(400, { error: added.refused }) : json(201, { ...added, type: 'checkbox' });
    })
    .on('PUT', '/__sandbox/fields/:key', (req) => {
      const name = readJson(req)?.name;
      if (typeof name !== 'string' || name.trim() === '') return json(400, { error: 'name must be a non-empty string' });
      const key = req.params.key ?? '';
      return checkboxAnswer(
        store.changeFields((fields) => fields.rename(key, name)),
        key,
      );
    })
    .on('DELETE', '/__sandbox/employees/:id', (req) =>
      store.remove(Number(req.params.id)) ? json(200, { deleted: req.params.id }) : json(404, { error: `no employee ${req.params.id ?? ''}` }),
    )
    .on('DELETE', '/__sandbox/fields/:key', (req) => {
      const key = req.params.key ?? '';
      const field = store.fields.checkbox(key);
      if (field) store.removeCheckbox(key);
      return checkboxAnswer(field, key);
    });

  const realm = `Basic realm="https://api.bamboohr.com/${company.domain}"`;
  return {
    state: { store, webhooks },
    spec: {
      name: 'bamboohr',
      router,
      control,
      // Since 2026-09-16 BambooHR throttles with 429 + Retry-After; 503 now means unavailable (UPSTREAMS "2026 updates").
      rate: { ...BAMBOOHR_RATE_DEFAULTS, ...(quirks.throttleAs429 && { status: 429 as const }), ...options.rate },
      latencyMs: options.latencyMs ?? 0,
      // Always handed to the kit, so `PUT /__sandbox/quirks` can switch the vendor quirks of any simulator.
      quirks: { common: options.quirks?.common ?? { ...NO_QUIRKS.common }, vendor: quirks },
      ...(options.seed !== undefined && { seed: options.seed }),
      transientError: () => failure(500, 'Internal Server Error'),
      reset: () => {
        store.reset();
        webhooks.reset();
      },
      throttled: () => failure(503, 'Too many requests, please slow down'),
      authenticate: (req) => {
        const [, api, gateway, domain] = req.path.split('/');
        if (api === 'api' && gateway === 'gateway.php' && domain !== company.domain) return failure(404, `Company not found: ${domain ?? ''}`);
        const [scheme, token] = (req.headers.authorization ?? '').split(' ');
        const user = scheme?.toLowerCase() === 'basic' && token ? Buffer.from(token, 'base64').toString('utf8').split(':')[0] : undefined;
        if (user !== apiKey) return { ...failure(401, 'API key not provided or invalid', { 'WWW-Authenticate': realm }), statusText: 'Unauthorized' };
        return apiKey;
      },
    },
  };
}
