import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createReadCache } from '../../../src/datasources/cache.js';
import { newTenant, run, type TestRecord, type TestStore } from './fixtures.js';

export interface AtRestCaseContext {
  opened: () => TestStore;
  /** A second store on the same backend, with the given secret key or the suite's own. */
  open: (secretKey?: Buffer) => Promise<TestStore>;
  /** Every key and value the backend holds for this suite, exactly as stored (files, rows, Redis strings). */
  rawContents: () => Promise<string>;
}

/** An employee as the HR read and a sync leave it behind: names and a work email. */
function employee() {
  const tag = randomUUID().slice(0, 8);
  return { id: '4711', firstName: `Annabel${tag}`, lastName: `Quist${tag}`, workEmail: `annabel.${tag}@example.com` };
}

/** HR data in every value a sync writes stays sealed with the store's key; only its holder reads it back. */
export function atRestCases({ opened, open, rawContents }: AtRestCaseContext): void {
  it('keeps work emails and names out of the stored bytes of records, cache, journal and plans', async () => {
    const s = opened();
    const tenant = newTenant();
    const person = employee();
    const record: TestRecord = { key: `BAMBOOHR:${person.id}`, outcome: 'CREATED', position: 0 };
    const withPerson = { ...record, email: person.workEmail, name: `${person.firstName} ${person.lastName}` };
    const action = { kind: 'CREATE_LEARNER', fields: { userName: person.workEmail, email: person.workEmail } };

    await s.runs.create({ ...run(tenant, 'r1', '2025-03-01T00:00:00.000Z'), summary: person.workEmail });
    await s.records.append(tenant, 'r1', [withPerson]);
    await s.journal.begin(tenant, 'r1', `create:BAMBOOHR:${person.id}`, action);
    await s.settings.put(tenant, 'plan:r1', { actions: [action] });
    const cache = createReadCache({ keyv: s.cache, prefix: `tenant:${tenant}`, memoryTtlMs: 0 });
    await cache.get('employees:BAMBOOHR', async () => [person]);

    const raw = await rawContents();
    // Booleans, so a failure names what leaked instead of printing the whole database.
    expect(raw.includes(tenant), "the dump holds this test's keys").toBe(true);
    for (const secret of [person.workEmail, person.firstName, person.lastName]) {
      expect(raw.includes(secret), `'${secret}' is stored in plain text`).toBe(false);
      expect(raw.includes(Buffer.from(secret).toString('base64')), `'${secret}' is stored as base64`).toBe(false);
    }

    expect(await s.records.all(tenant, 'r1')).toEqual([withPerson]);
    const replica = createReadCache({ keyv: s.cache, prefix: `tenant:${tenant}`, memoryTtlMs: 0 });
    expect(await replica.get('employees:BAMBOOHR', async () => [])).toEqual([person]);
    expect(replica.stats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('refuses sealed records to another key, and treats its cache entries as misses', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.records.append(tenant, 'r1', [{ key: 'BAMBOOHR:1', outcome: 'CREATED', position: 0 }]);
    await s.cache.set(`tenant:${tenant}:learners`, { value: [employee()] }, 60_000);
    const wrong = await open(randomBytes(32));
    try {
      await expect(wrong.records.all(tenant, 'r1')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      // A cache is a copy of upstream data: after a key change it refills instead of failing reads.
      expect(await wrong.cache.get(`tenant:${tenant}:learners`)).toBeUndefined();
    } finally {
      await wrong.close();
    }
  });
}
