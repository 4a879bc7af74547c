/**
 * The CLI before any run: where it looks for the gateway, how it fails when nothing is there, and
 * its version. Every case spawns the real binary.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Each case spawns the CLI (about 2 s to load on a shared 2-core machine), some several times.
describe('the CLI', { timeout: 90_000 }, () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('with the gateway down, fails with exit 1 and one line naming the address, no stack', async () => {
    const port = await closedPort();
    const [byFlag, byJson] = await Promise.all([
      cli(['sync', 'list', '--url', `http://127.0.0.1:${port}`, '--token', ADMIN_TOKEN]),
      cli(['sync', 'status', '00000000-0000-0000-0000-000000000000', '--json'], { ROSTERGATE_URL: `http://127.0.0.1:${port}`, ROSTERGATE_TOKEN: ADMIN_TOKEN }),
    ]);
    for (const result of [byFlag, byJson]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`rostergate: cannot reach the gateway at http://127.0.0.1:${port} (ECONNREFUSED)\n`);
      // No stack frame ("    at fn (file:line)"); the message itself says "at <url>".
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('without ROSTERGATE_URL, finds the gateway at ROSTERGATE_HOST:ROSTERGATE_PORT', async () => {
    t = await startTestGateway({ employees: 20, seed: 3 });
    const { port } = new URL(t.url);
    const found = await cli(['sync', 'list', '--json'], { ROSTERGATE_PORT: port, ROSTERGATE_TOKEN: ADMIN_TOKEN });
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toEqual({ totalCount: 0, runs: [] });

    const elsewhere = String(await closedPort());
    const missed = await cli(['sync', 'list'], { ROSTERGATE_HOST: '0.0.0.0', ROSTERGATE_PORT: elsewhere, ROSTERGATE_TOKEN: ADMIN_TOKEN });
    expect(missed.code).toBe(1);
    expect(missed.stderr).toContain(`cannot reach the gateway at http://127.0.0.1:${elsewhere} `);
  });

  it('a missing token or a bad URL is a one-line configuration error', async () => {
    const [noToken, badUrl] = await Promise.all([cli(['sync', 'list']), cli(['token', 'revoke', 'x', '--url', 'ftp://h', '--token', 't'])]);
    expect(noToken).toMatchObject({ code: 1, stdout: '', stderr: 'rostergate: CONFIG_INVALID: an API token is needed: --token or ROSTERGATE_TOKEN\n' });
    expect(badUrl).toMatchObject({ code: 1, stderr: 'rostergate: CONFIG_INVALID: --url must be an http(s) URL; received "ftp://h"\n' });
  });
});
