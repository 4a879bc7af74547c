import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamelySimulator, generateCompany, startSimulator, type NamelySimulator, type RunningSimulator } from '@rostergate/sandbox';

// Its own file: building 100,000 profiles blocks the event loop for seconds, long enough to outlive
// the keep-alive of idle connections another suite in the same file would reuse.
const auth = { authorization: 'Bearer sandbox-namely-token' };

interface Page {
  profiles: { id: string }[];
  meta: { total_count?: number };
}

describe('a Namely company of 100,000', () => {
  let big: RunningSimulator;
  let bigState: NamelySimulator['state'];
  beforeAll(async () => {
    const simulator = createNamelySimulator({ company: generateCompany({ seed: 11, size: 100_000, today: '2025-06-01' }) });
    bigState = simulator.state;
    big = await startSimulator(simulator.spec);
  });
  afterAll(async () => {
    await big.close();
  });

  it('serves the last pages and the after cursor from anywhere in the roster', async () => {
    const get = async (path: string) => (await (await fetch(`${big.url}/api/v1${path}`, { headers: auth })).json()) as Page;
    // Everyone is listed when asked by status; the default list leaves out the pending ones.
    const all = (status: string) => `filter[user_status]=${status}`;
    const totals = await Promise.all(
      ['active', 'inactive', 'pending'].map(async (status) => (await get(`/profiles?per_page=1&${all(status)}`)).meta.total_count ?? 0),
    );
    expect(totals.reduce((sum, count) => sum + count, 0)).toBe(bigState.size);
    const listed = totals[0]! + totals[1]!;
    const lastPage = Math.ceil(listed / 50);
    const last = await get(`/profiles?page=${lastPage}&per_page=50`);
    expect(last.meta.total_count).toBe(listed);
    expect(last.profiles).toHaveLength(listed - (lastPage - 1) * 50);
    expect((await get(`/profiles?page=${lastPage + 1}&per_page=50`)).profiles).toEqual([]);
    const tail = last.profiles.at(-11)?.id;
    const after = await get(`/profiles?after=${tail}`);
    expect(after.profiles).toEqual(last.profiles.slice(-10));
  });
});
