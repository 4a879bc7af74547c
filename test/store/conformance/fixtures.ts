import { randomUUID } from 'node:crypto';
import type { IdentityLink } from '../../../src/model.js';
import type { Store } from '../../../src/store/open.js';

export interface TestRun {
  id: string;
  tenant: string;
  source: string;
  status: string;
  createdAt: string;
  summary?: string;
}

export interface TestRecord {
  key: string;
  outcome: string;
  position: number;
}

export type TestStore = Store<TestRun, TestRecord>;

const OUTCOMES = ['CREATED', 'UPDATED', 'UNCHANGED', 'FAILED'] as const;

/** Tenants are unique per test, so tests share one store without seeing each other's data. */
export function newTenant(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

export function run(tenant: string, id: string, createdAt: string, source = 'BAMBOOHR', status = 'DONE'): TestRun {
  return { id, tenant, source, status, createdAt };
}

export function link(source: IdentityLink['source'], sourceId: string, learnerId: string): IdentityLink {
  return { source, sourceId, learnerId, matchedBy: 'EMAIL', linkedAt: '2025-03-01T09:00:00.000Z' };
}

/** Every record of a 2,000-record run; outcomes follow a fixed, uneven pattern. */
export function records(count: number): TestRecord[] {
  return Array.from({ length: count }, (_, position) => ({
    key: `BAMBOOHR:${position}`,
    outcome: position % 7 === 3 ? 'FAILED' : (OUTCOMES[position % 3] ?? 'CREATED'),
    position,
  }));
}
