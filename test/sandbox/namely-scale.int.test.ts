import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompany } from '../../src/sandbox/generate.js';
import { startSimulator, type RunningSimulator } from '../../src/sandbox/kit.js';
import { createNamelySimulator, type NamelySimulator } from '../../src/sandbox/namely/simulator.js';

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
    const last = await get('/profiles?page=2000&per_page=50');
    expect(last.meta.total_count).toBe(100_000);
    expect(last.profiles.at(-1)?.id).toBe(bigState.profileId(100_000));
    expect((await get('/profiles?page=2001&per_page=50')).profiles).toEqual([]);
    const after = await get(`/profiles?after=${bigState.profileId(99_990)}`);
    expect(after.profiles).toHaveLength(10);
  });
});
