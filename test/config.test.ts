import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const fails = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return error;
  }
  throw new Error('expected loadConfig to throw');
};

describe('loadConfig', () => {
  it('defaults to the embedded sandbox and SQLite', () => {
    const config = loadConfig({});
    expect(config.useSandbox).toBe(true);
    expect(config.port).toBe(4000);
    expect(config.storeUrl).toBe('sqlite:.rostergate/rostergate.sqlite');
    expect(config.sandbox).toMatchObject({ port: 4101, employees: 250, rateWindowMs: 60_000 });
    expect(config.rateLimits).toEqual({ bamboohr: 100, namely: 300, litmos: 100 });
  });

  it('paces the gateway to a shortened sandbox window', () => {
    expect(loadConfig({ ROSTERGATE_SANDBOX_RATE_WINDOW_MS: '2000' }).rateWindowMs).toBe(2000);
  });

  it('names the variable that is malformed', () => {
    const error = fails({ ROSTERGATE_PORT: 'eighty' });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('ROSTERGATE_PORT');
    expect((error as ConfigError).details).toEqual({ variable: 'ROSTERGATE_PORT' });
    expect((fails({ ROSTERGATE_SANDBOX_EMPLOYEES: '100001' }) as Error).message).toContain('ROSTERGATE_SANDBOX_EMPLOYEES');
    expect((fails({ LITMOS_BASE_URL: 'ftp://x' }) as Error).message).toContain('LITMOS_BASE_URL');
  });

  it('refuses unknown ROSTERGATE_ settings, which are usually typos', () => {
    expect((fails({ ROSTERGATE_PROT: '4000' }) as Error).message).toContain('ROSTERGATE_PROT');
  });

  it('takes upstream credentials all or none, and leaves the sandbox when given', () => {
    expect((fails({ LITMOS_API_KEY: 'k' }) as Error).message).toContain('LITMOS_SOURCE');
    expect(fails({ BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' })).toMatchObject({ details: { variable: 'LITMOS_API_KEY' } });
    const config = loadConfig({ LITMOS_API_KEY: 'k', LITMOS_SOURCE: 'acme', BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' });
    expect(config.useSandbox).toBe(false);
    expect(config.rateWindowMs).toBe(60_000);
    expect(config.upstreams.litmos).toEqual({ baseUrl: 'https://api.litmos.com', apiKey: 'k', source: 'acme' });
    expect(config.upstreams.bamboohr?.baseUrl).toBe('https://api.bamboohr.com');
  });
});
