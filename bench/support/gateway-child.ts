/**
 * A gateway in a process of its own, through the product's composition root (`startGateway` over
 * `loadConfig`), so a load generator in the parent does not share its event loop.
 */
import 'reflect-metadata';
import { startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { childArgument, serveUntilDisconnect } from './child.js';

const gateway = await startGateway(loadConfig(childArgument<Record<string, string>>()));
serveUntilDisconnect({ url: gateway.url }, () => gateway.close());
