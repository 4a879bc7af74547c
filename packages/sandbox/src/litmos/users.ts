/**
 * The account's users with the indexes 100,000 of them need: by id, by lower-cased username (Litmos
 * usernames are unique regardless of case), and cached ordered/filtered views for paging.
 */
import { ACCESS_LEVELS, USER_TEXT_MEMBERS, type AccessLevel, type LitmosUser } from './records.js';
import type { LitmosIds } from './ids.js';
import type { Members } from './wire.js';

/** A request the account refuses; routes turn it into Litmos's status line and `Detail` body. */
export class LitmosFault extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface Page {
  start: number;
  limit: number;
}

export interface UserQuery extends Page {
  /** Case-insensitive substring of username, full name or email. */
  search?: string;
  /** A summary member to order by (`UserName`, `LastName`…); unknown names keep creation order. */
  sort?: string;
  dir: 'ASC' | 'DESC';
  /** Litmos lists inactive users too unless told `showInactive=false`. */
  showInactive: boolean;
}

/** Members the API does not let callers write, which the seed still sets (logins, promotions). */
export type UserAmendment = Partial<Pick<LitmosUser, 'AccessLevel' | 'LastLogin'>>;

/** What a write may set; the rest is the account's to assign. */
type UserFields = Omit<LitmosUser, 'Id' | 'OriginalId' | 'LoginKey' | 'LastLogin' | 'CreatedDate' | 'Points'>;

const SORTABLE = ['Id', 'UserName', 'FirstName', 'LastName', 'Email', 'AccessLevel', 'Active'] as const;
const MAX_VIEWS = 16;

export const slice = <T>(items: readonly T[], page: Page): T[] => items.slice(page.start, page.start + page.limit);

/** The members a write sets; .NET defaults (null, false) for the ones it leaves out. */
function userFields(write: Members): UserFields {
  const text = (name: string): string | null => {
    const value = write[name];
    return typeof value === 'string' ? value : null;
  };
  const flag = (name: string): boolean => write[name] === true;
  const required = (name: string): string => {
    const value = text(name)?.trim();
    if (!value) throw new LitmosFault(400, `${name} is required`);
    return value;
  };
  const accessLevel = text('AccessLevel') || 'Learner';
  if (!ACCESS_LEVELS.includes(accessLevel as AccessLevel)) {
    throw new LitmosFault(400, `AccessLevel must be one of ${ACCESS_LEVELS.join(', ')}, received ${accessLevel}`);
  }
  const fields = {
    UserName: required('UserName'),
    FirstName: required('FirstName'),
    LastName: required('LastName'),
    AccessLevel: accessLevel as AccessLevel,
    DisableMessages: flag('DisableMessages'),
    Active: flag('Active'),
    IsCustomUsername: flag('IsCustomUsername'),
    SkipFirstLogin: flag('SkipFirstLogin'),
  } as UserFields;
  for (const member of USER_TEXT_MEMBERS) fields[member] = text(member);
  fields.Culture = fields.Culture || 'en-US';
  fields.Brand = fields.Brand || 'Default';
  return fields;
}

export class UserDirectory {
  /** Creation order, which is also the default listing order. */
  readonly all: LitmosUser[] = [];
  private readonly byId = new Map<string, LitmosUser>();
  private readonly byName = new Map<string, LitmosUser>();
  private readonly views = new Map<string, LitmosUser[]>();

  constructor(private readonly site: string) {}

  clear(): void {
    this.all.length = 0;
    this.byId.clear();
    this.byName.clear();
    this.views.clear();
  }

  byIdOrName(idOrUserName: string): LitmosUser | undefined {
    return this.byId.get(idOrUserName) ?? this.byName.get(idOrUserName.toLowerCase());
  }

  require(id: string): LitmosUser {
    const user = this.byId.get(id);
    if (!user) throw new LitmosFault(404, `User ${id} not found`);
    return user;
  }

  get(id: string): LitmosUser | undefined {
    return this.byId.get(id);
  }

  list(query: UserQuery): LitmosUser[] {
    const users = this.view(query);
    if (query.dir === 'DESC') {
      // Read the ascending view from its end rather than reversing 100k users for every page.
      const end = Math.max(0, users.length - query.start);
      return users.slice(Math.max(0, end - query.limit), end).reverse();
    }
    return slice(users, query);
  }

  /**
   * The ordered, filtered users a query pages through, kept until a user changes: a client paging
   * 100k users sorts and filters once, not once per page. Users must therefore change only through
   * this class.
   */
  private view(query: UserQuery): LitmosUser[] {
    const member = SORTABLE.find((m) => m.toLowerCase() === query.sort?.toLowerCase());
    const needle = query.search?.trim().toLowerCase() ?? '';
    if (!member && !needle && query.showInactive) return this.all;
    const key = `${member ?? ''}|${query.showInactive}|${needle}`;
    let view = this.views.get(key);
    if (!view) {
      view = this.all.filter(
        (u) =>
          (query.showInactive || u.Active) &&
          (!needle ||
            u.UserName.toLowerCase().includes(needle) ||
            `${u.FirstName} ${u.LastName}`.toLowerCase().includes(needle) ||
            (u.Email ?? '').toLowerCase().includes(needle)),
      );
      if (member) {
        const sortKey = (u: LitmosUser) => String(u[member] ?? '').toLowerCase();
        view = view
          .map((u) => [sortKey(u), u] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([, u]) => u);
      }
      // Searches are open-ended; forget old views rather than let them pile up.
      if (this.views.size >= MAX_VIEWS) this.views.clear();
      this.views.set(key, view);
    }
    return view;
  }

  create(write: Members, createdAt: number, ids: LitmosIds): LitmosUser {
    const fields = userFields(write);
    if (this.byName.has(fields.UserName.toLowerCase())) throw new LitmosFault(409, 'UserName already exists');
    const user: LitmosUser = Object.assign(fields, {
      Id: ids.id(),
      OriginalId: ids.originalId(),
      LoginKey: `https://${this.site}.litmos.com//login.aspx?loginkey=${ids.uuid()}`,
      LastLogin: '',
      CreatedDate: new Date(createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Points: 0,
      // Recorded quirk: a created user comes back with SkipFirstLogin false whatever was sent.
      SkipFirstLogin: false,
    });
    this.all.push(user);
    this.index(user);
    return user;
  }

  /** `PUT /users/{id}` replaces the whole object: members the body leaves out fall back to defaults. */
  update(id: string, write: Members): LitmosUser {
    const current = this.require(id);
    if (typeof write.Id === 'string' && write.Id !== '' && write.Id !== id) {
      throw new LitmosFault(400, `Id ${write.Id} does not match the URL's ${id}`);
    }
    const fields = userFields(write);
    const holder = this.byName.get(fields.UserName.toLowerCase());
    if (holder && holder.Id !== id) throw new LitmosFault(409, 'UserName already exists');
    this.byName.delete(current.UserName.toLowerCase());
    Object.assign(current, fields);
    this.index(current);
    return current;
  }

  amend(id: string, change: UserAmendment): void {
    Object.assign(this.require(id), change);
    this.views.clear();
  }

  delete(id: string): void {
    const user = this.require(id);
    this.all.splice(this.all.indexOf(user), 1);
    this.byId.delete(id);
    this.byName.delete(user.UserName.toLowerCase());
    this.views.clear();
  }

  private index(user: LitmosUser): void {
    this.byId.set(user.Id, user);
    this.byName.set(user.UserName.toLowerCase(), user);
    this.views.clear();
  }
}
