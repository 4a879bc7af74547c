import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** The workspace's "source" export condition: tests run @rostergate/sandbox from its TypeScript sources. */
const conditions = ['source', ...defaultServerConditions.filter((condition) => condition !== 'module')];

export default defineConfig({
  ssr: { resolve: { conditions } },
  resolve: {
    conditions,
    // Node loads graphql's CommonJS build (type-graphql requires it); Vite would pick the ESM build
    // for our own imports, and two graphql instances cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: integration files each start their own simulators on port 0, so a small pool
    // keeps them from starving each other.
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
  },
});
