/**
 * Namely as an `HrClient`. A roster read is three things: the profile fields (to find the access
 * flag's key), the groups (to tell a department from an office), and every page of profiles (the
 * default list, then the pending ones). It is complete or it throws — the sync engine deactivates
 * people on the strength of a full read.
 */
import { systemClock, type Clock } from '../../clock.js';
import type { SourceDefaults } from '../../core/policy.js';
import { UpstreamError } from '../../errors.js';
import type { Employee } from '../../model.js';
import { CHECKPOINT_SKEW_MS, markFrom, type HrChangeFeed, type HrChanges, type HrClient } from '../hr.js';
import type { UpstreamClient } from '../http.js';
import { accessFlagFields, accessFlagKey, checkAccessFlagField, groupRoles, toEmployee, type MappingContext } from './mapping.js';
import { parseFields, parseGroups, parseProfilesPage, parseSingleProfile, type NamelyField, type NamelyProfile, type ProfilesPage } from './payload.js';

export interface NamelyClientOptions {
  /** The company's API (`https://{subdomain}.namely.com/api/v1`), its token set by `authorize`; the caller closes it. */
  http: UpstreamClient;
  /** Label of the Yes/No custom field that grants Litmos access. @default NAMELY_DEFAULTS' field */
  accessFlagFieldName?: string;
  /** Title of the custom group type that holds divisions. @default 'Divisions' */
  divisionGroupType?: string;
  /** Requests in flight at once (pages after the first, or single profiles); `http` still caps concurrency and rate. @default 4 */
  concurrency?: number;
  /** The gateway's clock, for a checkpoint when Namely's answer carries no `Date`. @default the system clock */
  clock?: Clock;
}

/**
 * An incremental read goes this far below its checkpoint, seconds: a profile saved in the same second
 * as the newest one read, or whose `updated_at` was stamped before its change committed, is read
 * again rather than missed. The checkpoint itself is Namely's clock (the highest `updated_at` seen).
 */
const OVERLAP_SECONDS = CHECKPOINT_SKEW_MS / 1000;

/** Litmos's Namely connector grants access by a Yes/No field with this label. */
export const NAMELY_DEFAULTS: SourceDefaults = { accessFlagFieldName: 'Litmos Activated' };

/** Namely's largest page. */
const PAGE_SIZE = 50;

/**
 * What a roster read lists. `GET /profiles` is documented to return "all active and inactive"
 * profiles; pending ones (pre-hires, whom a sync may provision ahead of their start date) are only
 * promised through the status filter. Should Namely list them by default too, a profile seen in both
 * lists is kept once.
 */
const ROSTER_LISTS: readonly ProfileList[] = [
  { name: 'profiles', filter: {} },
  { name: 'pending profiles', filter: { 'filter[user_status]': 'pending' } },
];

interface ProfileList {
  /** For messages. */
  name: string;
  filter: Record<string, string>;
}

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

async function profileFields(http: UpstreamClient): Promise<NamelyField[]> {
  return parseFields((await http.request({ method: 'GET', path: '/profiles/fields' })).body);
}

/** The labels of the company's profile fields able to hold the access flag: the ones `checkNamelyAccessFlagField` offers when it refuses one. */
export async function namelyAccessFlagFields(http: UpstreamClient): Promise<string[]> {
  return accessFlagFields(await profileFields(http)).map((field) => field.label);
}

/** Throws a `ConfigError` listing those fields unless `label` names one of them. */
export async function checkNamelyAccessFlagField(http: UpstreamClient, label: string): Promise<void> {
  checkAccessFlagField(await profileFields(http), label);
}

