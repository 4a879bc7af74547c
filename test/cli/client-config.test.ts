/** Where the CLI looks for the gateway (loadClientConfig): flag, then ROSTERGATE_URL, then where `serve` listens. */
import { describe, expect, it } from 'vitest';
import { loadClientConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

describe('loadClientConfig', () => {
  it('defaults to where serve listens with the same environment', () => {
    expect(loadClientConfig({}).url).toBe('http://127.0.0.1:4000');
    expect(loadClientConfig({ ROSTERGATE_PORT: '4600' }).url).toBe('http://127.0.0.1:4600');
    expect(loadClientConfig({ ROSTERGATE_HOST: 'gateway.internal', ROSTERGATE_PORT: '80' }).url).toBe('http://gateway.internal:80');
  });

  it('reaches a wildcard bind on loopback, and brackets IPv6', () => {
    expect(loadClientConfig({ ROSTERGATE_HOST: '0.0.0.0' }).url).toBe('http://127.0.0.1:4000');
    expect(loadClientConfig({ ROSTERGATE_HOST: '::' }).url).toBe('http://[::1]:4000');
    expect(loadClientConfig({ ROSTERGATE_HOST: 'fd00::5' }).url).toBe('http://[fd00::5]:4000');
  });

  it('a flag beats its variable, which beats the host and port', () => {
    const env = { ROSTERGATE_URL: 'https://gw.example/', ROSTERGATE_PORT: '4600', ROSTERGATE_TOKEN: 'from-env' };
    expect(loadClientConfig(env)).toEqual({ url: 'https://gw.example', token: 'from-env' });
    expect(loadClientConfig(env, { url: 'http://other:1', token: 'from-flag' })).toEqual({ url: 'http://other:1', token: 'from-flag' });
  });

  it('names the flag or variable that is malformed', () => {
    expect(() => loadClientConfig({}, { url: 'nope' })).toThrow(ConfigError);
    expect(() => loadClientConfig({}, { url: 'nope' })).toThrow('--url must be an http(s) URL; received "nope"');
    expect(() => loadClientConfig({ ROSTERGATE_PORT: '0' })).toThrow(/ROSTERGATE_PORT must be a whole number from 1 to 65535/);
  });
});
