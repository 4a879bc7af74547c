import { createRequire } from 'node:module';

/** The package's version, read from its package.json so the two never disagree. */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
