import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type Store } from '../../src/store/open.js';
import type { RunRecordShape } from '../../src/store/records.js';
import type { RunShape } from '../../src/store/runs.js';
import { atRestCases } from './conformance/at-rest-cases.js';
import { concurrencyCases } from './conformance/concurrency-cases.js';
import { notificationCases } from './conformance/notification-cases.js';
import { holdCases } from './conformance/hold-cases.js';
import { planCases } from './conformance/plan-cases.js';
import type { TestRecord, TestRun, TestStore } from './conformance/fixtures.js';
import { securityCases } from './conformance/security-cases.js';
import { stateCases } from './conformance/state-cases.js';

/** A backend to run the suite against, isolated to this run. */
export interface ConformanceTarget {
  /** Backend, address and how to start it, e.g. "PostgreSQL at 127.0.0.1:5432 (start it with: …)". */
  server: string;
  /** A store URL no other run uses (a fresh file, schema or key prefix). */
  url: string;
  /** Removes everything this run stored; called after the suite when the backend was reachable. */
  cleanup(): Promise<void>;
  /** Every key and value this run stored, exactly as the backend holds them, to check what is at rest. */
  rawContents(): Promise<string>;
}

/** Opens the target's store; when the server is down, the error says which one and how to start it. */
export async function openTarget<TRun extends RunShape = RunShape, TRecord extends RunRecordShape = RunRecordShape>(
  target: Pick<ConformanceTarget, 'server' | 'url'>,
  secretKey: Buffer,
): Promise<Store<TRun, TRecord>> {
  try {
    return await openStore<TRun, TRecord>({ url: target.url, secretKey });
  } catch (error) {
    throw new Error(`${target.server} is not usable: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * One behavioural suite every store backend passes. Tests share one store and tell their data apart
 * by tenant, so none depends on another having run.
 */
export function describeStoreConformance(target: ConformanceTarget): void {
  describe(`store conformance: ${target.server}`, () => {
    const secretKey = randomBytes(32);
    let store: TestStore | undefined;

    const open = async (key: Buffer = secretKey) => openTarget<TestRun, TestRecord>(target, key);

    function opened(): TestStore {
      if (store === undefined) throw new Error(`the store was not opened; see the failure of beforeAll`);
      return store;
    }

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      if (store === undefined) return;
      await store.close();
      await target.cleanup();
    });

    securityCases({ url: target.url, opened, open });
    stateCases(opened);
    planCases(opened);
    concurrencyCases({ opened, open: async () => open() });
    notificationCases({ opened, open: async () => open() });
    holdCases({ opened, open: async () => open() });
    atRestCases({ opened, open, rawContents: async () => target.rawContents() });
  });
}
