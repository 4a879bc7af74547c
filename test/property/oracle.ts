/**
 * The property test's oracle: what Litmos must look like for a given HR state, written from the
 * provisioning rules (README "How a sync decides"; the vendors' integration guides: the Litmos
 * Access / Litmos Activated flag, the Betterworks activation blocklist and "no status = not
 * provisioned", future-dated rows not counting yet) — deliberately WITHOUT importing anything from
 * src/sync, src/datasources or the planner. Pure functions over plain snapshots; the harness reads
 * the snapshots from the vendors' own APIs.
 *
 * The rules, as this oracle reads them:
 *  - eligible = access flag on, a work email, hired (hire date ≤ today: pre-hires not yet), not
 *    terminated (employee status Inactive, a termination date that has passed, or a "Terminated"
 *    employment-status row in force), and a current employment status (the latest row dated ≤ today;
 *    rows dated later do not count) that is not blocklisted. No current status = not provisioned.
 *  - an eligible employee has exactly one active learner, whose username is the work email (Litmos
 *    usernames are logins and compare without case) and whose first and last names are HR's, byte
 *    for byte; the learner is in the team named after the current department (matched ignoring
 *    case) and in no other department team.
 *  - the learner(s) of an ineligible employee are inactive — never deleted.
 *  - Litmos users no HR system knows (neither username nor email is any HR work email) are not
 *    touched at all: profile, active flag, team memberships. Teams are never deleted.
 *  - no username and no team name twice (case-insensitive).
 *
 * "The learner(s) of" an employee is tracked by `Knowledge.owned`: what the rules say identifies
 * a learner with an employee — the active learner the oracle saw holding the employee's email as
 * its username after a successful run, else (for learners that predate the gateway, or that a run
 * could match) the unclaimed learner whose username, else whose email, equals the employee's work
 * email when a run could see it.
 *
 * Violations that match the signature of a defect already found are tagged (`KnownDefect`) so the
 * test can tell them from new ones; the oracle reports them either way.
 */
import type { LitmosUser } from '../support/upstreams.js';

export type LocalDate = string;

export interface HrStatusRow {
  rowId: number;
  date: LocalDate;
  status: string;
}

export interface HrJobRow {
  rowId: number;
  date: LocalDate;
  department: string | null;
}

/** One BambooHR employee as its API shows it today (`onlyCurrent=true`), plus both effective-dated tables. */
export interface HrEmployee {
  id: string;
  firstName: string;
  lastName: string;
  /** As typed in HR (not lower-cased); null when there is none. */
  workEmail: string | null;
  hireDate: LocalDate | null;
  /** The employee status as of today ("Inactive" once a termination is in force, or set so by an admin). */
  status: string | null;
  /** As of today: shown only once it has come. */
  terminationDate: LocalDate | null;
  accessEnabled: boolean;
  statusRows: HrStatusRow[];
  jobRows: HrJobRow[];
}

/** A Litmos user as `GET /users` lists it (raw: names exactly as stored). */
export type LitmosUserRow = LitmosUser;

export interface LitmosTeamRow {
  Id: string;
  Name: string;
  /** Ids of the team's active members (Litmos lists only those). */
  activeMemberIds: string[];
}

export interface LitmosSnapshot {
  users: LitmosUserRow[];
  teams: LitmosTeamRow[];
  /** Full profile (`GET /users/{id}`) and team ids (`GET /users/{id}/teams`) of the users asked for. */
  details: Map<string, { profile: Record<string, unknown>; teamIds: string[] }>;
}

export interface Rules {
  today: LocalDate;
  /** Blocklisted employment statuses (compared trimmed, ignoring case). */
  blocklist: readonly string[];
}

export const key = (value: string | null | undefined): string => (value ?? '').trim().toLowerCase();

