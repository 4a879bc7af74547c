/**
 * The simulator's mutable state: profiles indexed by id, and cached list views so that paging
 * through 100,000 profiles costs one slice per page instead of one filter-and-sort per page.
 */
import type { Directory, Group, GroupType, JobTitle, ProfileRecord, Team } from './directory.js';

export const SORT_KEYS = ['first_name', 'last_name', 'created_at', 'updated_at'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const FILTER_KEYS = ['first_name', 'last_name', 'email', 'personal_email', 'job_title', 'reports_to', 'user_status'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface ListQuery {
  sort: { key: SortKey; descending: boolean } | null;
  filters: Partial<Record<FilterKey, string>>;
}

interface View {
  version: number;
  records: ProfileRecord[];
  /** id → index in `records`, built on the first `after=` request against this view. */
  positions: Map<string, number> | null;
}

/** Sorting 100,000 names with a reused collator is several times faster than `localeCompare`. */
const collator = new Intl.Collator();

/** How many distinct list views (sort + filters) stay cached; paging clients reuse one at a time. */
const VIEW_CACHE_SIZE = 16;

export class Roster {
  private directory!: Directory;
  private byId = new Map<string, ProfileRecord>();
  private groupsById = new Map<string, Group>();
  private groupTypesById = new Map<string, GroupType>();
  private teamsById = new Map<string, Team>();
  private jobTitlesById = new Map<string, JobTitle>();
  private jobTitlesByTitle = new Map<string, JobTitle>();
  private views = new Map<string, View>();
  /** Bumped by every write, which makes every cached view stale. */
  private version = 0;

  constructor(private readonly build: () => Directory) {
    this.reset();
  }

  reset(): void {
    this.directory = this.build();
    this.byId = new Map(this.directory.profiles.map((p) => [p.id, p]));
    this.groupsById = new Map(this.directory.groups.map((g) => [g.id, g]));
    this.groupTypesById = new Map(this.directory.groupTypes.map((t) => [t.id, t]));
    this.teamsById = new Map(this.directory.teams.map((t) => [t.id, t]));
    this.jobTitlesById = new Map(this.directory.jobTitles.map((j) => [j.id, j]));
    this.jobTitlesByTitle = new Map(this.directory.jobTitles.map((j) => [j.title, j]));
    this.views.clear();
    this.version += 1;
  }

  get size(): number {
    return this.directory.profiles.length;
  }
  get meId(): string | null {
    return this.directory.meId;
  }
  get fields() {
    return this.directory.fields;
  }
  get employeeTypes(): readonly string[] {
    return this.directory.employeeTypes;
  }
  get sectionId(): string {
    return this.directory.sectionId;
  }
  get groupTypes(): readonly GroupType[] {
    return this.directory.groupTypes;
  }
  get groups(): readonly Group[] {
    return this.directory.groups;
  }
  get teams(): readonly Team[] {
    return this.directory.teams;
  }
  get teamCategories() {
    return this.directory.teamCategories;
  }
  get profiles(): readonly ProfileRecord[] {
    return this.directory.profiles;
  }

  profile(id: string): ProfileRecord | undefined {
    return this.byId.get(id);
  }
  group(id: string): Group | undefined {
    return this.groupsById.get(id);
  }
  groupType(id: string): GroupType | undefined {
    return this.groupTypesById.get(id);
  }
  team(id: string): Team | undefined {
    return this.teamsById.get(id);
  }
  jobTitle(id: string): JobTitle | undefined {
    return this.jobTitlesById.get(id);
  }
  jobTitleByTitle(title: string): JobTitle | undefined {
    return this.jobTitlesByTitle.get(title);
  }

  /** Members per group, counted on demand: `/groups` is read rarely, profiles are written often. */
  groupCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const profile of this.directory.profiles) {
      for (const id of profile.group_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  emailTaken(email: string, exceptId?: string): boolean {
    const wanted = email.toLowerCase();
    return this.directory.profiles.some((p) => p.id !== exceptId && p.email?.toLowerCase() === wanted);
  }

  add(profile: Omit<ProfileRecord, 'seq'>): ProfileRecord {
    const record: ProfileRecord = { ...profile, seq: this.directory.profiles.length };
    this.directory.profiles.push(record);
    this.byId.set(record.id, record);
    this.touch();
    return record;
  }

  /** Call after mutating a record in place, so list views are rebuilt. */
  touch(): void {
    this.version += 1;
  }

  /** The profiles matching `query`, in order. The array is shared: callers slice, never mutate. */
  view(query: ListQuery): readonly ProfileRecord[] {
    return this.cachedView(query).records;
  }

  /** Index just past profile `id` in the view, or undefined when the view does not hold it. */
  after(query: ListQuery, id: string): number | undefined {
    const view = this.cachedView(query);
    view.positions ??= new Map(view.records.map((record, i) => [record.id, i]));
    const position = view.positions.get(id);
    return position === undefined ? undefined : position + 1;
  }

  private cachedView(query: ListQuery): View {
    const key = JSON.stringify([query.sort, Object.entries(query.filters).sort()]);
    const cached = this.views.get(key);
    if (cached?.version === this.version) return cached;
    const view: View = { version: this.version, records: this.select(query), positions: null };
    this.views.delete(key);
    this.views.set(key, view);
    const oldest = this.views.keys().next();
    if (this.views.size > VIEW_CACHE_SIZE && !oldest.done) this.views.delete(oldest.value);
    return view;
  }

  private select(query: ListQuery): ProfileRecord[] {
    const tests = Object.entries(query.filters).map(([key, value]) => this.filterTest(key as FilterKey, value));
    // "Returns all active and inactive employee profiles": pending ones (pre-hires) only come when
    // asked for by `filter[user_status]=pending`.
    if (query.filters.user_status === undefined) tests.push((p) => p.user_status !== 'pending');
    const records = tests.length ? this.directory.profiles.filter((p) => tests.every((test) => test(p))) : this.directory.profiles.slice();
    const sort = query.sort;
    if (sort) {
      const direction = sort.descending ? -1 : 1;
      records.sort((a, b) => {
        const x = a[sort.key];
        const y = b[sort.key];
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
        return order * direction || a.seq - b.seq;
      });
    }
    return records;
  }

  /** Namely's filters match whole values; names and emails without regard to case. */
  private filterTest(key: FilterKey, value: string): (p: ProfileRecord) => boolean {
    const folded = value.toLowerCase();
    const same = (field: string | null) => field !== null && field.toLowerCase() === folded;
    switch (key) {
      case 'first_name':
      case 'last_name':
      case 'email':
      case 'personal_email':
        return (p) => same(p[key]);
      case 'job_title':
        return (p) => same((p.job_title_id && this.jobTitlesById.get(p.job_title_id)?.title) || null);
      case 'reports_to':
        return (p) => p.reports_to === value;
      case 'user_status':
        return (p) => p.user_status === value;
    }
  }
}
