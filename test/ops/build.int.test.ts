/**
 * The real build: `npm run build` compiles the gateway and the sandbox package to JavaScript, and the
 * compiled gateway (`node dist/main.js serve`) starts on its embedded default and answers — no tsx,
 * no TypeScript at run time. The Docker image is built where a Docker daemon answers.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphqlAs, serveProcess } from '../support/process.js';

const TOKEN = 'build-test-admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'rostergate-build-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const dockerAnswers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
if (!dockerAnswers) console.warn('build.int.test.ts: the Docker image test is skipped: no Docker daemon answers `docker info`');

describe('the build', () => {
  it('compiles to dist/, and the compiled gateway starts on its embedded default and answers', async () => {
    const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const { url } = await serveProcess(
      { ROSTERGATE_PORT: '0', ROSTERGATE_SANDBOX_PORT: '0', ROSTERGATE_DATA_DIR: dir, ROSTERGATE_ADMIN_TOKEN: TOKEN, ROSTERGATE_LOG_LEVEL: 'silent' },
      children,
      'dist/main.js',
    );
    const data = await graphqlAs(TOKEN)<{ employees: { totalCount: number } }>(url, '{ employees(first: 1) { totalCount } }');
    expect(data.employees.totalCount).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(!dockerAnswers)(
    'builds the Docker image',
    () => {
      const build = spawnSync('docker', ['build', '-q', '-t', 'rostergate:test', '.'], { encoding: 'utf8' });
      expect(build.status, build.stderr).toBe(0);
    },
    600_000,
  );
});
