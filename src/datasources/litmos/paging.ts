/**
 * Reading a Litmos list to its end. Litmos pages by `start` and `limit` and sends no total, so a
 * reader asks for one page after another until a short or empty one — one round trip at a time,
 * each sent only once the last is parsed, which at 50,000 users left a sync waiting on the user
 * list long after everything else was read. A list read before (one longer than a page) is read
 * ahead instead: the pages its last length covers are asked for at once (the HTTP client's
 * concurrency and budget still pace them), then taken in order, exactly as one by one. A list that
 * has not shrunk costs not one request more; one that has costs the pages past its new end.
 */
import { UpstreamError } from '../../errors.js';
import type { LitmosRecord } from './mapping.js';

export interface Page {
  /** The HTTP status, for errors. */
  status: number;
  records: LitmosRecord[];
}

export interface ListReader {
  /**
   * Every item of the list `fetchPage` reads, each once, in Litmos's order. `list` names it (path and
   * filter) in errors and in the lengths remembered; `what` says what it holds.
   */
  readAll(list: string, what: string, fetchPage: (start: number) => Promise<Page>): Promise<LitmosRecord[]>;
}

/** Lists remembered at most: the user list, the big teams' members, the big courses' results. */
const REMEMBERED = 256;

export function createListReader(pageSize: number): ListReader {
  // Only lists of more than a page are remembered, so this holds a few dozen lengths however many
  // learners' and teams' short lists are read; past REMEMBERED (searches, say) the oldest goes.
  const lengths = new Map<string, number>();
  const remember = (list: string, items: LitmosRecord[]) => {
    lengths.delete(list);
    if (items.length > pageSize) lengths.set(list, items.length);
    for (const oldest of lengths.keys()) {
      if (lengths.size <= REMEMBERED) break;
      lengths.delete(oldest);
    }
    return items;
  };

  return {
    async readAll(list, what, fetchPage) {
      const items: LitmosRecord[] = [];
      const seen = new Set<unknown>();
      const ahead = Array.from({ length: Math.ceil((lengths.get(list) ?? 0) / pageSize) }, (_, i) => i * pageSize);
      const asked = ahead.map((start) => fetchPage(start));
      // Pages asked ahead are awaited in order and may be left unread once the list ends: a failure
      // among those is reported by the loop or ignored with them, never left an unhandled rejection.
      for (const page of asked) page.catch(() => undefined);
      for (let i = 0, start = 0; ; i++) {
        const from = ahead[i] ?? start;
        const { status, records } = await (asked[i] ?? fetchPage(from));
        if (records.length === 0) return remember(list, items);
        const fresh = records.filter((item) => !seen.has(item.Id));
        const end = from + records.length;
        // A page asked ahead may lie wholly within what the pages before it sent (each sent more than
        // asked); any other page of nothing but repeats means the server ignored `start`: stop with
        // an error rather than loop or return a partial list.
        if (fresh.length === 0 && end > start) {
          throw new UpstreamError('litmos', status, `GET ${list} start=${from} repeated earlier ${what}; paging did not advance`, {
            code: 'UPSTREAM_BAD_RESPONSE',
            retryable: false,
          });
        }
        for (const item of fresh) seen.add(item.Id);
        items.push(...fresh);
        // A short page is the last: Litmos may send more than asked (so offsets advance by what came
        // back, and a page asked ahead at `i × pageSize` repeats the extra items, dropped above), never
        // fewer mid-list. Stopping here saves the empty page on every small list (a team's members, a
        // course's results), which at 100 calls a minute is half the budget of a read.
        if (records.length < pageSize) return remember(list, items);
        start = Math.max(start, end);
      }
    },
  };
}
