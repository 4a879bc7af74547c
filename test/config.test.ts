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
    expect(config.sandbox).toMatchObject({ port: 4101, host: '127.0.0.1', employees: 250, rateWindowMs: 60_000 });
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

  it('selects distributed mode by ROSTERGATE_REDIS_URL, with a shared store and secret key', () => {
    expect(loadConfig({}).distributed).toBeUndefined();
    const shared = { ROSTERGATE_STORE_URL: 'postgres://root@127.0.0.1:5432/test?schema=rg', ROSTERGATE_SECRET_KEY: 'k'.repeat(64) };
    expect(loadConfig({ ...shared, ROSTERGATE_REDIS_URL: 'redis://127.0.0.1:6379' }).distributed).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'rostergate:',
      concurrency: 2,
      lockMs: 30_000,
    });
    expect(fails({ ...shared, ROSTERGATE_WORKER_CONCURRENCY: '4' })).toMatchObject({ details: { variable: 'ROSTERGATE_WORKER_CONCURRENCY' } });
    expect(fails({ ROSTERGATE_REDIS_URL: 'redis://127.0.0.1:6379', ROSTERGATE_SECRET_KEY: 'k' })).toMatchObject({
      details: { variable: 'ROSTERGATE_STORE_URL' },
    });
    expect(fails({ ...shared, ROSTERGATE_SECRET_KEY: '', ROSTERGATE_REDIS_URL: 'redis://h' })).toMatchObject({
      details: { variable: 'ROSTERGATE_SECRET_KEY' },
    });
    expect(fails({ ...shared, ROSTERGATE_REDIS_URL: 'http://h' })).toMatchObject({ details: { variable: 'ROSTERGATE_REDIS_URL' } });
  });

  it('refuses a PostgreSQL store URL that names no user, saying how to write one', () => {
    const error = fails({ ROSTERGATE_STORE_URL: 'postgres://127.0.0.1:5432/test?schema=rg' }) as ConfigError;
    expect(error.details).toEqual({ variable: 'ROSTERGATE_STORE_URL' });
    expect(error.message).toContain('postgres://USER');
    expect(loadConfig({ ROSTERGATE_STORE_URL: 'postgres://root@127.0.0.1:5432/test' }).storeUrl).toBe('postgres://root@127.0.0.1:5432/test');
  });

  it('takes upstream credentials all or none, and leaves the sandbox when given', () => {
    expect((fails({ LITMOS_API_KEY: 'k' }) as Error).message).toContain('LITMOS_SOURCE');
    expect(fails({ BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' })).toMatchObject({ details: { variable: 'LITMOS_API_KEY' } });
    const config = loadConfig({ LITMOS_API_KEY: 'k', LITMOS_SOURCE: 'acme', BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' });
    expect(config.useSandbox).toBe(false);
    expect(config.rateWindowMs).toBe(60_000);
    expect(config.upstreams.litmos).toEqual({ baseUrl: 'https://api.litmos.com/v1.svc', apiKey: 'k', applicationName: 'acme' });
    expect(config.upstreams.bamboohr).toEqual({ baseUrl: 'https://api.bamboohr.com', subdomain: 'acme', apiKey: 'b' });
  });
});

describe('upstream base URLs', () => {
  const litmos = { LITMOS_API_KEY: 'k', LITMOS_SOURCE: 'acme' };

  it('takes the origin or the documented base URI, as the sandbox prints it, and gives the clients the base URI', () => {
    for (const LITMOS_BASE_URL of ['https://api.litmos.com', 'https://api.litmos.com/v1.svc', 'https://api.litmos.com/v1.svc/']) {
      expect(loadConfig({ ...litmos, LITMOS_BASE_URL }).upstreams.litmos?.baseUrl).toBe('https://api.litmos.com/v1.svc');
    }
    expect(loadConfig({ ...litmos, LITMOS_BASE_URL: 'https://api.litmoseu.com/v1.svc' }).upstreams.litmos?.baseUrl).toBe('https://api.litmoseu.com/v1.svc');
    for (const NAMELY_BASE_URL of ['https://acme.namely.com', 'https://acme.namely.com/api/v1']) {
      expect(loadConfig({ ...litmos, NAMELY_BASE_URL, NAMELY_TOKEN: 't' }).upstreams.namely).toEqual({
        baseUrl: 'https://acme.namely.com/api/v1',
        token: 't',
      });
    }
  });

  it('lets the BambooHR gateway URL supply the company, and refuses one that disagrees with BAMBOOHR_SUBDOMAIN', () => {
    const BAMBOOHR_BASE_URL = 'https://api.bamboohr.com/api/gateway.php/acme/v1';
    expect(loadConfig({ ...litmos, BAMBOOHR_BASE_URL, BAMBOOHR_API_KEY: 'b' }).upstreams.bamboohr).toEqual({
      baseUrl: 'https://api.bamboohr.com',
      subdomain: 'acme',
      apiKey: 'b',
    });
    expect(loadConfig({ ...litmos, BAMBOOHR_BASE_URL, BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' }).upstreams.bamboohr?.subdomain).toBe('acme');
    const error = fails({ ...litmos, BAMBOOHR_BASE_URL, BAMBOOHR_SUBDOMAIN: 'globex', BAMBOOHR_API_KEY: 'b' }) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('BAMBOOHR_SUBDOMAIN');
    expect((fails({ ...litmos, BAMBOOHR_API_KEY: 'b' }) as Error).message).toContain('BAMBOOHR_SUBDOMAIN');
    expect((fails({ ...litmos, BAMBOOHR_SUBDOMAIN: 'acme' }) as Error).message).toContain('BAMBOOHR_API_KEY');
  });

  it('refuses a path that is neither form, naming the variable and both forms', () => {
    const error = fails({ ...litmos, LITMOS_BASE_URL: 'https://api.litmos.com/v2.svc' }) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.details).toEqual({ variable: 'LITMOS_BASE_URL' });
    expect(error.message).toContain('https://api.litmos.com or https://api.litmos.com/v1.svc');
    expect((fails({ ...litmos, NAMELY_BASE_URL: 'https://acme.namely.com/api/v2', NAMELY_TOKEN: 't' }) as Error).message).toContain('NAMELY_BASE_URL');
    expect(
      (fails({ ...litmos, BAMBOOHR_BASE_URL: 'https://acme.bamboohr.com/api/v1', BAMBOOHR_SUBDOMAIN: 'acme', BAMBOOHR_API_KEY: 'b' }) as Error).message,
    ).toContain('https://acme.bamboohr.com/api/gateway.php/{company}/v1');
  });

  it('reads the inbound limits, with defaults that match the operation limits, and refuses an origin with a path', () => {
    const config = loadConfig({ ROSTERGATE_MAX_QUERY_COST: '5000', ROSTERGATE_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    expect(config.inbound.operation.maxCost).toBe(5000);
    expect(config.inbound.operation.maxDepth).toBeGreaterThan(0);
    expect(config.inbound.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({}).inbound).toMatchObject({ maxBodyBytes: 1024 * 1024, maxWebhookBytes: 256 * 1024, corsOrigins: [] });
    const error = fails({ ROSTERGATE_CORS_ORIGINS: 'https://app.example.com/console' }) as ConfigError;
    expect(error.details).toEqual({ variable: 'ROSTERGATE_CORS_ORIGINS' });
    expect((fails({ ROSTERGATE_MAX_QUERY_DEPTH: '0' }) as ConfigError).details).toEqual({ variable: 'ROSTERGATE_MAX_QUERY_DEPTH' });
  });
});
