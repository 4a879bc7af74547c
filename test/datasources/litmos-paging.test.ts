import { describe, expect, it } from 'vitest';
import { createListReader, type ListReader, type Page } from '../../src/datasources/litmos/paging.js';
import { UpstreamError } from '../../src/errors.js';

/** A list of `count` items paged as Litmos does, `extra` more than asked on a full page; `ignoreStart` answers every page from 0. */
function server(count: number, options: { extra?: number; ignoreStart?: boolean } = {}) {
  const asked: number[] = [];
  const fetchPage =
    (pageSize: number) =>
    (start: number): Promise<Page> => {
      asked.push(start);
      const from = options.ignoreStart ? 0 : start;
      const end = Math.min(count, from + pageSize + (from + pageSize < count ? (options.extra ?? 0) : 0));
      return Promise.resolve({ status: 200, records: Array.from({ length: Math.max(0, end - from) }, (_, i) => ({ Id: `u${from + i}` })) });
    };
  return { asked, fetchPage, ids: Array.from({ length: count }, (_, i) => `u${i}`) };
}

/** How many pages a read of a `count`-item list asks for before any has answered; its items checked. */
async function askedAtOnce(reader: ListReader, list: string, count: number): Promise<number> {
  const { asked, fetchPage, ids } = server(count);
  const reading = reader.readAll(list, 'items', fetchPage(5));
  const before = asked.length;
  expect((await reading).map((item) => item.Id)).toEqual(ids);
  return before;
}

describe('reading a Litmos list', () => {
  it('asks ahead for the pages the last read needed, and reads each item once even when pages overlap', async () => {
    for (const extra of [0, 1, 3, 7]) {
      const reader = createListReader(5);
      const first = server(23, { extra });
      expect((await reader.readAll('/users', 'users', first.fetchPage(5))).map((item) => item.Id)).toEqual(first.ids);
      const again = server(31, { extra });
      expect(
        (await reader.readAll('/users', 'users', again.fetchPage(5))).map((item) => item.Id),
        `${extra} extra`,
      ).toEqual(again.ids);
      // The 23 items read before span five pages of 5, asked at once; the grown rest one by one.
      expect(again.asked.slice(0, 5)).toEqual([0, 5, 10, 15, 20]);
    }
  });

  it('stops with an error on a server that ignores start, on a first read and on one asking ahead', async () => {
    const reader = createListReader(5);
    await expect(reader.readAll('/users', 'users', server(12, { ignoreStart: true }).fetchPage(5))).rejects.toThrow(/paging did not advance/);
    await reader.readAll('/users', 'users', server(12).fetchPage(5));
    const error: unknown = await reader.readAll('/users', 'users', server(12, { ignoreStart: true }).fetchPage(5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('remembers each list by its name, and forgets one that fits a page', async () => {
    const reader = createListReader(5);
    expect(await askedAtOnce(reader, '/teams/a/users', 12)).toBe(1);
    expect(await askedAtOnce(reader, '/teams/b/users', 12)).toBe(1);
    expect(await askedAtOnce(reader, '/teams/a/users', 12)).toBe(3);
    expect(await askedAtOnce(reader, '/teams/a/users', 3)).toBe(3);
    expect(await askedAtOnce(reader, '/teams/a/users', 12)).toBe(1);
    expect(await askedAtOnce(reader, '/teams/b/users', 12)).toBe(3);
  });

  it('remembers the lists read last when there are more than it keeps', async () => {
    const reader = createListReader(5);
    for (let i = 0; i <= 256; i++) await askedAtOnce(reader, `/users?search=${i}`, 12);
    expect(await askedAtOnce(reader, '/users?search=256', 12)).toBe(3);
    expect(await askedAtOnce(reader, '/users?search=1', 12)).toBe(3);
    // The first, read longest ago and not since, was let go.
    expect(await askedAtOnce(reader, '/users?search=0', 12)).toBe(1);
  });
});
