import { describe, expect, it } from 'vitest';
import { acceptedForms, apiBaseUrl, parseBaseUrl, resolveCompany } from '../src/datasources/base-url.js';
import { ConfigError } from '../src/errors.js';

const refusal = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('a vendor base URL: the origin, or the origin plus the documented base path', () => {
  it.each([
    ['litmos', 'https://api.litmos.com', 'https://api.litmos.com/v1.svc'],
    ['litmos', 'https://api.litmos.com/', 'https://api.litmos.com/v1.svc'],
    ['litmos', 'https://api.litmos.com/v1.svc', 'https://api.litmos.com/v1.svc'],
    ['litmos', 'https://api.litmos.com/v1.svc/', 'https://api.litmos.com/v1.svc'],
    ['litmos', 'https://api.litmoseu.com/v1.svc', 'https://api.litmoseu.com/v1.svc'],
    ['litmos', 'https://api.litmos.com.au', 'https://api.litmos.com.au/v1.svc'],
    ['litmos', 'https://API.Litmos.com/V1.svc', 'https://api.litmos.com/v1.svc'],
    ['litmos', 'http://127.0.0.1:4103', 'http://127.0.0.1:4103/v1.svc'],
    ['namely', 'https://acme.namely.com', 'https://acme.namely.com/api/v1'],
    ['namely', 'https://acme.namely.com/api/v1', 'https://acme.namely.com/api/v1'],
    ['namely', 'https://acme.namely.com/api/v1/', 'https://acme.namely.com/api/v1'],
  ] as const)('%s %s → %s', (vendor, raw, expected) => {
    expect(apiBaseUrl(vendor, parseBaseUrl(vendor, raw))).toBe(expected);
  });

  it('reads the BambooHR company from the gateway path, and needs one from somewhere', () => {
    expect(parseBaseUrl('bamboohr', 'https://api.bamboohr.com')).toEqual({ origin: 'https://api.bamboohr.com' });
    const full = parseBaseUrl('bamboohr', 'https://api.bamboohr.com/api/gateway.php/acme/v1/');
    expect(full).toEqual({ origin: 'https://api.bamboohr.com', company: 'acme' });
    expect(apiBaseUrl('bamboohr', full)).toBe('https://api.bamboohr.com/api/gateway.php/acme/v1');
    expect(apiBaseUrl('bamboohr', { origin: 'https://api.bamboohr.com', company: 'acme' })).toBe('https://api.bamboohr.com/api/gateway.php/acme/v1');
    expect(refusal(() => apiBaseUrl('bamboohr', { origin: 'https://api.bamboohr.com' })).message).toContain('BAMBOOHR_SUBDOMAIN');
  });

  it('lets the URL supply the BambooHR company, or requires it to agree with BAMBOOHR_SUBDOMAIN', () => {
    expect(resolveCompany({ origin: 'https://api.bamboohr.com', company: 'acme' }, undefined)).toBe('acme');
    expect(resolveCompany({ origin: 'https://api.bamboohr.com' }, 'acme')).toBe('acme');
    expect(resolveCompany({ origin: 'https://api.bamboohr.com', company: 'Acme' }, 'acme')).toBe('acme');
    const error = refusal(() => resolveCompany({ origin: 'https://api.bamboohr.com', company: 'acme' }, 'globex'));
    expect(error.message).toContain('BAMBOOHR_SUBDOMAIN');
    expect(error.message).toContain('BAMBOOHR_BASE_URL');
    expect(error.message).toContain('acme');
    expect(error.message).toContain('globex');
    expect(refusal(() => resolveCompany({ origin: 'https://api.bamboohr.com' }, undefined)).details).toEqual({ variable: 'BAMBOOHR_SUBDOMAIN' });
  });

  it.each([
    ['litmos', 'https://api.litmos.com/v2.svc'],
    ['litmos', 'https://api.litmos.com/v1.svc/v1.svc'],
    ['litmos', 'https://api.litmos.com/v1.svc/users'],
    ['litmos', 'https://api.litmos.com/api/v1'],
    ['namely', 'https://acme.namely.com/api/v2'],
    ['namely', 'https://acme.namely.com/v1'],
    ['bamboohr', 'https://acme.bamboohr.com/api/v1'],
    ['bamboohr', 'https://api.bamboohr.com/api/gateway.php/acme'],
    ['bamboohr', 'https://api.bamboohr.com/api/gateway.php/{company}/v1'],
  ] as const)('refuses %s %s, naming the variable and both accepted forms', (vendor, raw) => {
    const error = refusal(() => parseBaseUrl(vendor, raw));
    const variable = `${vendor.toUpperCase()}_BASE_URL`;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details).toEqual({ variable });
    expect(error.message).toContain(variable);
    expect(error.message).toContain(acceptedForms(vendor, new URL(raw).origin));
  });

  it('names another setting when asked to', () => {
    expect(refusal(() => parseBaseUrl('litmos', 'https://api.litmos.com/v2.svc', 'connection litmos.baseUrl')).message).toMatch(/^connection litmos\.baseUrl /);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(refusal(() => parseBaseUrl('litmos', 'ftp://api.litmos.com')).message).toContain('LITMOS_BASE_URL');
    expect(refusal(() => parseBaseUrl('namely', 'acme.namely.com')).message).toContain('NAMELY_BASE_URL');
  });

  it('refuses a query, a fragment or a user name without repeating it (it may be a credential)', () => {
    for (const raw of [
      'https://api.litmos.com/v1.svc?apikey=s3cr3t-key',
      'https://api.litmos.com/v1.svc#s3cr3t-key',
      'https://s3cr3t-key@api.litmos.com/v1.svc',
      'https://user:s3cr3t-key@api.litmos.com',
    ]) {
      const error = refusal(() => parseBaseUrl('litmos', raw));
      expect(error.message).toContain('LITMOS_BASE_URL');
      expect(error.message).not.toContain('s3cr3t');
    }
  });

  it('describes the accepted forms for messages elsewhere (readiness)', () => {
    expect(acceptedForms('litmos')).toBe('https://api.litmos.com or https://api.litmos.com/v1.svc');
    expect(acceptedForms('namely')).toBe('https://{company}.namely.com or https://{company}.namely.com/api/v1');
    expect(acceptedForms('bamboohr')).toBe('https://api.bamboohr.com or https://api.bamboohr.com/api/gateway.php/{company}/v1');
    expect(acceptedForms('litmos', 'https://api.litmoseu.com')).toBe('https://api.litmoseu.com or https://api.litmoseu.com/v1.svc');
  });
});
