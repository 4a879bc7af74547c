/**
 * Where each vendor's API is, from what an operator pastes: ONE rule for BAMBOOHR_BASE_URL,
 * NAMELY_BASE_URL and LITMOS_BASE_URL.
 *
 *   A base URL is the vendor's origin, optionally followed by exactly the vendor's documented API
 *   base path — and nothing else. Both forms mean the same API: they normalise to origin + base
 *   path, which is what the upstream clients append their request paths to.
 *
 *   | vendor   | origin                       | documented base URI                                        |
 *   |----------|------------------------------|------------------------------------------------------------|
 *   | BambooHR | https://api.bamboohr.com     | https://api.bamboohr.com/api/gateway.php/{company}/v1       |
 *   | Namely   | https://{company}.namely.com | https://{company}.namely.com/api/v1                         |
 *   | Litmos   | https://api.litmos.com       | https://api.litmos.com/v1.svc (also api.litmoseu.com, api.litmos.com.au) |
 *
 * Why both forms: the vendors document the full base URI and `npm run sandbox` prints it, while an
 * origin is what people type; accepting only one turned the other into `/v1.svc/v1.svc/users` and
 * a 404 on every call. Why nothing else: any other path is a typo (`/v2.svc`), a doubled prefix or
 * another API (BambooHR's `{company}.bamboohr.com/api/v1` takes OAuth tokens, not API keys), and
 * would fail every call at run time; refusing it at start names the variable instead.
 *
 * BambooHR's base path carries the company (`{company}`): given there, it supplies
 * BAMBOOHR_SUBDOMAIN or must agree with it (case aside), since two companies for one key is a
 * mistake, not a preference.
 *
 * The host is not checked: sandboxes, proxies and regional hosts are all legitimate. A query,
 * fragment or user name is refused without being repeated, because that is where people put
 * credentials (`?apikey=…`, `https://key@host`). Pure: no I/O, so config and tenant share it.
 */
import { ConfigError, type UpstreamSystem } from '../errors.js';

/** A path segment of a documented base path: literal text, or the BambooHR company. */
type Segment = string | { company: true };
const COMPANY: Segment = { company: true };

interface VendorBase {
  /** The variable an operator sets. */
  variable: string;
  /** The origin shown in messages when the received one cannot be used. */
  exampleOrigin: string;
  /** The documented base path after the origin. */
  path: readonly Segment[];
}

const VENDORS: Record<UpstreamSystem, VendorBase> = {
  bamboohr: { variable: 'BAMBOOHR_BASE_URL', exampleOrigin: 'https://api.bamboohr.com', path: ['api', 'gateway.php', COMPANY, 'v1'] },
  namely: { variable: 'NAMELY_BASE_URL', exampleOrigin: 'https://{company}.namely.com', path: ['api', 'v1'] },
  litmos: { variable: 'LITMOS_BASE_URL', exampleOrigin: 'https://api.litmos.com', path: ['v1.svc'] },
};

/** BambooHR company names as its gateway takes them; `{company}` pasted from the docs is not one. */
const COMPANY_NAME = /^[a-z0-9][a-z0-9-]*$/i;

/** Whether `name` can be a company's subdomain (BambooHR's gateway path, Namely's host). */
export const isCompanyName = (name: string): boolean => COMPANY_NAME.test(name);

/** Litmos's documented regional API hosts (the table above). */
export const LITMOS_REGIONS = { US: 'https://api.litmos.com', EU: 'https://api.litmoseu.com', AU: 'https://api.litmos.com.au' } as const;
export type LitmosRegion = keyof typeof LITMOS_REGIONS;

export interface BaseUrl {
  /** `scheme://host[:port]`, lower-cased by the URL parser. */
  origin: string;
  /** BambooHR only: the company the URL's gateway path names, when it names one. */
  company?: string;
}

/** The variable that sets `vendor`'s base URL, for messages. */
export function baseUrlVariable(vendor: UpstreamSystem): string {
  return VENDORS[vendor].variable;
}

function basePath(vendor: UpstreamSystem, company: string): string {
  return VENDORS[vendor].path.map((segment) => (typeof segment === 'string' ? segment : company)).join('/');
}

/** "ORIGIN or ORIGIN/base/path": the two accepted forms, for refusals here and readiness messages. */
export function acceptedForms(vendor: UpstreamSystem, origin: string = VENDORS[vendor].exampleOrigin): string {
  return `${origin} or ${origin}/${basePath(vendor, '{company}')}`;
}

/**
 * Reads a base URL by the rule above; `ConfigError` naming `setting` (the vendor's variable by
 * default) and both accepted forms when it is neither.
 */
export function parseBaseUrl(vendor: UpstreamSystem, raw: string, setting: string = VENDORS[vendor].variable): BaseUrl {
  const refuse = (problem: string, origin?: string) =>
    new ConfigError(`${setting} must be ${acceptedForms(vendor, origin)}; ${problem}`, { variable: setting });
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw refuse('received something that is not an http(s) URL');
  if (url.username || url.password) throw refuse('it must not carry a user name or password (the credential has its own variable)', url.origin);
  if (url.search || url.hash) throw refuse('it must not carry a query or fragment (the credential has its own variable)', url.origin);

  const received = url.pathname.split('/').filter((segment) => segment !== '');
  if (received.length === 0) return { origin: url.origin };
  const expected = VENDORS[vendor].path;
  let company: string | undefined;
  const matches =
    received.length === expected.length &&
    expected.every((segment, index) => {
      const part = decodeURIComponent(received[index] ?? '');
      if (typeof segment === 'string') return part.toLowerCase() === segment;
      company = part;
      return COMPANY_NAME.test(part);
    });
  if (!matches) throw refuse(`received ${url.origin}${url.pathname}`, url.origin);
  return { origin: url.origin, ...(company !== undefined && { company }) };
}

/**
 * The company for BambooHR's gateway: the URL's and BAMBOOHR_SUBDOMAIN's when both are given and
 * agree, else whichever is given; `ConfigError` when they disagree or neither is given.
 */
export function resolveCompany(
  base: BaseUrl,
  subdomain: string | undefined,
  settings: { subdomain: string; baseUrl: string } = { subdomain: 'BAMBOOHR_SUBDOMAIN', baseUrl: 'BAMBOOHR_BASE_URL' },
): string {
  if (base.company !== undefined && subdomain) {
    if (base.company.toLowerCase() !== subdomain.toLowerCase()) {
      throw new ConfigError(
        `${settings.subdomain} ("${subdomain}") and the company in ${settings.baseUrl} ("${base.company}") disagree; set one, or make them agree`,
        { variable: settings.subdomain },
      );
    }
    return subdomain;
  }
  const company = subdomain || base.company;
  if (!company) {
    throw new ConfigError(`${settings.subdomain} must be set, or ${settings.baseUrl} must name the company (${acceptedForms('bamboohr')})`, {
      variable: settings.subdomain,
    });
  }
  return company;
}

/** What the vendor's client appends request paths to: the origin plus the documented base path. */
export function apiBaseUrl(vendor: UpstreamSystem, base: BaseUrl): string {
  const company = vendor === 'bamboohr' ? resolveCompany(base, undefined) : '';
  return `${base.origin}/${basePath(vendor, encodeURIComponent(company))}`;
}
