/**
 * Distributed mode's parts, opened once per process when ROSTERGATE_REDIS_URL is set: the Redis
 * connections, the run queue, and what each tenant takes from them (shared budgets, the progress bus,
 * cache invalidation, run dispatch). Every process — gateway replicas and workers alike — opens the
 * same parts under the same prefix, and they meet in Redis.
 */
import type { DistributedConfig } from '../config.js';
import type { TenantScaleOut } from '../tenant.js';
import type { Logger } from '../telemetry/log.js';
import { budgetKey, createSharedBudget } from './budget.js';
import { createCachePeers } from './invalidation.js';
import { createRedisProgressBus } from './progress.js';
import { createRunQueue, startRunWorker, type RunQueue, type RunWorker, type RunWorkerOptions } from './queue.js';
import { openRedis, type SharedRedis } from './redis.js';

export interface ScaleOut {
  redis: SharedRedis;
  queue: RunQueue;
  /** What every tenant of this process takes from the distributed mode. */
  tenants: TenantScaleOut;
  /** Takes run jobs from the queue in this process until the worker is closed. */
  startRunWorker(options: RunWorkerOptions): RunWorker;
  close(): Promise<void>;
}

export async function openScaleOut(config: DistributedConfig, log: Logger): Promise<ScaleOut> {
  const redis = await openRedis({ url: config.redisUrl, prefix: config.prefix });
  const queue = createRunQueue(redis);
  const cachePeers = createCachePeers(redis);
  return {
    redis,
    queue,
    tenants: {
      budget: (system, baseUrl, credential, limits) => createSharedBudget(redis, { key: budgetKey(system, baseUrl, credential), ...limits }),
      progressBus: (clock, observe) =>
        createRedisProgressBus(redis, clock, observe, {
          onError: (error, event) => log.warn({ err: error, runId: event.runId }, 'progress event not published'),
        }),
      cachePeers,
      dispatch: queue,
    },
    startRunWorker: (options) => startRunWorker(redis, options),
    async close() {
      await queue.close();
      await cachePeers.close();
      await redis.close();
    },
  };
}
