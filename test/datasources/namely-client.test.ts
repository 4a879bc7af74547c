/**
 * The Namely client's paging against canned answers: what the documentation allows but our simulator
 * does not serve (a legacy `meta` without `total_count`, a server that lists pending profiles by
 * default, one that ignores `page`).
 */
import { describe, expect, it } from 'vitest';
import type { UpstreamClient, UpstreamRequest } from '../../src/datasources/http.js';
import { createNamelyClient } from '../../src/datasources/namely/client.js';

const FIELDS = { fields: [{ name: 'litmos_activated', label: 'Litmos Activated', type: 'select' }] };
const GROUPS = { groups: [] };

const profile = (id: string, status = 'active') => ({
  id,
  first_name: 'First',
  last_name: id,
  email: `${id}@example.com`,
  user_status: status,
  litmos_activated: 'Yes',
});
const ids = (from: number, count: number, status?: string) => Array.from({ length: count }, (_, i) => profile(`p${from + i}`, status));

/** An UpstreamClient answering `/profiles` pages from `pages(filter, page)`; records the pages asked for. */
function fakeNamely(pages: (status: string | undefined, page: number) => { profiles: unknown[]; meta?: Record<string, unknown> }) {
  const asked: string[] = [];
  const request = async (req: UpstreamRequest) => {
    const answer = (value: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(value) });
    if (req.path === '/profiles/fields') return answer(FIELDS);
    if (req.path === '/groups') return answer(GROUPS);
    const status = req.query?.['filter[user_status]'] as string | undefined;
    asked.push(`${status ?? 'default'}:${req.query?.page}`);
    return answer(pages(status, Number(req.query?.page)));
  };
  // Only `request` is the client's to call; the rest answers as an idle client would.
  const http: UpstreamClient = {
    system: 'namely',
    request,
    budget: () => ({ limit: 300, windowMs: 60_000, used: 0, remaining: 300, nextSlotAt: Date.now(), queued: 0, etaMs: () => 0 }),
    metrics: () => ({
      requests: asked.length,
      attempts: asked.length,
      responses: {},
      retries: 0,
      throttled: 0,
      budgetWaitMs: 0,
      networkErrors: 0,
      failures: 0,
    }),
    close: async () => {},
  };
  return { http, asked };
}

describe('listEmployees paging', () => {
  it('without total_count (the legacy meta), reads short pages until an empty one, each profile once', async () => {
    // 12 profiles over pages of 5, 3, 4, then the empty page; pages past it are never used.
    const sizes = [5, 3, 4];
    const starts = [0, 5, 8, 12];
    const { http, asked } = fakeNamely((status, page) => {
      if (status === 'pending') return { profiles: [], meta: { count: 0, status: 200 } };
      const count = sizes[page - 1] ?? 0;
      return { profiles: ids(starts[page - 1] ?? 0, count), meta: { count, status: 200 } };
    });
    const employees = await createNamelyClient({ http, concurrency: 2 }).listEmployees();
    expect(employees.map((e) => e.sourceId)).toEqual(ids(0, 12).map((p) => p.id));
    // Page 1, then rounds of two pages until one is empty, then the pending list's empty page 1.
    expect(asked).toEqual(['default:1', 'default:2', 'default:3', 'default:4', 'default:5', 'pending:1']);
  });

  it('keeps a pending profile once when the default list holds it too', async () => {
    const { http } = fakeNamely((status, page) => {
      if (page > 1) return { profiles: [], meta: { count: 0, status: 200, total_count: status === 'pending' ? 1 : 3 } };
      if (status === 'pending') return { profiles: [profile('p2', 'pending')], meta: { count: 1, status: 200, total_count: 1 } };
      return { profiles: [profile('p0'), profile('p1', 'inactive'), profile('p2', 'pending')], meta: { count: 3, status: 200, total_count: 3 } };
    });
    const employees = await createNamelyClient({ http }).listEmployees();
    expect(employees.map((e) => [e.sourceId, e.status])).toEqual([
      ['p0', 'ACTIVE'],
      ['p1', 'INACTIVE'],
      ['p2', 'PENDING'],
    ]);
  });

  it('throws a conflict when the pages hold fewer profiles than total_count says', async () => {
    const { http } = fakeNamely((_, page) => ({ profiles: page === 1 ? ids(0, 4) : [], meta: { total_count: 5 } }));
    await expect(createNamelyClient({ http }).listEmployees()).rejects.toMatchObject({
      code: 'UPSTREAM_CONFLICT',
      message: expect.stringContaining('the pages held 4 profiles, total_count 5'),
    });
  });

  it('throws instead of paging forever when the server ignores `page`', async () => {
    const { http, asked } = fakeNamely(() => ({ profiles: ids(0, 3), meta: { count: 3, status: 200 } }));
    await expect(createNamelyClient({ http, concurrency: 2 }).listEmployees()).rejects.toMatchObject({
      code: 'UPSTREAM_CONFLICT',
      message: expect.stringContaining('a profile appeared on two pages'),
    });
    expect(asked).toEqual(['default:1', 'default:2', 'default:3']);
  });
});
