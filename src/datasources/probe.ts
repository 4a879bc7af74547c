/**
 * Each vendor's cheapest authenticated call, and what its answer says about a connection: the base
 * path and the credential proven, or which of them (or the company, or the host) is wrong, in a
 * sentence naming the setting to fix. The readiness check (routes.ts) makes it for the environment's
 * upstreams, `testConnection` (connections/service.ts) for a tenant's, each naming its own settings.
 */
import { isRostergateError, type UpstreamSystem } from '../errors.js';
import { acceptedForms } from './base-url.js';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from './http.js';
import { vendorText } from './retry.js';

/** One upstream's cheap authenticated call, with the names an operator needs when it fails. */
export interface UpstreamProbe {
  system: UpstreamSystem;
  /** The tenant's client for it: the call counts against the same rate budget as every other. */
  client: Pick<UpstreamClient, 'request'>;
  /** Where it points, e.g. `LITMOS_BASE_URL`. */
  baseUrlSetting: string;
  /** What authenticates it, e.g. `LITMOS_API_KEY`. */
  credentialSetting: string;
  /** The origin configured, so the message can show both accepted forms on the operator's own host. */
  origin: string;
  /** Query every call to this vendor needs (Litmos's `source`). */
  query?: Record<string, string>;
  /**
   * BambooHR: the company its base path names, and what sets it. Given, a 404 that BambooHR itself
   * answered (with its error header) blames the company rather than the base path.
   */
  company?: { name: string; setting: string };
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
  /** True when a 404 is the vendor's own answer about the company in its base path (BambooHR's error header). */
  unknownCompany?: (headers: Record<string, string>) => boolean;
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
    unknownCompany: (headers) => 'x-bamboohr-error-message' in headers,
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
export type ProbeOutcome = { status: number; body: string; headers?: Record<string, string> } | { error: string };

/** What is wrong with an upstream, as a probe tells it. */
export const PROBE_PROBLEMS = ['CREDENTIAL_REJECTED', 'BASE_PATH_WRONG', 'UNKNOWN_COMPANY', 'NOT_THE_API', 'UNAVAILABLE', 'UNEXPECTED_ANSWER'] as const;
export type ProbeProblem = (typeof PROBE_PROBLEMS)[number];

/** A probe's verdict: the upstream answered as its vendor does, or what is wrong, in a sentence naming the setting to fix. */
export type ProbeVerdict = { ok: true } | { ok: false; problem: ProbeProblem; message: string };

type JudgedProbe = Pick<UpstreamProbe, 'system' | 'baseUrlSetting' | 'credentialSetting' | 'origin' | 'company'>;

/** Pure: the verdict on an upstream from its probe's outcome. */
export function probeVerdict(probe: JudgedProbe, outcome: ProbeOutcome): ProbeVerdict {
  const call = PROBE_CALLS[probe.system];
  const what = `GET ${call.request.path}`;
  const expected = `expected ${acceptedForms(probe.system, probe.origin)}`;
  const problem = (kind: ProbeProblem, message: string): ProbeVerdict => ({ ok: false, problem: kind, message });
  if ('error' in outcome) return problem('UNAVAILABLE', `${call.vendor} could not be checked (${what}): ${outcome.error}`);
  const { status } = outcome;
  if (status === 401 || status === 403) return problem('CREDENTIAL_REJECTED', `${probe.credentialSetting} was rejected (${status})${call.rejected}`);
  if (status === 404 && probe.company && call.unknownCompany?.(outcome.headers ?? {})) {
    const { name, setting } = probe.company;
    const said = vendorText(status, '', outcome.headers ?? {}, outcome.body);
    return problem('UNKNOWN_COMPANY', `${setting}: ${call.vendor} knows no company "${name}" (${what} answered 404: ${said})`);
  }
  if (status === 404) return problem('BASE_PATH_WRONG', `${probe.baseUrlSetting}: ${what} answered 404 — ${call.notFound}; ${expected}`);
  if (status >= 200 && status < 300) {
    let body: unknown;
    try {
      body = JSON.parse(outcome.body);
    } catch {
      body = undefined;
    }
    if (call.recognise(body)) return { ok: true };
    return problem(
      'NOT_THE_API',
      `${probe.baseUrlSetting}: ${what} answered ${status} but not as ${call.vendor}'s API does — is it another service? ${expected}`,
    );
  }
  return problem('UNEXPECTED_ANSWER', `${call.vendor} could not be checked (${what} answered ${status})`);
}

/** Pure: the verdict on an upstream from its probe's outcome, `'ok'` or a sentence naming the setting to fix. */
export function judgeProbe(probe: JudgedProbe, outcome: ProbeOutcome): string {
  return verdictText(probeVerdict(probe, outcome));
}

export const verdictText = (verdict: ProbeVerdict) => (verdict.ok ? 'ok' : verdict.message);

/** Makes the probe's one call and judges it. Never rejects. */
export async function probeUpstream(probe: UpstreamProbe): Promise<ProbeVerdict> {
  const call = PROBE_CALLS[probe.system];
  let response: UpstreamResponse;
  try {
    response = await probe.client.request({
      method: 'GET',
      ...call.request,
      query: { ...call.request.query, ...probe.query },
      // Returned, not thrown: these are the answers the verdict explains. 5xx and throttles are retried first.
      accept: [400, 401, 403, 404, 405, 410],
    });
  } catch (error) {
    // The client's errors show redacted URLs and never a credential; anything else is reported by kind only.
    return probeVerdict(probe, { error: isRostergateError(error) ? error.message : 'unexpected failure' });
  }
  return probeVerdict(probe, { status: response.status, body: response.body, headers: response.headers });
}

/** The probe's request path, for messages. */
export const probePath = (system: UpstreamSystem): string => PROBE_CALLS[system].request.path;
