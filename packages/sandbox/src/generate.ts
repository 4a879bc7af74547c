/**
 * Generates the seeded company every simulator serves. One pass over the people, so 100,000 take
 * well under a second; every draw comes from one seeded source, so the same options give the same
 * company. Each edge case the sync must survive (past and future terminations, pre-hires, people
 * with no status, future-dated status rows, access off, no work email) is given a quota rather than
 * left to chance, so even a small company contains at least one of each.
 */
import type { GenerateOptions, SeedCompany, SeedPerson } from './company.js';
import { isLocalDate, toDay, toLocalDate } from './days.js';
import { EMPLOYMENT_STATUSES, employmentHistory, startingStatus, type Lifecycle } from './employment.js';
import { BadUserInputError } from './errors.js';
import { emailLocalPart, FIRST_NAMES, foldToAscii, LAST_NAMES, PREFERRED_NAMES } from './names.js';
import { CEO_TITLE, DEPARTMENTS, DIVISIONS, EXECUTIVE, LOCATIONS } from './org.js';
import { createRandom, type NonEmpty, type Random } from './random.js';

/** Shares of everyone but the CEO; each is at least one person once anyone is eligible. */
const QUOTAS = {
  pastTermination: 0.08,
  futureTermination: 0.01,
  preHire: 0.03,
  noStatus: 0.02,
  futureStatusChange: 0.02,
  accessOff: 0.15,
  noWorkEmail: 0.01,
};
const PREFERRED_NAME_PROBABILITY = 0.35;
const WORK_PHONE_PROBABILITY = 0.85;
const MOBILE_PHONE_PROBABILITY = 0.6;
/** About one in eight staff manages a team, which keeps spans of control realistic. */
const NEW_MANAGER_PROBABILITY = 1 / 8;

interface Placement {
  /** The CEO, the executives and the department heads: full time from their first day. */
  leadership: boolean;
  department: string;
  division: string;
  jobTitle: string;
  managerId: number | null;
}

export function generateCompany(options: GenerateOptions = {}): SeedCompany {
  const seed = options.seed ?? 1;
  const size = options.size ?? 250;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const name = options.name ?? 'Acme Rockets';
  validate(seed, size, today);
  const domain = foldToAscii(name)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (domain === '') {
    throw new BadUserInputError(`name must contain a letter or digit to derive a domain from; received ${JSON.stringify(name)}`, { field: 'name' });
  }
  const emailDomain = `${domain}.example`;
  const random = createRandom(seed);
  const todayDay = toDay(today);

  // Pre-hires take the highest ids, as they would in an HR system that numbers people as they are
  // entered; everyone below is "established" and was hired at least a week ago.
  const established = size - quota(QUOTAS.preHire, size - 1);
  const placements = placeEveryone(size, random);
  const lifecycles = assignLifecycles(size, established, random);
  const accessOff = new Set(random.sample(2, size, quota(QUOTAS.accessOff, size - 1)));
  const noWorkEmail = new Set(random.sample(2, size, quota(QUOTAS.noWorkEmail, size - 1)));
  const hireDay = hireDayCurve(established, todayDay, random);
  const emailCounts = new Map<string, number>();

  const people = placements.map((placement, index): SeedPerson => {
    const id = index + 1;
    const lifecycle = lifecycles[id] ?? 'current';
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const nicknames = PREFERRED_NAMES[firstName];
    const location = random.weighted(LOCATIONS);
    const hire = hireDay(id);
    const starting = placement.leadership ? 'Full-Time' : startingStatus(random);
    const { statusHistory, terminationDay } = employmentHistory(lifecycle, starting, hire, todayDay, random);
    return {
      id,
      employeeNumber: String(1000 + id),
      firstName,
      lastName,
      preferredName: nicknames && random.chance(PREFERRED_NAME_PROBABILITY) ? random.pick(nicknames) : null,
      workEmail: noWorkEmail.has(id) ? null : uniqueEmail(emailLocalPart(firstName, lastName), emailDomain, emailCounts),
      jobTitle: placement.jobTitle,
      department: placement.department,
      division: placement.division,
      location: location.name,
      workPhone: random.chance(WORK_PHONE_PROBABILITY) ? random.digits(location.workPhone) : null,
      mobilePhone: random.chance(MOBILE_PHONE_PROBABILITY) ? random.digits(location.mobilePhone) : null,
      street1: location.street1,
      city: location.city,
      state: location.state,
      postalCode: location.postalCode,
      country: location.country,
      managerId: placement.managerId,
      hireDate: toLocalDate(hire),
      terminationDate: terminationDay === null ? null : toLocalDate(terminationDay),
      statusHistory,
      accessEnabled: !accessOff.has(id),
    };
  });

  return {
    seed,
    name,
    domain,
    emailDomain,
    today,
    divisions: DIVISIONS.map((division) => division.name),
    departments: DEPARTMENTS.map((department) => department.name),
    locations: LOCATIONS.map((location) => location.name),
    employmentStatuses: [...EMPLOYMENT_STATUSES],
    people,
  };
}