/** Same-day rows: the one entered later (higher row id) is the correction in force. */
function inForce<Row extends { date: LocalDate; rowId: number }>(rows: readonly Row[], today: LocalDate): Row | undefined {
  let best: Row | undefined;
  for (const row of rows) {
    if (row.date > today) continue;
    if (!best || row.date > best.date || (row.date === best.date && row.rowId > best.rowId)) best = row;
  }
  return best;
}

export function currentStatus(employee: HrEmployee, today: LocalDate): string | null {
  const row = inForce(employee.statusRows, today);
  return row && row.status.trim() !== '' ? row.status : null;
}

export function currentDepartment(employee: HrEmployee, today: LocalDate): string | null {
  const department = inForce(employee.jobRows, today)?.department ?? null;
  return department === null || department.trim() === '' ? null : department.trim();
}

export type Reason = 'ACCESS_OFF' | 'NO_EMAIL' | 'PREHIRE' | 'TERMINATED' | 'NO_STATUS' | 'BLOCKLISTED';
export type Verdict = { eligible: true } | { eligible: false; why: Reason[] };

/** Every rule the employee fails today; none = eligible. */
export function verdict(employee: HrEmployee, rules: Rules): Verdict {
  const { today } = rules;
  const status = currentStatus(employee, today);
  const why: Reason[] = [];
  if (!employee.accessEnabled) why.push('ACCESS_OFF');
  if (key(employee.workEmail) === '') why.push('NO_EMAIL');
  const prehire = employee.hireDate !== null && employee.hireDate > today;
  if (prehire) why.push('PREHIRE');
  const terminated =
    employee.status === 'Inactive' ||
    (employee.terminationDate !== null && employee.terminationDate <= today) ||
    (status !== null && key(status) === 'terminated');
  if (terminated) why.push('TERMINATED');
  // A pre-hire's first row is dated on the hire day: "not started yet" already says it.
  else if (status === null && !prehire) why.push('NO_STATUS');
  else if (status !== null && rules.blocklist.some((blocked) => key(blocked) === key(status))) why.push('BLOCKLISTED');
  return why.length === 0 ? { eligible: true } : { eligible: false, why };
}

/** Reasons that say "not yet / cannot provision" rather than "access must end". */
export const NOT_EVIDENCE: readonly Reason[] = ['PREHIRE', 'NO_EMAIL'];

/**
 * Violations whose signature matches a defect already found and reported (see KNOWN_DEFECTS in the
 * test), tagged so a run can tell them from new ones. The tag never hides a violation: the oracle
 * reports it either way.
 */
export type KnownDefect =
  /**
   * A work email moved to an employee who has no learner (a rehire entered as a new record; an
   * address reused) while the learner holding it as username belongs to another, ineligible
   * employee: the new holder is skipped (USERNAME_TAKEN) and the learner deactivated.
   */
  | 'EMAIL_HANDOVER'
  /**
   * An employee takes a work email another employee just gave up: the run renames the old holder's
   * learner away but skips the new holder (USERNAME_TAKEN, planned against the old username); only
   * the next run creates their learner.
   */
  | 'EMAIL_REUSE_NEEDS_SECOND_RUN';

/** Known defects a second run (with no HR change) repairs. */
export const SECOND_RUN_DEFECTS: readonly KnownDefect[] = ['EMAIL_REUSE_NEEDS_SECOND_RUN'];

