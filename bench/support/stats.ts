/**
 * Upstream request counts from the simulators' own stats (what the vendor would bill or throttle),
 * as the difference between two snapshots so a scenario counts only its own requests.
 */
import type { SimulatorStats } from '@rostergate/sandbox';

export interface StatsDelta {
  total: number;
  throttled: number;
  /** `"METHOD /pattern"` → requests. */
  routes: Record<string, number>;
}

export function statsDelta(before: SimulatorStats, after: SimulatorStats): StatsDelta {
  const routes: Record<string, number> = {};
  for (const [route, stats] of Object.entries(after.routes)) {
    const count = stats.count - (before.routes[route]?.count ?? 0);
    if (count > 0) routes[route] = count;
  }
  return { total: after.total - before.total, throttled: after.throttled - before.throttled, routes };
}
