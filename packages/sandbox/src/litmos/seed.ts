/**
 * The Litmos account as an HR integration finds it on day one: a catalogue of courses, a few teams,
 * an account owner nobody in HR knows, and some learners created by hand before the integration —
 * a slice of the first HR company under their work email (some typed with other letter case), a few
 * who can only be recognised by email, a few who are not in any HR system, one or two deactivated,
 * with assignments at every stage of progress. Names are stored as people typed them (`O'Brien`);
 * the `encodedNames` quirk sends them HTML-encoded, as the Litmos web UI saved them.
 */
import type { SeedCompany, SeedPerson } from '../company.js';
import { createRandom, type Random } from '../random.js';
import type { LitmosUser } from './records.js';
import type { LitmosState } from './state.js';
import type { Members } from './wire.js';

/** Share of the first company's people with a work email who already have a Litmos user. */
const EXISTING_LEARNER_SHARE = 0.04;
const EMAIL_ONLY_MATCHES = 3;
const DAY_MS = 86_400_000;
/** Used for dates when the simulator is seeded against no company at all. */
const FALLBACK_TODAY = '2025-01-01';

const COURSES = [
  ['COC101', 'Code of Conduct', 'Our standards of business conduct'],
  ['SEC101', 'Information Security Awareness', 'Phishing, passwords and safe data handling'],
  ['HS101', 'Health & Safety Basics', 'Workplace health and safety essentials'],
  ['AH201', 'Preventing Workplace Harassment', 'Recognising and reporting harassment'],
  ['GDPR101', 'Data Privacy (GDPR)', 'Personal data under the GDPR'],
  ['ONB100', 'Welcome Onboarding', 'Your first weeks with us'],
  ['CS110', 'Customer Service Essentials', 'Serving customers well'],
  ['LDR300', 'Leadership Foundations', 'For new people managers'],
  ['TM120', 'Time Management', 'Prioritising and planning your week'],
  ['DEI150', 'Diversity & Inclusion', 'Building an inclusive workplace'],
  ['FS101', 'Fire Safety', 'Evacuation and fire prevention'],
  ['EXP101', 'Expense Policy (2019)', 'Retired: replaced by the travel policy'],
] as const;

const OUTSIDERS = [
  ['Morgan', 'Blake', null],
  ['Riley', 'Chen', 'partner-training.example'],
  ['Avery', 'Patel', null],
  ['Jordan', 'Kim', 'contractor-mail.example'],
] as const;