/** What the Litmos web UI does to a name before saving it (so a name typed there reads `O&#39;Neill`). */
export function uiEncoded(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * What the oracle has learnt over one case: the Litmos account as the case found it, every work
 * email any HR system has shown (so "no HR system knows this user" can be judged), and which
 * learners belong to which employee.
 */
export interface Knowledge {
  baselineUsers: Map<string, LitmosUserRow>;
  baselineTeams: Map<string, LitmosTeamRow>;
  /** Full profiles and team ids of the baseline users, for "untouched". */
  baselineDetails: LitmosSnapshot['details'];
  /** Lower-cased work emails any HR system showed at a moment a run could see them. */
  knownEmails: Set<string>;
  /** Lower-cased department names HR has shown (current or effective-dated), for "department team". */
  departments: Set<string>;
  /** Employee id → the Litmos user ids that are (or were) that employee's learner. */
  owned: Map<string, Set<string>>;
  /** Every Litmos user id ever read: none may disappear. */
  seenUserIds: Set<string>;
  /** Litmos users ever read as inactive (to recognise memberships a run could not see). */
  everInactive: Set<string>;
}

export function newKnowledge(baseline: LitmosSnapshot, otherHrEmails: Iterable<string>): Knowledge {
  const knowledge: Knowledge = {
    baselineUsers: new Map(baseline.users.map((u) => [u.Id, u])),
    baselineTeams: new Map(baseline.teams.map((t) => [t.Id, t])),
    baselineDetails: baseline.details,
    knownEmails: new Set([...otherHrEmails].map(key)),
    departments: new Set(),
    owned: new Map(),
    seenUserIds: new Set(baseline.users.map((u) => u.Id)),
    everInactive: new Set(baseline.users.filter((u) => !u.Active).map((u) => u.Id)),
  };
  return knowledge;
}

/** Baseline users no HR system has (yet) shown the email of, and that no employee owns. */
export function unknownUserIds(knowledge: Knowledge): string[] {
  const ownedIds = new Set([...knowledge.owned.values()].flatMap((ids) => [...ids]));
  return [...knowledge.baselineUsers.values()]
    .filter((u) => !knowledge.knownEmails.has(key(u.UserName)) && !knowledge.knownEmails.has(key(u.Email)) && !ownedIds.has(u.Id))
    .map((u) => u.Id);
}

function ownerOf(knowledge: Knowledge, userId: string): string | undefined {
  for (const [employeeId, ids] of knowledge.owned) if (ids.has(userId)) return employeeId;
  return undefined;
}

function own(knowledge: Knowledge, employeeId: string, userId: string): void {
  let ids = knowledge.owned.get(employeeId);
  if (!ids) knowledge.owned.set(employeeId, (ids = new Set()));
  ids.add(userId);
}

/**
 * Called with the HR state a run is about to read and the Litmos state before it: every email and
 * department becomes known, and a learner that no employee owns yet is identified with the
 * employee whose work email is its username, else its email (eligible employees claim first; an
 * ambiguous email identifies nobody).
 */
export function observeBeforeRun(knowledge: Knowledge, hr: readonly HrEmployee[], litmos: LitmosSnapshot, rules: Rules): void {
  for (const employee of hr) {
    if (key(employee.workEmail)) knowledge.knownEmails.add(key(employee.workEmail));
    for (const row of employee.jobRows) if (key(row.department)) knowledge.departments.add(key(row.department));
  }
  for (const user of litmos.users) {
    knowledge.seenUserIds.add(user.Id);
    if (!user.Active) knowledge.everInactive.add(user.Id);
  }
  const order = [...hr].sort((a, b) => Number(!verdict(a, rules).eligible) - Number(!verdict(b, rules).eligible) || Number(a.id) - Number(b.id));
  const claimed = new Set([...knowledge.owned.values()].flatMap((ids) => [...ids]));
  for (const employee of order) {
    const email = key(employee.workEmail);
    if (!email) continue;
    // An employee that already has a learner keeps it; a new match is only for the learner-less.
    if ((knowledge.owned.get(employee.id)?.size ?? 0) > 0) continue;
    const free = (match: (u: LitmosUserRow) => boolean) => litmos.users.filter((u) => !claimed.has(u.Id) && match(u));
    const byUserName = free((u) => key(u.UserName) === email);
    const byEmail = byUserName.length > 0 ? [] : free((u) => key(u.Email) === email);
    const [only, ...others] = byUserName.length > 0 ? byUserName : byEmail;
    if (only && others.length === 0) {
      own(knowledge, employee.id, only.Id);
      claimed.add(only.Id);
    }
  }
}

export interface Violation {
  rule: string;
  detail: string;
  /** Set when the violation has the signature of a known, reported defect. */
  defect?: KnownDefect;
  /** The HR employee it is about, when it is about one. */
  employeeId?: string;
}

const describeUser = (u: LitmosUserRow | undefined) =>
  u ? `${u.Id} ${JSON.stringify(u.UserName)} ${JSON.stringify(u.FirstName)} ${JSON.stringify(u.LastName)} active=${u.Active}` : 'none';

/** The invariants that must hold at every moment, a failed or half-applied run included. */
export function checkSafety(knowledge: Knowledge, hr: readonly HrEmployee[], before: LitmosSnapshot, after: LitmosSnapshot, rules: Rules): Violation[] {
  const violations: Violation[] = [];
  const users = new Map(after.users.map((u) => [u.Id, u]));

  const byName = new Map<string, string[]>();
  for (const u of after.users) byName.set(key(u.UserName), [...(byName.get(key(u.UserName)) ?? []), u.Id]);
  for (const [name, ids] of byName) {
    if (ids.length > 1) violations.push({ rule: 'no username twice', detail: `${JSON.stringify(name)} held by ${ids.join(', ')}` });
  }
  const byTeam = new Map<string, string[]>();
  for (const t of after.teams) byTeam.set(key(t.Name), [...(byTeam.get(key(t.Name)) ?? []), t.Id]);
  for (const [name, ids] of byTeam) {
    if (ids.length > 1) violations.push({ rule: 'no team name twice', detail: `${JSON.stringify(name)}: teams ${ids.join(', ')}` });
  }

  for (const id of knowledge.seenUserIds) {
    if (!users.has(id)) violations.push({ rule: 'never deleted', detail: `Litmos user ${id} is gone` });
  }
  for (const id of knowledge.baselineTeams.keys()) {
    if (!after.teams.some((t) => t.Id === id)) violations.push({ rule: 'teams are never deleted', detail: `team ${id} is gone` });
  }

  for (const id of unknownUserIds(knowledge)) {
    const was = knowledge.baselineDetails.get(id);
    const now = after.details.get(id);
    if (!was || !now) {
      violations.push({ rule: 'unknown users untouched', detail: `no details read for ${id}` });
      continue;
    }
    if (JSON.stringify(was.profile) !== JSON.stringify(now.profile)) {
      violations.push({ rule: 'unknown users untouched', detail: `${id} profile ${JSON.stringify(was.profile)} → ${JSON.stringify(now.profile)}` });
    }
    if ([...was.teamIds].sort().join() !== [...now.teamIds].sort().join()) {
      violations.push({ rule: 'unknown users untouched', detail: `${id} teams [${was.teamIds.join(',')}] → [${now.teamIds.join(',')}]` });
    }
  }

  // Nobody HR says should have access loses it, even half-way through a failed run: an eligible
  // employee who had an active learner (their own, or one holding their email as username that is
  // nobody else's) still has one.
  const accessIn = (snapshot: LitmosSnapshot, employee: HrEmployee) => {
    const owned = knowledge.owned.get(employee.id) ?? new Set<string>();
    return snapshot.users.filter(
      (u) => u.Active && (owned.has(u.Id) || (key(u.UserName) === key(employee.workEmail) && (ownerOf(knowledge, u.Id) ?? employee.id) === employee.id)),
    );
  };
  for (const employee of hr) {
    if (!verdict(employee, rules).eligible) continue;
    const had = accessIn(before, employee);
    if (had.length > 0 && accessIn(after, employee).length === 0) {
      violations.push({
        employeeId: employee.id,
        rule: 'nobody HR-eligible deactivated',
        detail: `employee ${employee.id} <${employee.workEmail}> is eligible, but ${had.map((u) => `${describeUser(users.get(u.Id))} (owned by ${ownerOf(knowledge, u.Id) ?? 'nobody'})`).join('; ')} lost access`,
      });
    }
  }
  return violations;
}

/**
 * The full oracle, for the state after a run that succeeded. Also records, for later checks, which
 * learner each eligible employee now has.
 */
export function checkConverged(
  knowledge: Knowledge,
  hr: readonly HrEmployee[],
  litmos: LitmosSnapshot,
  rules: Rules,
  /** The account before the step's first run, to recognise learners a run reactivated. */
  before?: LitmosSnapshot,
): Violation[] {
  const violations = checkSafety(knowledge, hr, litmos, litmos, rules);
  const users = new Map(litmos.users.map((u) => [u.Id, u]));
  const byUserName = new Map(litmos.users.map((u) => [key(u.UserName), u]));
  const departmentTeams = litmos.teams.filter((t) => knowledge.departments.has(key(t.Name)));
  const currentDepartments = new Set(hr.map((e) => key(currentDepartment(e, rules.today))).filter((d) => d !== ''));
  for (const user of litmos.users) if (!user.Active) knowledge.everInactive.add(user.Id);

  // Each eligible employee's learner: the one whose username is the work email — unless that
  // username belongs to someone who keeps it (a Litmos user no HR system knows, a learner of an
  // employee who is not moving to another address): an employee who already has a learner keeps it,
  // under its old username, and nobody else's is taken from them.
  const employeesById = new Map(hr.map((e) => [e.id, e]));
  // A holder moves away when its owner is eligible with another address, and that address is free
  // or held by a learner that moves away in turn (a chain), or the chain comes back (a swap).
  const movesAway = (holder: LitmosUserRow, seen: Set<string>): boolean => {
    const owner = ownerOf(knowledge, holder.Id);
    const ownerNow = owner === undefined ? undefined : employeesById.get(owner);
    if (ownerNow === undefined || !verdict(ownerNow, rules).eligible || key(ownerNow.workEmail) === key(holder.UserName)) return false;
    if (seen.has(holder.Id)) return true;
    seen.add(holder.Id);
    const next = byUserName.get(key(ownerNow.workEmail));
    return next === undefined || next.Id === holder.Id || movesAway(next, seen);
  };
  // A learner whose owner is ineligible and gave its address up passes to the eligible employee
  // with no learner who now has that address (a rehire entered as a new record).
  const handedOver = (holder: LitmosUserRow, successorHasNone: boolean) => {
    const owner = ownerOf(knowledge, holder.Id);
    const ownerNow = owner === undefined ? undefined : employeesById.get(owner);
    return successorHasNone && ownerNow !== undefined && !verdict(ownerNow, rules).eligible && key(ownerNow.workEmail) !== key(holder.UserName);
  };
  const keepsUsername = (holder: LitmosUserRow, employee: HrEmployee, hasNone: boolean) =>
    ownerOf(knowledge, holder.Id) !== employee.id && !handedOver(holder, hasNone) && !movesAway(holder, new Set());
  const designated = new Map<string, LitmosUserRow>();
  const designatedIds = new Set<string>();
  const keptOwn = new Set<string>();
  const addressTaken = new Set<string>();
  for (const employee of hr) {
    if (!verdict(employee, rules).eligible) continue;
    const holder = byUserName.get(key(employee.workEmail));
    const own = [...(knowledge.owned.get(employee.id) ?? [])].map((id) => users.get(id)).filter((u) => u !== undefined);
    const kept = holder !== undefined && keepsUsername(holder, employee, own.length === 0);
    // …and one with no learner gets none while a colleague's learner keeps the address (USERNAME_TAKEN);
    // a Litmos user nobody owns is theirs to match.
    const colleagues = kept && ownerOf(knowledge, holder.Id) !== undefined;
    const learner = kept && own.length > 0 ? (own.find((u) => u.Active) ?? own[0]) : colleagues ? undefined : holder;
    if (!learner && colleagues) addressTaken.add(employee.id);
    if (learner) {
      if (learner !== holder) keptOwn.add(employee.id);
      designated.set(employee.id, learner);
      designatedIds.add(learner.Id);
    }
  }

  const nameMatches = (learner: LitmosUserRow, field: 'FirstName' | 'LastName', wanted: string): boolean => {
    if (learner[field] === wanted) return true;
    // A name typed in the Litmos UI before the gateway is stored HTML-encoded; left as it was, it is HR's name.
    const baseline = knowledge.baselineUsers.get(learner.Id);
    // Not `baseline?.[field]`: with no baseline this is false, whatever the learner's field holds.
    // eslint-disable-next-line @typescript-eslint/prefer-optional-chain -- see above
    return baseline !== undefined && baseline[field] === learner[field] && learner[field] === uiEncoded(wanted);
  };

  for (const employee of hr) {
    const v = verdict(employee, rules);
    const who = `employee ${employee.id} <${employee.workEmail}> (${JSON.stringify(employee.firstName)} ${JSON.stringify(employee.lastName)})`;
    const mine: Violation[] = [];
    const report = (rule: string, detail: string, defect?: KnownDefect) =>
      mine.push({ rule, detail: `${who}${detail}`, employeeId: employee.id, ...(defect && { defect }) });
    if (v.eligible) {
      const learner = designated.get(employee.id);
      if (!learner && addressTaken.has(employee.id)) {
        // Nothing to hold them to: the gateway reports USERNAME_TAKEN until an admin or HR settles it.
      } else if (!learner) {
        const holder = before?.users.find((u) => key(u.UserName) === key(employee.workEmail));
        const heldByAnother = holder !== undefined && (ownerOf(knowledge, holder.Id) ?? employee.id) !== employee.id;
        report(
          'eligible → an active learner',
          `: no Litmos user has the username ${JSON.stringify(key(employee.workEmail))}${heldByAnother ? ` (before the run, ${describeUser(holder)} of employee ${ownerOf(knowledge, holder.Id)} had it)` : ''}`,
          heldByAnother ? 'EMAIL_REUSE_NEEDS_SECOND_RUN' : undefined,
        );
      } else {
        const owner = ownerOf(knowledge, learner.Id);
        if (!learner.Active) report('eligible → an active learner', `: learner ${describeUser(learner)} (owned by ${owner ?? 'nobody'}) is inactive`);
        if (!nameMatches(learner, 'FirstName', employee.firstName)) {
          report('exact names', `: FirstName ${JSON.stringify(learner.FirstName)} ≠ ${JSON.stringify(employee.firstName)}`);
        }
        if (!nameMatches(learner, 'LastName', employee.lastName)) {
          report('exact names', `: LastName ${JSON.stringify(learner.LastName)} ≠ ${JSON.stringify(employee.lastName)}`);
        }
        for (const id of knowledge.owned.get(employee.id) ?? []) {
          if (id !== learner.Id && !designatedIds.has(id) && users.get(id)?.Active) {
            report('exactly one active learner', `: also ${describeUser(users.get(id))} is active`);
          }
        }
        // Litmos lists only a team's active members, and an inactive learner is already reported.
        if (learner.Active) {
          const department = currentDepartment(employee, rules.today);
          const memberOf = departmentTeams.filter((t) => t.activeMemberIds.includes(learner.Id));
          if (department !== null) {
            const team = litmos.teams.filter((t) => key(t.Name) === key(department));
            if (team.length === 0) report('department team', `: no team named ${JSON.stringify(department)}`);
            else if (!team.some((t) => t.activeMemberIds.includes(learner.Id))) {
              report('department team', `: not a member of team ${JSON.stringify(department)} (member of ${JSON.stringify(memberOf.map((t) => t.Name))})`);
            }
          }
          const wrong = memberOf.filter((t) => department === null || key(t.Name) !== key(department));
          if (wrong.length > 0) {
            const reactivated = before?.users.find((u) => u.Id === learner.Id)?.Active === false;
            const emptied = wrong.every((t) => !currentDepartments.has(key(t.Name)));
            const neverRemoved = !reactivated && knowledge.everInactive.has(learner.Id) && emptied;
            report(
              'no other department team',
              ` (department ${JSON.stringify(department)}) is in ${JSON.stringify(wrong.map((t) => t.Name))}${reactivated ? ' (reactivated by this step)' : ''}${neverRemoved ? ' (a department nobody is in any more; the learner was inactive)' : ''}`,
            );
          }
        }
        // The username this employee needs is held by a learner the oracle knows as someone else's
        // who moves away from it: whatever is wrong for them comes from that handover.
        if (owner !== undefined && owner !== employee.id) for (const violation of mine) violation.defect = 'EMAIL_HANDOVER';
        // A holder nobody owns (a Litmos user no HR system knew) is judged by nobody's rules: it stays as it was.
        const holder = byUserName.get(key(employee.workEmail));
        if (keptOwn.has(employee.id) && holder && ownerOf(knowledge, holder.Id) === undefined) {
          const was = before?.users.find((u) => u.Id === holder.Id);
          if (was && (was.Active !== holder.Active || was.FirstName !== holder.FirstName || was.LastName !== holder.LastName)) {
            report('a kept username is not taken', `: ${describeUser(holder)} holds their address and was changed (was ${describeUser(was)})`);
          }
        }
      }
    } else {
      // (The gateway judges a pre-hire's status on the hire day, so a blocklisted status in force
      // today does not count for them either.)
      const noEvidence = v.why.every(
        (reason) => NOT_EVIDENCE.includes(reason) || (v.why.includes('PREHIRE') && (reason === 'BLOCKLISTED' || reason === 'NO_STATUS')),
      );
      const status = currentStatus(employee, rules.today);
      // Terminated only by the Inactive status (no termination date passed, no Terminated row in force).
      const inactiveIgnored =
        v.why.every((reason) => reason === 'TERMINATED' || NOT_EVIDENCE.includes(reason)) &&
        employee.status === 'Inactive' &&
        !(employee.terminationDate !== null && employee.terminationDate <= rules.today) &&
        key(status) !== 'terminated';
      for (const id of knowledge.owned.get(employee.id) ?? []) {
        if (designatedIds.has(id)) continue; // the learner went with the email to an eligible employee
        const learner = users.get(id);
        // Absent is not terminated (the design's second principle): a cleared work email or a hire
        // date moved ahead is no evidence that someone left, so their learner is left as it is; and
        // an Inactive status read with onlyCurrent=false stands for a termination that is not in
        // force yet (BambooHR's status is read-only, derived from the employment history), so it
        // deactivates on the termination day, not before.
        if (learner?.Active && !noEvidence && !inactiveIgnored) {
          report('ineligible → inactive', ` is ineligible (${v.why.join('+')}) but learner ${describeUser(learner)} is active`);
        }
      }
    }
    violations.push(...mine);
  }

  // The learner holding an eligible employee's email, once active, is theirs from now on.
  for (const [employeeId, learner] of designated) {
    if (!learner.Active) continue;
    const previous = ownerOf(knowledge, learner.Id);
    if (previous !== undefined && previous !== employeeId) knowledge.owned.get(previous)?.delete(learner.Id);
    own(knowledge, employeeId, learner.Id);
  }
  return violations;
}

/** Litmos routes that write. */
export function writeCounts(stats: { routes: Record<string, { count: number }> }): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stats.routes)
      .filter(([route]) => !route.startsWith('GET ') && !route.startsWith('HEAD '))
      .map(([route, s]) => [route, s.count]),
  );
}
