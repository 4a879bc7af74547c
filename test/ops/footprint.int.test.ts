/**
 * The embedded default loads nothing only a configured deployment uses: PostgreSQL's and Redis's
 * clients, the distributed mode's and nodemailer are tens of megabytes of resident memory (see
 * src/runtime.ts). Checked in a process of its own, since this one has loaded them for other tests.
 * Node keeps the CommonJS modules it loaded, `import`ed ones included, in `require.cache`; BullMQ is
 * ESM but imports ioredis, so it shows too. The OTLP tracer, ESM throughout, is not checked here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const OPEN_EMBEDDED = `
import { createRequire } from 'node:module';
import { openRuntime } from './src/runtime.ts';
import { loadConfig } from './src/config.ts';
const config = loadConfig(JSON.parse(process.env.CONFIG));
const runtime = await openRuntime(config);
const loaded = Object.keys(createRequire(import.meta.url).cache);
await runtime.close();
process.stdout.write(JSON.stringify(loaded));
`;

const packageOf = (path: string) => /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

describe('the embedded default', () => {
  it('opens its runtime without loading the PostgreSQL, Redis, queue or mail clients', async () => {
    const config = {
      ROSTERGATE_STORE_URL: 'sqlite::memory:',
      ROSTERGATE_SECRET_KEY: '11'.repeat(32),
      ROSTERGATE_LOG_LEVEL: 'silent',
    };
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', OPEN_EMBEDDED], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CONFIG: JSON.stringify(config) },
    });
    const packages = new Set((JSON.parse(stdout) as string[]).flatMap((path) => packageOf(path) ?? []));
    // What it does use shows up, so the list is the one that counts.
    expect(packages).toContain('better-sqlite3');
    for (const unused of ['pg', 'ioredis', '@redis/client', 'nodemailer']) expect(packages, `${unused} was loaded`).not.toContain(unused);
  });
});
