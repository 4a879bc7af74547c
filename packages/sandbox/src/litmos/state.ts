/**
 * The simulated Litmos account: users, teams, courses and results. Memberships and results are
 * indexed both ways, so no request costs more than one pass over what it returns or filters.
 */
import { LitmosIds } from './ids.js';
import type { Enrolment, LitmosCourse, LitmosTeam, LitmosUser } from './records.js';
import { LitmosFault, UserDirectory, type UserAmendment, type UserQuery } from './users.js';
import type { Members } from './wire.js';

export { LitmosFault, type Page, type UserQuery } from './users.js';

export interface LitmosStateOptions {
  seed: number;
  /** Account subdomain, used in login keys (`https://{site}.litmos.com//login.aspx?…`). */
  site: string;
}

export class LitmosState {
  readonly teams: LitmosTeam[] = [];
  readonly courses: LitmosCourse[] = [];
  private readonly directory: UserDirectory;
  private readonly teamsById = new Map<string, LitmosTeam>();
  private readonly coursesById = new Map<string, LitmosCourse>();
  private readonly members = new Map<string, Set<string>>();
  private readonly leaders = new Map<string, Set<string>>();
  private readonly teamCourseIds = new Map<string, Set<string>>();
  private readonly byUser = new Map<string, Map<string, Enrolment>>();
  private readonly byCourse = new Map<string, Map<string, Enrolment>>();
  private ids: LitmosIds;

  constructor(private readonly options: LitmosStateOptions) {
    this.ids = new LitmosIds(options.seed);
    this.directory = new UserDirectory(options.site);
  }

  /** Empties the account and restarts the id sequence, so a reseed reproduces the same ids. */
  clear(): void {
    this.directory.clear();
    for (const list of [this.teams, this.courses]) list.length = 0;
    for (const map of [this.teamsById, this.coursesById]) map.clear();
    for (const map of [this.members, this.leaders, this.teamCourseIds, this.byUser, this.byCourse]) map.clear();
    this.ids = new LitmosIds(this.options.seed);
  }

  // ---- users ----

  /** Every user in creation order (the default listing order). Change them only through this class. */
  get users(): readonly LitmosUser[] {
    return this.directory.all;
  }

  /** By id, else by username (case-insensitive), as `GET /users/{userId or username}` resolves. */
  user(idOrUserName: string): LitmosUser | undefined {
    return this.directory.byIdOrName(idOrUserName);
  }

  listUsers(query: UserQuery): LitmosUser[] {
    return this.directory.list(query);
  }

  createUser(write: Members, createdAt: number): LitmosUser {
    return this.directory.create(write, createdAt, this.ids);
  }

  updateUser(id: string, write: Members): LitmosUser {
    return this.directory.update(id, write);
  }

  amendUser(id: string, change: UserAmendment): void {
    this.directory.amend(id, change);
  }

  /** Deleting a user also drops their memberships and results, as Litmos does. */
  deleteUser(id: string): void {
    this.directory.delete(id);
    this.removeFromAllTeams(id);
    for (const courseId of this.byUser.get(id)?.keys() ?? []) this.byCourse.get(courseId)?.delete(id);
    this.byUser.delete(id);
  }

  private requireUser(id: string): LitmosUser {
    return this.directory.require(id);
  }

  // ---- teams ----

  team(id: string): LitmosTeam {
    const team = this.teamsById.get(id);
    if (!team) throw new LitmosFault(404, `Team ${id} not found`);
    return team;
  }

  createTeam(write: Members, parentId: string | null): LitmosTeam {
    if (parentId !== null) this.team(parentId);
    const name = typeof write.Name === 'string' ? write.Name.trim() : '';
    if (!name) throw new LitmosFault(400, 'Name is required');
    const description = typeof write.Description === 'string' ? write.Description : '';
    const team: LitmosTeam = {
      Id: this.ids.id(),
      Name: name,
      Description: description,
      ParentTeamId: parentId,
      OriginalId: this.ids.originalId(),
    };
    this.teams.push(team);
    this.teamsById.set(team.Id, team);
    this.members.set(team.Id, new Set());
    this.leaders.set(team.Id, new Set());
    this.teamCourseIds.set(team.Id, new Set());
    return team;
  }

  subTeams(id: string): LitmosTeam[] {
    this.team(id);
    return this.teams.filter((t) => t.ParentTeamId === id);
  }

  /** Litmos lists only active members of a team. */
  teamMembers(teamId: string): LitmosUser[] {
    return this.usersIn(this.members, teamId).filter((u) => u.Active);
  }

  teamLeaders(teamId: string): LitmosUser[] {
    return this.usersIn(this.leaders, teamId);
  }

