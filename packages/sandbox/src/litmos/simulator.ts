/**
 * SAP Litmos on loopback: the `/v1.svc` REST API as UPSTREAMS.md §3 and the recorded traffic describe
 * it, seeded against the HR companies the sandbox serves. Authentication is the `apikey` header or
 * query parameter; every call must also name its `source`. Over the rate limit Litmos answers 503
 * without Retry-After, which is what clients must survive.
 */
import type { SeedCompany } from '../company.js';
import { Router, json, type RateLimit, type SimRequest, type SimResponse, type SimulatorSpec } from '../kit.js';
import { litmosRoutes } from './routes.js';
import { seedLitmos } from './seed.js';
import { LitmosState } from './state.js';
import { fault, queryParam, requestError, responseFormat, serviceUnavailable } from './wire.js';
import { NO_QUIRKS, type CommonQuirks, type LitmosQuirks } from '../quirks.js';

export interface LitmosSimulatorOptions {
  /** HR companies to seed against: the first lends its people to the existing learners and a team name; all of them are kept clear of the outsiders. @default [] */
  companies?: readonly SeedCompany[];
  /** The key callers must send as `apikey`. @default 'sandbox-litmos-key' */
  apiKey?: string;
  /** Per API key. @default { limit: 100, windowMs: 60_000, status: 503, retryAfter: false } */
  rate?: Partial<RateLimit>;
  /** Delay added to every request, ms. @default 0 */
  latencyMs?: number;
  /** Seeds the ids and the seeded account; the same seed and companies give the same account. @default 1 */
  seed?: number;
  /** Live quirk switches (see ../quirks.ts), read per request. @default all off (and still switchable through `PUT /__sandbox/quirks`) */
  quirks?: { common: CommonQuirks; vendor: LitmosQuirks };
}

export interface LitmosSimulator {
  spec: SimulatorSpec;
  /** The live account, for tests to inspect and arrange; `reset` restores it in place. */
  state: LitmosState;
}

/** The rate limit counts per key; the key itself never leaves authentication. */
const CREDENTIAL = 'litmos-api-key';

function authenticate(apiKey: string, req: Omit<SimRequest, 'credential' | 'params'>): string | SimResponse {
  const format = responseFormat(req.query, req.headers.accept);
  const header = req.headers.apikey;
  const sent = (Array.isArray(header) ? header[0] : header) ?? queryParam(req.query, 'apikey');
  if (sent !== apiKey) return fault(format, 401, 'Unauthorized');
  if (!queryParam(req.query, 'source')?.trim()) return fault(format, 400, 'source is required');
  return CREDENTIAL;
}

/** `POST /__sandbox/complete` `{ userId, courseId, percentageComplete? }`: a learner finishes (or progresses in) a course. */
function controlRoutes(state: LitmosState, now: () => number): Router {
  return new Router().on('POST', '/__sandbox/complete', (req) => {
    const body = JSON.parse(req.body.toString() || '{}') as { userId?: string; courseId?: string; percentageComplete?: number };
    const user = state.user(body.userId ?? '');
    if (!user || !state.courses.some((c) => c.Id === body.courseId)) {
      return json(404, { error: `no user ${String(body.userId)} or course ${String(body.courseId)}` });
    }
    const percentage = body.percentageComplete ?? 100;
    const current = state.userEnrolments(user.Id).find((e) => e.courseId === body.courseId);
    const at = now();
    const enrolment = state.enrol(user.Id, body.courseId ?? '', {
      assignedAt: current?.assignedAt ?? at,
      startedAt: current?.startedAt ?? at,
      completedAt: percentage >= 100 ? at : null,
      percentageComplete: Math.min(100, percentage),
      score: percentage >= 100 ? 100 : null,
    });
    return json(200, enrolment);
  });
}

export function createLitmosSimulator(options: LitmosSimulatorOptions = {}): LitmosSimulator {
  const companies = options.companies ?? [];
  const seed = options.seed ?? 1;
  const apiKey = options.apiKey ?? 'sandbox-litmos-key';
  const now = () => Date.now();
  const state = new LitmosState({ seed, site: companies[0]?.domain ?? 'sandbox' });
  // Always a live object the kit can merge into, so a simulator started without quirks can still be given some.
  const quirks = options.quirks ?? { common: { ...NO_QUIRKS.common }, vendor: { ...NO_QUIRKS.litmos } };
  const reset = () => {
    state.clear();
    seedLitmos(state, companies, seed);
  };
  reset();

  return {
    state,
    spec: {
      name: 'litmos',
      router: litmosRoutes(state, now, quirks.vendor),
      authenticate: (req) => authenticate(apiKey, req),
      reset,
      throttled: serviceUnavailable,
      control: controlRoutes(state, now),
      rate: { limit: 100, windowMs: 60_000, status: 503, retryAfter: false, ...options.rate },
      latencyMs: options.latencyMs ?? 0,
      quirks,
      seed,
      transientError: requestError,
    },
  };
}
