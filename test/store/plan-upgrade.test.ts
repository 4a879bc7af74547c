import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { syncStoreOf, type GatewayStore } from '../../src/tenant.js';
import type { SyncPlan } from '../../src/core/plan-types.js';
import { planSync } from '../../src/core/plan.js';
import { employee, planInput } from '../core/builders.js';

let store: GatewayStore | undefined;
afterEach(async () => store?.close());

const planOf = (count: number): SyncPlan => planSync(planInput({ employees: Array.from({ length: count }, (_, i) => employee(String(i + 1))) }));

it('reads a plan stored before plans were chunked (a setting keyed by its run), and the chunked plan once the run is planned again', async () => {
  store = await openStore({ url: 'sqlite::memory:', secretKey: randomBytes(32) });
  const plans = syncStoreOf(store).plans;
  const before = planOf(3);
  await store.settings.put('t1', 'plan:r1', before);
  expect(await plans.get('t1', 'r1')).toEqual(before);

  const again = planOf(1_200);
  await plans.put('t1', 'r1', again);
  expect(await plans.get('t1', 'r1')).toEqual(again);
  expect(await plans.get('t1', 'r2')).toBeNull();
});
