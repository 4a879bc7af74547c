/**
 * What every resolver receives: who is asking (tenant and role, from the API token), the tenant's
 * services, and this request's own loaders.
 */
import type { Loaders } from './datasources/loaders.js';
import type { ConnectionService } from './connections/service.js';
import type { Notifier } from './notify/notifier.js';
import type { Scheduling } from './sync/scheduling.js';
import type { Tenant } from './tenant.js';

export const ROLES = ['ADMIN', 'OPERATOR', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  tenant: string;
  role: Role;
  tokenId: string;
}

export interface GatewayContext {
  principal: Principal;
  tenant: Tenant;
  loaders: Loaders;
  /** The process's sync schedules (every tenant's: resolvers pass the principal's). */
  scheduling: Scheduling;
  /** The process's view of connections (every tenant's: resolvers pass the principal's). */
  connections: ConnectionService;
  /** The process's outgoing notifications (whether it can send email, for a new email target). */
  notifier: Pick<Notifier, 'email'>;
}
