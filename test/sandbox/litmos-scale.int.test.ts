import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamClient, type UpstreamClient } from '../../src/datasources/http.js';
import { createLitmosClient } from '../../src/datasources/litmos/client.js';
import { createLitmosSimulator, generateCompany, startSimulator, type LitmosSimulator, type RunningSimulator } from '@rostergate/sandbox';

const USERS = 100_000;

let litmos: LitmosSimulator;
let server: RunningSimulator;
let http: UpstreamClient;

beforeAll(async () => {
  const company = generateCompany({ seed: 11, size: 2_000, today: '2025-06-01' });
  litmos = createLitmosSimulator({ companies: [company], rate: { limit: 100_000 } });
  const now = Date.now();
  for (let i = litmos.state.users.length; i < USERS; i++) {
    litmos.state.createUser({ UserName: `learner${i}@scale.test`, FirstName: 'Scale', LastName: `Learner ${i}`, Active: i % 50 !== 0 }, now);
  }
  server = await startSimulator(litmos.spec);
  http = createUpstreamClient({
    system: 'litmos',
    baseUrl: `${server.url}/v1.svc`,
    authorize: ({ headers }) => void (headers.apikey = 'sandbox-litmos-key'),
    budget: { limit: 100_000, windowMs: 60_000 },
  });
});
afterAll(async () => {
  await http.close();
  await server.close();
});

describe('a 100,000-user account', () => {
  it('is read completely in pages of 1000', async () => {
    const learners = await createLitmosClient({ http, applicationName: 'scale' }).listLearners();
    expect(learners.length).toBe(USERS);
    expect(new Set(learners.map((l) => l.id)).size).toBe(USERS);
    expect(server.stats().routes['GET /v1.svc/users']?.count).toBe(USERS / 1000 + 1);
  });

  it('finds users by username and pages a sorted, filtered view', async () => {
    const client = createLitmosClient({ http, applicationName: 'scale' });
    expect((await client.getLearner('LEARNER99999@scale.test'))?.lastName).toBe('Learner 99999');
    const url = (start: number) => `${server.url}/v1.svc/users?source=scale&format=json&sort=LastName&dir=DESC&showInactive=false&limit=1000&start=${start}`;
    let total = 0;
    for (let start = 0; ; start += 1000) {
      const page = (await (await fetch(url(start), { headers: { apikey: 'sandbox-litmos-key' } })).json()) as unknown[];
      if (page.length === 0) break;
      total += page.length;
    }
    expect(total).toBe(litmos.state.users.filter((u) => u.Active).length);
  });
});
