/** The package's version, read from package.json at run time so there is one place to bump it. */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