/** `jane.o'brien@acme.com` → `Jane.O'brien@Acme.com`: the same login, typed by a person. */
function recased(email: string): string {
  const swapped = email.replace(/(^|[.@])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
  return swapped === email ? email.toUpperCase() : swapped;
}

/** Fisher–Yates over a copy, drawing only `int` so the order depends on the seed alone. */
function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Seeding {
  state: LitmosState;
  random: Random;
  todayMs: number;
  /** Every work email any seeded HR company holds, so outsiders never collide with one. */
  hrEmails: Set<string>;
}

function person(s: Seeding, fields: Members, extra: { active?: boolean; createdDaysAgo: number; lastLoginDaysAgo: number | null }): LitmosUser {
  const user = s.state.createUser(
    { DisableMessages: true, Active: extra.active ?? true, SkipFirstLogin: true, TimeZone: 'UTC', ...fields },
    s.todayMs - extra.createdDaysAgo * DAY_MS,
  );
  if (extra.lastLoginDaysAgo !== null) s.state.amendUser(user.Id, { LastLogin: iso(s.todayMs - extra.lastLoginDaysAgo * DAY_MS) });
  return user;
}

function learnerFields(p: SeedPerson, s: Seeding, userName: string, email: string): Members {
  // A third of hand-made accounts carry the title someone typed years ago, not today's.
  const title = s.random.chance(0.3) ? 'Associate' : p.jobTitle;
  const withAddress = s.random.chance(0.5);
  return {
    UserName: userName,
    FirstName: p.preferredName ?? p.firstName,
    LastName: p.lastName,
    Email: email,
    IsCustomUsername: !userName.includes('@'),
    JobTitle: title,
    PhoneWork: p.workPhone ?? '',
    PhoneMobile: s.random.chance(0.5) ? (p.mobilePhone ?? '') : '',
    Street1: withAddress ? p.street1 : null,
    City: withAddress ? p.city : null,
    State: withAddress ? p.state : null,
    PostalCode: withAddress ? p.postalCode : null,
    Country: withAddress ? p.country : null,
  };
}

function enrolAtRandom(s: Seeding, user: LitmosUser, courseIds: string[], howMany: number): void {
  for (const courseId of shuffled(s.random, courseIds).slice(0, howMany)) {
    const assignedAt = s.todayMs - s.random.int(10, 400) * DAY_MS;
    const stage = s.random.next();
    if (stage < 0.4) {
      const completedAt = assignedAt + s.random.int(1, 9) * DAY_MS;
      s.state.enrol(user.Id, courseId, {
        assignedAt,
        startedAt: assignedAt + DAY_MS,
        completedAt,
        percentageComplete: 100,
        score: s.random.int(70, 100),
      });
    } else if (stage < 0.75) {
      s.state.enrol(user.Id, courseId, {
        assignedAt,
        startedAt: assignedAt + DAY_MS,
        completedAt: null,
        percentageComplete: s.random.int(1, 9) * 10 + (s.random.chance(0.5) ? 0.5 : 0),
        score: null,
      });
    } else {
      s.state.enrol(user.Id, courseId, { assignedAt, startedAt: null, completedAt: null, percentageComplete: 0, score: null });
    }
  }
}

/** The HR department the case-twisted team copies: Sales when the company has one. */
function twistedDepartment(company: SeedCompany | undefined): { hr: string; litmos: string } | undefined {
  const hr = company?.departments.find((d) => d.toLowerCase() === 'sales') ?? company?.departments[0];
  if (!hr) return undefined;
  const lower = hr.toLowerCase();
  return { hr, litmos: lower !== hr ? lower : hr.toUpperCase() };
}

export function seedLitmos(state: LitmosState, companies: readonly SeedCompany[], seed: number): void {
  const first = companies[0];
  const s: Seeding = {
    state,
    random: createRandom(seed * 7919 + 17),
    todayMs: Date.parse(`${first?.today ?? FALLBACK_TODAY}T12:00:00Z`),
    hrEmails: new Set(companies.flatMap((c) => c.people.flatMap((p) => (p.workEmail ? [p.workEmail] : [])))),
  };
  const emailDomain = first?.emailDomain ?? 'example.com';

  const owner = person(
    s,
    { UserName: `lms.owner@${emailDomain}`, FirstName: 'Training', LastName: 'Administrator', AccessLevel: 'Account_Owner', Email: `lms.owner@${emailDomain}` },
    { createdDaysAgo: 2000, lastLoginDaysAgo: 1 },
  );

  const courseIds: string[] = [];
  for (const [code, name, description] of COURSES) {
    const course = state.addCourse({
      Code: code,
      Name: name,
      Description: description,
      Active: code !== 'EXP101',
      createdAt: s.todayMs - s.random.int(400, 1500) * DAY_MS,
      creator: `${owner.FirstName} ${owner.LastName}`,
    });
    if (course.Active) courseIds.push(course.Id);
  }

  const candidates = shuffled(
    s.random,
    (first?.people ?? []).filter((p) => p.workEmail !== null),
  );
  const byUserName = Math.max(candidates.length ? 3 : 0, Math.round(candidates.length * EXISTING_LEARNER_SHARE));
  const matched: { user: LitmosUser; person: SeedPerson }[] = [];
  candidates.slice(0, byUserName).forEach((p, i) => {
    const email = p.workEmail ?? '';
    const userName = i % 3 === 1 ? recased(email) : email;
    const user = person(s, learnerFields(p, s, userName, i % 6 === 4 ? recased(email) : email), {
      active: i !== 2,
      createdDaysAgo: s.random.int(30, 900),
      lastLoginDaysAgo: s.random.chance(0.7) ? s.random.int(0, 60) : null,
    });
    matched.push({ user, person: p });
  });
  candidates.slice(byUserName, byUserName + EMAIL_ONLY_MATCHES).forEach((p, i) => {
    const email = p.workEmail ?? '';
    // Custom logins from before email usernames; the numeric suffix keeps them unique.
    const userName = `${(p.firstName[0] ?? 'x').toLowerCase()}${email.split('@')[0]?.split('.').pop() ?? 'user'}${i + 1}`;
    const user = person(s, learnerFields(p, s, userName, i === 0 ? recased(email) : email), {
      createdDaysAgo: s.random.int(200, 1500),
      lastLoginDaysAgo: s.random.int(0, 200),
    });
    matched.push({ user, person: p });
  });

  const outsiders = OUTSIDERS.map(([firstName, lastName, domain], i) => {
    let email = `${firstName}.${lastName}@${domain ?? emailDomain}`.toLowerCase();
    for (let n = 2; s.hrEmails.has(email); n++) email = `${firstName}.${lastName}${n}@${domain ?? emailDomain}`.toLowerCase();
    return person(
      s,
      { UserName: email, FirstName: firstName, LastName: lastName, Email: email },
      { active: i !== OUTSIDERS.length - 1, createdDaysAgo: s.random.int(100, 1200), lastLoginDaysAgo: null },
    );
  });

  for (const { user } of matched) enrolAtRandom(s, user, courseIds, s.random.int(1, 4));
  for (const user of outsiders) enrolAtRandom(s, user, courseIds, 1);

  const allStaff = state.createTeam({ Name: 'All Staff', Description: 'Everyone' }, null);
  const newHires = state.createTeam({ Name: 'New Hires', Description: 'First ninety days' }, allStaff.Id);
  state.createTeam({ Name: 'Compliance Champions', Description: '' }, null);
  state.addMembers(
    allStaff.Id,
    matched.filter((_, i) => i % 2 === 0).map(({ user }) => user.Id),
  );
  state.addMembers(
    newHires.Id,
    matched.slice(-2).map(({ user }) => user.Id),
  );
  state.assignTeamCourse(allStaff.Id, courseIds[0] ?? '');

  const twisted = twistedDepartment(first);
  if (twisted) {
    const team = state.createTeam({ Name: twisted.litmos, Description: `${twisted.hr} department` }, null);
    const inDepartment = matched.filter(({ person: p }) => p.department === twisted.hr);
    const members = (inDepartment.length ? inDepartment : matched.slice(0, 2)).map(({ user }) => user);
    state.addMembers(
      team.Id,
      members.map((u) => u.Id),
    );
    const leader = members.find((u) => u.Active);
    if (leader) {
      state.setLeader(team.Id, leader.Id, true);
      state.amendUser(leader.Id, { AccessLevel: 'Team_Leader' });
    }
    for (const courseId of courseIds.slice(1, 3)) state.assignTeamCourse(team.Id, courseId);
  }
}
