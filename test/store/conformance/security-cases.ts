import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import { openBackend } from '../../../src/store/backend.js';
import { tenantKey } from '../../../src/store/keys.js';
import { link, newTenant, records, run, type TestStore } from './fixtures.js';

export interface SecurityCaseContext {
  url: string;
  opened: () => TestStore;
  /** A second store on the same backend, with the given secret key or the suite's own. */
  open: (secretKey?: Buffer) => Promise<TestStore>;
}

/** Readiness, tenant isolation, cache expiry, sealed secrets, API tokens and durability across reopening. */
export function securityCases({ url, opened, open }: SecurityCaseContext): void {
  it('answers a readiness ping', async () => {
    await expect(opened().ping()).resolves.toBeUndefined();
  });

  it('keeps tenants apart', async () => {
    const s = opened();
    const [a, b] = [newTenant(), newTenant()];
    await s.settings.put(a, 'policy', { accessFlag: true });
    await s.runs.create(run(a, 'run-1', '2025-03-01T09:00:00.000Z'));
    await s.secrets.put(a, 'litmos', 'a-api-key');
    await s.links.put(a, link('BAMBOOHR', '7', 'L7'));
    await s.records.append(a, 'run-1', records(3));
    await s.journal.begin(a, 'run-1', 'create:7', { userName: 'ann' });

    expect(await s.settings.get(b, 'policy')).toBeNull();
    expect(await s.runs.get(b, 'run-1')).toBeNull();
    expect((await s.runs.list(b, { first: 10 })).totalCount).toBe(0);
    expect(await s.secrets.get(b, 'litmos')).toBeNull();
    expect(await s.links.list(b)).toEqual([]);
    expect(await s.links.findByLearner(b, 'L7')).toEqual([]);
    expect(await s.records.all(b, 'run-1')).toEqual([]);
    expect((await s.journal.getMany(b, 'run-1', ['create:7'])).size).toBe(0);

    await s.runs.create(run(b, 'run-1', '2025-03-02T09:00:00.000Z', 'NAMELY'));
    expect((await s.runs.get(a, 'run-1'))?.source).toBe('BAMBOOHR');
    expect((await s.runs.get(b, 'run-1'))?.source).toBe('NAMELY');
    expect(await s.settings.get(a, 'policy')).toEqual({ accessFlag: true });
  });

  it('misses cache entries whose TTL has passed and keeps the others', async () => {
    const s = opened();
    const tenant = newTenant();
    await s.cache.set(`${tenant}:learners`, ['L1'], 60_000);
    await s.cache.set(`${tenant}:teams`, ['T1']);
    expect(await s.cache.get(`${tenant}:learners`)).toEqual(['L1']);
    // Only Date is faked: keyv judges expiry by the clock, while the connections keep real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      expect(await s.cache.get(`${tenant}:learners`)).toBeUndefined();
      expect(await s.cache.get(`${tenant}:teams`)).toEqual(['T1']);
    } finally {
      vi.useRealTimers();
    }
    expect(await s.cache.get(`${tenant}:learners`)).toBeUndefined();
  });

  it('stores secrets encrypted at rest and refuses a wrong key', async () => {
    const s = opened();
    const tenant = newTenant();
    const plaintext = `litmos-api-key-${randomUUID()}`;
    await s.secrets.put(tenant, 'litmos', plaintext);
    expect(await s.secrets.get(tenant, 'litmos')).toBe(plaintext);
    expect(await s.secrets.has(tenant, 'litmos')).toBe(true);
    expect(await s.secrets.has(tenant, 'bamboohr')).toBe(false);

    // The backend without the key: what anyone reading the database would find.
    const raw = await openBackend({ url });
    try {
      const stored = await raw.swap.read(tenantKey(tenant, 'secret', 'litmos'));
      expect(JSON.parse(stored ?? 'null')).toMatchObject({ v: 2, iv: expect.any(String), tag: expect.any(String) });
      expect(stored).not.toContain(plaintext);
      expect(stored).not.toContain(Buffer.from(plaintext).toString('base64'));
    } finally {
      await raw.close();
    }

    const wrong = await open(randomBytes(32));
    try {
      const failure = await wrong.secrets.get(tenant, 'litmos').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'CONFIG_INVALID', name: 'ConfigError' });
      expect((failure as Error).message).not.toContain(plaintext);
    } finally {
      await wrong.close();
    }

    expect(await s.secrets.delete(tenant, 'litmos')).toBe(true);
    expect(await s.secrets.get(tenant, 'litmos')).toBeNull();
  });

  it('verifies issued and configured tokens until they are revoked', async () => {
    const s = opened();
    const tenant = newTenant();
    const { token, id } = await s.tokens.issue(tenant, 'OPERATOR', 'ci pipeline');
    expect(await s.tokens.verify(token)).toEqual({ tenant, role: 'OPERATOR', id });
    expect(await s.tokens.verify(`${token}x`)).toBeNull();

    const configured = `bootstrap-${randomUUID()}`;
    const first = await s.tokens.ensure(tenant, 'ADMIN', configured);
    expect(await s.tokens.ensure(tenant, 'ADMIN', configured)).toEqual(first);
    expect(await s.tokens.verify(configured)).toEqual({ tenant, role: 'ADMIN', id: first.id });

    const rotated = `bootstrap-${randomUUID()}`;
    const second = await s.tokens.ensure(tenant, 'ADMIN', rotated);
    expect(await s.tokens.verify(rotated)).toEqual({ tenant, role: 'ADMIN', id: second.id });
    expect(await s.tokens.verify(configured)).toBeNull();
    await expect(s.tokens.ensure(newTenant(), 'ADMIN', rotated)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });

    expect(await s.tokens.revoke(id)).toBe(true);
    expect(await s.tokens.verify(token)).toBeNull();
    expect(await s.tokens.revoke(id)).toBe(false);
    expect(await s.tokens.verify(rotated)).not.toBeNull();
  });

  it("lists a tenant's tokens (never the token), issued concurrently, without the revoked or another tenant's", async () => {
    const s = opened();
    const tenant = newTenant();
    const issued = await Promise.all(['a', 'b', 'c', 'd'].map((label) => s.tokens.issue(tenant, 'VIEWER', label)));
    await s.tokens.issue(newTenant(), 'ADMIN', 'elsewhere');
    expect(await s.tokens.revoke(issued[1]!.id)).toBe(true);
    const listed = await s.tokens.list(tenant);
    expect(listed.map((token) => token.label).sort()).toEqual(['a', 'c', 'd']);
    expect(listed.every((token) => Object.keys(token).sort().join() === 'createdAt,id,label,role')).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(issued[0]!.token);
  });

  it('keeps its data when closed and reopened', async () => {
    const tenant = newTenant();
    const first = await open();
    try {
      await first.runs.create(run(tenant, 'kept', '2025-03-01T00:00:00.000Z'));
      await first.records.append(tenant, 'kept', records(3));
      await first.secrets.put(tenant, 'namely', 'namely-token');
    } finally {
      await first.close();
    }
    const second = await open();
    try {
      expect((await second.runs.list(tenant, { first: 5 })).runs.map((each) => each.id)).toEqual(['kept']);
      expect(await second.records.all(tenant, 'kept')).toEqual(records(3));
      expect(await second.secrets.get(tenant, 'namely')).toBe('namely-token');
    } finally {
      await second.close();
    }
  });
}