function validate(seed: number, size: number, today: string): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new BadUserInputError(`seed must be an integer from 0 to 4294967295; received ${seed}`, {
      field: 'seed',
    });
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new BadUserInputError(`size must be a positive integer; received ${size}`, { field: 'size' });
  }
  if (!isLocalDate(today)) {
    throw new BadUserInputError(`today must be a calendar date as YYYY-MM-DD; received ${JSON.stringify(today)}`, { field: 'today' });
  }
}

/**
 * Titles, departments and managers in id order. The CEO comes first, then one executive per
 * division, then one head per department; everyone after reports to a lead of their own department,
 * and leads always have lower ids than their reports, which is what rules out a cycle.
 */
function placeEveryone(size: number, random: Random): Placement[] {
  const placements: Placement[] = [
    {
      leadership: true,
      department: EXECUTIVE.name,
      division: EXECUTIVE.division,
      jobTitle: CEO_TITLE,
      managerId: null,
    },
  ];
  const executiveIds = new Map<string, number>();
  for (const division of DIVISIONS) {
    placements.push({
      leadership: true,
      department: division.executiveDepartment,
      division: division.name,
      jobTitle: division.executive,
      managerId: 1,
    });
    executiveIds.set(division.name, placements.length);
  }
  const teams = mapNonEmpty(DEPARTMENTS, (spec) => {
    const leads: [number, ...number[]] = [1];
    return { spec, weight: spec.weight, leads };
  });
  for (const team of teams) {
    if (team.spec.head === null) continue;
    placements.push({
      leadership: true,
      department: team.spec.name,
      division: team.spec.division,
      jobTitle: team.spec.head,
      managerId: executiveIds.get(team.spec.division) ?? 1,
    });
    team.leads = [placements.length];
  }
  placements.length = Math.min(placements.length, size);

  while (placements.length < size) {
    const team = random.weighted(teams);
    const managerId = random.pick(team.leads);
    const managerTitle = team.spec.manager;
    const becomesManager = managerTitle !== null && random.chance(NEW_MANAGER_PROBABILITY);
    placements.push({
      leadership: false,
      department: team.spec.name,
      division: team.spec.division,
      jobTitle: becomesManager ? managerTitle : random.pick(team.spec.titles),
      managerId,
    });
    if (becomesManager) team.leads.push(placements.length);
  }
  return placements;
}

/** Indexed by id: ids after `established` are pre-hires, the other cases fall at random on ids 2 up. */
function assignLifecycles(size: number, established: number, random: Random): Lifecycle[] {
  const lifecycles = new Array<Lifecycle>(size + 1).fill('current');
  for (let id = established + 1; id <= size; id++) lifecycles[id] = 'preHire';
  const cases = [
    ['pastTermination', QUOTAS.pastTermination],
    ['futureTermination', QUOTAS.futureTermination],
    ['noStatus', QUOTAS.noStatus],
    ['futureStatusChange', QUOTAS.futureStatusChange],
  ] as const;
  const total = cases.reduce((sum, [, share]) => sum + quota(share, size - 1), 0);
  const chosen = random.sample(2, established, total);
  let next = 0;
  for (const [lifecycle, share] of cases) {
    for (const id of chosen.slice(next, next + quota(share, size - 1))) lifecycles[id] = lifecycle;
    next += quota(share, size - 1);
  }
  return lifecycles;
}

/**
 * Hire days rise with id along a square-root curve from the founding day to a week ago: the
 * company hired slowly at first and faster as it grew. Pre-hires start within the next 30 days.
 */
function hireDayCurve(established: number, todayDay: number, random: Random): (id: number) => number {
  const lastHire = todayDay - 7;
  const founded = todayDay - random.int(6 * 365, 20 * 365);
  return (id) => {
    if (id > established) return todayDay + random.int(1, 30);
    const progress = Math.sqrt((id - 1) / Math.max(1, established - 1));
    return founded + Math.round((lastHire - founded) * progress);
  };
}

/** "jose.nunez", then "jose.nunez2", "jose.nunez3"…: names carry no digits, so these never clash. */
function uniqueEmail(localPart: string, emailDomain: string, counts: Map<string, number>): string {
  const count = (counts.get(localPart) ?? 0) + 1;
  counts.set(localPart, count);
  return `${localPart}${count === 1 ? '' : count}@${emailDomain}`;
}

function quota(share: number, eligible: number): number {
  return eligible <= 0 ? 0 : Math.max(1, Math.round(share * eligible));
}

function mapNonEmpty<T, U>(items: NonEmpty<T>, transform: (item: T) => U): [U, ...U[]] {
  return [transform(items[0]), ...items.slice(1).map(transform)];
}
