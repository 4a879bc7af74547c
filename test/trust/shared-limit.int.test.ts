/**
 * Two gateways on one Redis store enforce one request limit per caller between them: a caller
 * cannot double its rate by spreading requests over replicas.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestGateway, startTestSandbox, type TestGateway } from '../support/gateway.js';
import type { RunningSandbox } from '@rostergate/sandbox';

let sandbox: RunningSandbox;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox({ employees: 20 });
  const env = {
    ROSTERGATE_STORE_URL: `redis://127.0.0.1:6379?prefix=limit-test-${randomBytes(4).toString('hex')}`,
    ROSTERGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    ROSTERGATE_REQUESTS_PER_MINUTE: '30',
  };
  for (let i = 0; i < 2; i += 1) gateways.push(await startTestGateway({ sandbox, env }));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await sandbox?.close();
});

it('counts a caller once across replicas sharing a Redis store', async () => {
  const ask = (gateway: TestGateway) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then((response) => response.status);
  const statuses: number[] = [];
  // 20 to each: under the limit on either alone, over it together.
  for (let i = 0; i < 20; i += 1) statuses.push(await ask(gateways[0]!), await ask(gateways[1]!));
  expect(statuses.filter((status) => status === 200)).toHaveLength(30);
  expect(statuses.filter((status) => status === 429)).toHaveLength(10);
});
