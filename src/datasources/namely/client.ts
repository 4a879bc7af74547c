/**
 * Namely as an `HrClient`. A roster read is three things: the profile fields (to find the access
 * flag's key), the groups (to tell a department from an office), and every page of profiles. It is
 * complete or it throws — the sync engine deactivates people on the strength of a full read.
 */
import { UpstreamError } from '../../errors.js';
import type { Employee } from '../../model.js';
import type { HrClient } from '../hr.js';
import type { UpstreamClient } from '../http.js';
import { accessFlagKey, groupRoles, toEmployee, type MappingContext } from './mapping.js';
import { parseFields, parseGroups, parseProfilesPage, parseSingleProfile, type NamelyProfile, type ProfilesPage } from './payload.js';

export interface NamelyClientOptions {
  /** The company's API (`https://{subdomain}.namely.com/api/v1`), its token set by `authorize`; the caller closes it. */
  http: UpstreamClient;
  /** Label of the Yes/No custom field that grants Litmos access. @default 'Litmos Activated' */
  accessFlagField?: string;
  /** Title of the custom group type that holds divisions. @default 'Divisions' */
  divisionGroupType?: string;
  /** Requests in flight at once (pages after the first, or single profiles); `http` still caps concurrency and rate. @default 4 */
  concurrency?: number;
}

/** Namely's largest page. */
const PAGE_SIZE = 50;

const rosterChanged = (detail: string) =>
  new UpstreamError('namely', 200, `the roster changed while it was being read (${detail}); read it again`, {
    code: 'UPSTREAM_CONFLICT',
    retryable: true,
  });

/** Runs `read` over `items` with at most `concurrency` at once; after the first failure starts no more. */
async function eachBounded<T>(items: readonly T[], concurrency: number, read: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await read(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export function createNamelyClient(options: NamelyClientOptions): HrClient {
  const { http } = options;
  const flagLabel = options.accessFlagField ?? 'Litmos Activated';
  const divisionGroupType = options.divisionGroupType ?? 'Divisions';
  const concurrency = Math.max(1, options.concurrency ?? 4);

  // Fetched for every read rather than cached: a renamed field or a new department must show up
  // in the next sync, and two calls are cheap next to the pages.
  const mappingContext = async (): Promise<MappingContext> => {
    const [fields, groups] = await Promise.all([
      http.request({ method: 'GET', path: '/profiles/fields' }),
      http.request({ method: 'GET', path: '/groups' }),
    ]);
    const { groups: all, groupTypes } = parseGroups(groups.body);
    return { accessFlagKey: accessFlagKey(parseFields(fields.body), flagLabel), groupRoles: groupRoles(all, groupTypes, divisionGroupType) };
  };

  const page = async (number: number): Promise<ProfilesPage> => {
    const response = await http.request({ method: 'GET', path: '/profiles', query: { page: number, per_page: PAGE_SIZE } });
    return parseProfilesPage(response.body);
  };

  /**
   * Page 1 gives `total_count`, which fixes how many pages there are, so the rest are read in
   * parallel. Each page must report the same total and every page but the last must be full;
   * otherwise people were added or removed mid-read and offsets shifted, which could skip someone.
   */
  const readRoster = async (): Promise<NamelyProfile[]> => {
    const first = await page(1);
    const total = first.totalCount;
    // When the total is a whole number of pages, the short page that proves the end is an empty one.
    const lastPage = Math.floor(total / PAGE_SIZE) + 1;
    const pages = new Map<number, ProfilesPage>([[1, first]]);
    const rest = Array.from({ length: lastPage - 1 }, (_, i) => i + 2);
    await eachBounded(rest, concurrency, async (number) => {
      const read = await page(number);
      if (read.totalCount !== total) throw rosterChanged(`total_count ${total} on page 1, ${read.totalCount} on page ${number}`);
      pages.set(number, read);
    });

    const profiles: NamelyProfile[] = [];
    for (let number = 1; number <= lastPage; number += 1) {
      const read = pages.get(number)?.profiles ?? [];
      const expected = number < lastPage ? PAGE_SIZE : total % PAGE_SIZE;
      if (read.length !== expected) throw rosterChanged(`page ${number} held ${read.length} profiles, expected ${expected} of ${total}`);
      profiles.push(...read);
    }
    if (new Set(profiles.map((p) => p.id)).size !== profiles.length) throw rosterChanged('a profile appeared on two pages');
    return profiles;
  };

  return {
    source: 'NAMELY',

    async listEmployees(): Promise<Employee[]> {
      const [context, profiles] = await Promise.all([mappingContext(), readRoster()]);
      return profiles.map((profile) => toEmployee(profile, context));
    },

    async getEmployees(sourceIds: readonly string[]): Promise<Employee[]> {
      const ids = [...new Set(sourceIds)];
      if (ids.length === 0) return [];
      const found = new Map<string, NamelyProfile>();
      const [context] = await Promise.all([
        mappingContext(),
        eachBounded(ids, concurrency, async (id) => {
          const response = await http.request({ method: 'GET', path: `/profiles/${encodeURIComponent(id)}`, accept: [404] });
          if (response.status !== 404) found.set(id, parseSingleProfile(response.body));
        }),
      ]);
      return ids.flatMap((id) => {
        const profile = found.get(id);
        return profile ? [toEmployee(profile, context)] : [];
      });
    },
  };
}
