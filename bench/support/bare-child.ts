/**
 * The bare Apollo Server (bare-server.ts) in a process of its own, so it has an event loop to itself
 * as the gateway does. Its argument names a JSON file holding the data to serve.
 */
import { readFile } from 'node:fs/promises';
import { startBareServer } from './bare-server.js';
import { childArgument, serveUntilDisconnect } from './child.js';

const { dataFile } = childArgument<{ dataFile: string }>();
const server = await startBareServer(JSON.parse(await readFile(dataFile, 'utf8')) as { employees: unknown });
serveUntilDisconnect({ url: server.url }, () => server.close());