  private usersIn(sets: Map<string, Set<string>>, teamId: string): LitmosUser[] {
    this.team(teamId);
    const users: LitmosUser[] = [];
    for (const id of sets.get(teamId) ?? []) {
      const user = this.directory.get(id);
      if (user) users.push(user);
    }
    return users;
  }

  /** Unknown ids and existing members are skipped silently, as Litmos does. */
  addMembers(teamId: string, userIds: readonly string[]): void {
    this.team(teamId);
    const members = this.members.get(teamId);
    for (const id of userIds) if (this.directory.get(id)) members?.add(id);
  }

  removeMember(teamId: string, userId: string): void {
    this.team(teamId);
    this.requireUser(userId);
    this.members.get(teamId)?.delete(userId);
    this.leaders.get(teamId)?.delete(userId);
  }

  /** Only a member can lead a team: anyone else is a 404, as Litmos documents. */
  setLeader(teamId: string, userId: string, leads: boolean): void {
    this.team(teamId);
    if (!this.members.get(teamId)?.has(userId) || !this.directory.get(userId)) {
      throw new LitmosFault(404, `User ${userId} is not a member of team ${teamId}`);
    }
    if (leads) this.leaders.get(teamId)?.add(userId);
    else this.leaders.get(teamId)?.delete(userId);
  }

  userTeams(userId: string): LitmosTeam[] {
    this.requireUser(userId);
    return this.teams.filter((t) => this.members.get(t.Id)?.has(userId));
  }

  removeFromAllTeams(userId: string): void {
    for (const set of [...this.members.values(), ...this.leaders.values()]) set.delete(userId);
  }

  // ---- courses and results ----

  course(id: string): LitmosCourse {
    const course = this.coursesById.get(id);
    if (!course) throw new LitmosFault(404, `Course ${id} not found`);
    return course;
  }

  addCourse(course: Omit<LitmosCourse, 'Id' | 'OriginalId'>): LitmosCourse {
    const created: LitmosCourse = { Id: this.ids.id(), OriginalId: this.ids.originalId(), ...course };
    this.courses.push(created);
    this.coursesById.set(created.Id, created);
    return created;
  }

  assignTeamCourse(teamId: string, courseId: string): void {
    this.course(courseId);
    this.team(teamId);
    this.teamCourseIds.get(teamId)?.add(courseId);
  }

  teamCourses(teamId: string): LitmosCourse[] {
    this.team(teamId);
    return [...(this.teamCourseIds.get(teamId) ?? [])].map((id) => this.course(id));
  }

  /** Assigns a course (or updates the progress of an existing assignment). */
  enrol(userId: string, courseId: string, progress: Omit<Enrolment, 'userId' | 'courseId' | 'resultId'>): Enrolment {
    this.requireUser(userId);
    this.course(courseId);
    const existing = this.byUser.get(userId)?.get(courseId);
    const enrolment: Enrolment = { userId, courseId, resultId: existing?.resultId ?? this.ids.originalId(), ...progress };
    if (existing) Object.assign(existing, enrolment);
    else {
      this.enrolmentMap(this.byUser, userId).set(courseId, enrolment);
      this.enrolmentMap(this.byCourse, courseId).set(userId, enrolment);
    }
    return existing ?? enrolment;
  }

  private enrolmentMap(index: Map<string, Map<string, Enrolment>>, key: string): Map<string, Enrolment> {
    let map = index.get(key);
    if (!map) index.set(key, (map = new Map<string, Enrolment>()));
    return map;
  }

  userEnrolments(userId: string): Enrolment[] {
    this.requireUser(userId);
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  courseEnrolments(courseId: string): Enrolment[] {
    this.course(courseId);
    return [...(this.byCourse.get(courseId)?.values() ?? [])];
  }

  /** Completed results, newest first, as `GET /achievements` lists them. */
  achievements(options: { userId?: string; sinceMs?: number }): Enrolment[] {
    const pool = options.userId !== undefined ? (this.byUser.get(options.userId)?.values() ?? []) : this.allEnrolments();
    return [...pool]
      .filter((e) => e.completedAt !== null && e.completedAt >= (options.sinceMs ?? 0))
      .sort((a, b) => (b.completedAt ?? 0) - (a.completedAt ?? 0));
  }

  private *allEnrolments(): Iterable<Enrolment> {
    for (const map of this.byUser.values()) yield* map.values();
  }

  userOf(enrolment: Enrolment): LitmosUser {
    return this.requireUser(enrolment.userId);
  }

  courseOf(enrolment: Enrolment): LitmosCourse {
    return this.course(enrolment.courseId);
  }
}
