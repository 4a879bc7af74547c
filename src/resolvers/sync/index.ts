import { SyncMutationResolver } from './mutations.resolver.js';
import { SyncProgressResolver } from './progress.resolver.js';
import { SyncRollbackResolver } from './rollback.resolver.js';
import { SyncRunResolver } from './run.resolver.js';
import { WebhookResolver } from './webhook.resolver.js';

export const SYNC_RESOLVERS = [SyncRunResolver, SyncMutationResolver, SyncProgressResolver, SyncRollbackResolver, WebhookResolver] as const;
