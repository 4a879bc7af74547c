/** `rostergate token …` against a real gateway: a token issued by the CLI works until the CLI revokes it. */
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// Nine spawns of the CLI, about 2 s each to load on a shared 2-core machine.
describe('rostergate token', { timeout: 90_000 }, () => {
  it('create, list, use, revoke; a revoked token is refused and revoking twice is NOT_FOUND', async () => {
    t = await startTestGateway({ employees: 20, seed: 3 });
    const env = { ROSTERGATE_URL: t.url };
    const created = await cli(['token', 'create', '--role', 'operator', '--label', 'nightly script', '--json', '--token', ADMIN_TOKEN], env);
    expect(created.code).toBe(0);
    const issued = JSON.parse(created.stdout) as { id: string; token: string; role: string; label: string };
    expect(issued).toMatchObject({ role: 'OPERATOR', label: 'nightly script' });

    const human = await cli(['token', 'create', '--role', 'viewer', '--label', 'dashboard', '--token', ADMIN_TOKEN], env);
    const secret = human.stdout.trimEnd().split('\n').at(-1)!;
    expect((await cli(['sync', 'list', '--token', secret], env)).code).toBe(0);
    expect((await cli(['token', 'list', '--token', secret], env)).stderr, 'a viewer lists no tokens').toMatch(/^rostergate: FORBIDDEN: /);

    expect((await cli(['sync', 'list', '--token', issued.token], env)).code).toBe(0);
    const listed = await cli(['token', 'list', '--json', '--token', ADMIN_TOKEN], env);
    const tokens = JSON.parse(listed.stdout) as { id: string; role: string; label: string }[];
    expect(tokens).toEqual(expect.arrayContaining([expect.objectContaining({ id: issued.id, role: 'OPERATOR', label: 'nightly script' })]));
    expect(listed.stdout, 'never the token itself').not.toContain(issued.token);
    const revoked = await cli(['token', 'revoke', issued.id, '--token', ADMIN_TOKEN], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked token ${issued.id}\n` });
    const refused = await cli(['sync', 'list', '--token', issued.token], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rostergate: UNAUTHENTICATED: .+\n$/);
    const twice = await cli(['token', 'revoke', issued.id, '--json', '--token', ADMIN_TOKEN], env);
    expect(twice).toMatchObject({ code: 1, stdout: '', stderr: `rostergate: NOT_FOUND: no API token ${issued.id}\n` });
  });
});