export function createNamelyClient(options: NamelyClientOptions): HrClient & { changes: HrChangeFeed } {
  const { http } = options;
  const flagFieldName = options.accessFlagFieldName ?? NAMELY_DEFAULTS.accessFlagFieldName;
  const divisionGroupType = options.divisionGroupType ?? 'Divisions';
  const concurrency = Math.max(1, options.concurrency ?? 4);

  // Fetched for every read rather than cached: a renamed field or a new department must show up
  // in the next sync, and two calls are cheap next to the pages.
  const mappingContext = async (): Promise<MappingContext> => {
    const [fields, groups] = await Promise.all([profileFields(http), http.request({ method: 'GET', path: '/groups' })]);
    const { groups: all, groupTypes } = parseGroups(groups.body);
    return { accessFlagKey: accessFlagKey(fields, flagFieldName), groupRoles: groupRoles(all, groupTypes, divisionGroupType) };
  };

  const page = async (list: ProfileList, number: number): Promise<ProfilesPage> => {
    const response = await http.request({ method: 'GET', path: '/profiles', query: { ...list.filter, page: number, per_page: PAGE_SIZE } });
    return parseProfilesPage(response.body);
  };

  /**
   * Every page of one list, up to the first empty one: the documented end. A page may hold fewer
   * than `per_page` before the end, so a short page proves nothing and the number of pages is not
   * known in advance. Page 1's `total_count`, when given, says how many full pages to ask for at
   * once (the empty page included); past that, pages are asked for `concurrency` at a time until one
   * comes back empty.
   *
   * The total is also the check that nobody was skipped: every page must report the same total, and
   * the pages up to the end must hold exactly that many distinct profiles. Otherwise people were added
   * or removed mid-read, offsets shifted, and someone could be missing.
   */
  const readList = async (list: ProfileList): Promise<NamelyProfile[]> => {
    const first = await page(list, 1);
    const total = first.totalCount;
    const pages: ProfilesPage[] = [first];
    const end = () => {
      const empty = pages.findIndex((read) => read.profiles.length === 0);
      return empty === -1 ? null : empty;
    };
    // Checked after every round as well as at the end, so a list that never reaches an empty page
    // (a server ignoring `page`, or a roster growing as fast as it is read) fails instead of looping.
    const check = (profiles: readonly NamelyProfile[], complete: boolean) => {
      if (new Set(profiles.map((p) => p.id)).size !== profiles.length) throw rosterChanged(`${list.name}: a profile appeared on two pages`);
      if (total !== null && (complete ? profiles.length !== total : profiles.length > total)) {
        throw rosterChanged(`${list.name}: the pages held ${profiles.length} profiles, total_count ${total}`);
      }
    };

    let next = 2;
    let last = total === null ? 1 : Math.ceil(total / PAGE_SIZE) + 1;
    while (end() === null) {
      if (last < next) last = next + concurrency - 1;
      const numbers = Array.from({ length: last - next + 1 }, (_, i) => next + i);
      await eachBounded(numbers, concurrency, async (number) => {
        const read = await page(list, number);
        if (read.totalCount !== total) throw rosterChanged(`${list.name}: total_count ${total} on page 1, ${read.totalCount} on page ${number}`);
        pages[number - 1] = read;
      });
      next = last + 1;
      check(
        pages.slice(0, end() ?? pages.length).flatMap((read) => read.profiles),
        false,
      );
    }
    const profiles = pages.slice(0, end() ?? 0).flatMap((read) => read.profiles);
    check(profiles, true);
    return profiles;
  };

  // One list after the other: the pending list is a page or two, and once a read has failed no
  // further request should go out on its behalf.
  const readRoster = async (): Promise<NamelyProfile[]> => {
    const byId = new Map<string, NamelyProfile>();
    for (const list of ROSTER_LISTS) {
      for (const profile of await readList(list)) if (!byId.has(profile.id)) byId.set(profile.id, profile);
    }
    return [...byId.values()];
  };

  /**
   * Profiles updated at or after `floor` (epoch seconds), newest first: pages of `sort=-updated_at`
   * until one ends below the floor or comes back empty. A profile that moves to the front while the
   * pages are read is seen twice or, if read before its change, again by the next run — never lost.
   */
  const changedIn = async (list: ProfileList, floor: number): Promise<{ changed: NamelyProfile[]; clock: number }> => {
    const changed: NamelyProfile[] = [];
    let clock = Number.POSITIVE_INFINITY;
    for (let number = 1; ; number += 1) {
      const response = await http.request({
        method: 'GET',
        path: '/profiles',
        query: { ...list.filter, sort: '-updated_at', page: number, per_page: PAGE_SIZE },
      });
      const date = Date.parse(response.headers.date ?? '');
      if (!Number.isNaN(date)) clock = Math.min(clock, Math.floor(date / 1000));
      const { profiles } = parseProfilesPage(response.body);
      for (const profile of profiles) {
        if (profile.updated_at === null) {
          throw new UpstreamError(
            'namely',
            200,
            `${list.name}: profile ${profile.id} has no updated_at, so an incremental read cannot tell what changed; run FULL`,
            {
              code: 'UPSTREAM_BAD_RESPONSE',
              retryable: false,
            },
          );
        }
        if (profile.updated_at >= floor) changed.push(profile);
      }
      const last = profiles.at(-1);
      if (last === undefined || (last.updated_at ?? 0) < floor) return { changed, clock };
    }
  };

  const readChanges = async (since: string): Promise<HrChanges> => {
    const checkpoint = Number(since);
    if (!Number.isFinite(checkpoint)) throw new UpstreamError('namely', 200, `checkpoint ${JSON.stringify(since)} is not epoch seconds`, { retryable: false });
    const byId = new Map<string, NamelyProfile>();
    let clock = Number.POSITIVE_INFINITY;
    for (const list of ROSTER_LISTS) {
      const read = await changedIn(list, checkpoint - OVERLAP_SECONDS);
      for (const profile of read.changed) byId.set(profile.id, profile);
      clock = Math.min(clock, read.clock);
    }
    const profiles = [...byId.values()];
    if (profiles.length === 0) return { employees: [], notFound: [], next: since };
    const context = await mappingContext();
    // The newest change seen, but never past Namely's own clock at the read: a timestamp from the
    // future would otherwise carry the checkpoint past changes still to come.
    const newest = Math.min(Math.max(checkpoint, ...profiles.map((profile) => profile.updated_at ?? 0)), Math.max(checkpoint, clock));
    return { employees: profiles.map((profile) => toEmployee(profile, context)), notFound: [], next: String(newest) };
  };

  return {
    source: 'NAMELY',

    changes: {
      /** `GET /profiles/me` (the cheapest authenticated call) for Namely's clock, as epoch seconds like its `updated_at`. */
      async mark() {
        const response = await http.request({ method: 'GET', path: '/profiles/me' });
        return String(Math.floor(markFrom(response.headers.date, (options.clock ?? systemClock)()).getTime() / 1000));
      },
      read: readChanges,
    },

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
