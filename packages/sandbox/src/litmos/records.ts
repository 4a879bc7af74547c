/**
 * The simulator's Litmos records and their DataContracts. Users are stored in Litmos's own
 * PascalCase so a record goes on the wire as it is; the projections below pick the members each
 * endpoint really returns (lists carry summaries, `GET /users/{id}` the full profile), in the order
 * the recordings show.
 */
import { Decimal, Instant, type Contract, type WireRecord } from './wire.js';

export const ACCESS_LEVELS = ['Learner', 'Team_Leader', 'Administrator', 'Account_Owner'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Free-text members a write may set; .NET strings, so each may be null. */
export const USER_TEXT_MEMBERS = [
  'Email',
  'Skype',
  'PhoneWork',
  'PhoneMobile',
  'TimeZone',
  'Street1',
  'Street2',
  'City',
  'State',
  'PostalCode',
  'Country',
  'CompanyName',
  'JobTitle',
  'CustomField1',
  'CustomField2',
  'CustomField3',
  'CustomField4',
  'CustomField5',
  'CustomField6',
  'CustomField7',
  'CustomField8',
  'CustomField9',
  'CustomField10',
  'Culture',
  'Brand',
] as const;
export type UserTextMember = (typeof USER_TEXT_MEMBERS)[number];

export type LitmosUser = {
  Id: string;
  UserName: string;
  FirstName: string;
  LastName: string;
  AccessLevel: AccessLevel;
  DisableMessages: boolean;
  Active: boolean;
  IsCustomUsername: boolean;
  SkipFirstLogin: boolean;
  /** `""` until the first login, then ISO 8601 UTC. */
  LastLogin: string;
  LoginKey: string;
  OriginalId: number;
  /** ISO 8601 UTC, seconds precision. */
  CreatedDate: string;
  Points: number;
} & Record<UserTextMember, string | null>;

export interface LitmosTeam {
  Id: string;
  Name: string;
  Description: string;
  ParentTeamId: string | null;
  OriginalId: number;
}

export interface LitmosCourse {
  Id: string;
  Code: string;
  Name: string;
  Active: boolean;
  OriginalId: number;
  Description: string;
  createdAt: number;
  creator: string;
}

/** One learner's assignment to one course and how far they got; dates are epoch ms. */
export interface Enrolment {
  userId: string;
  courseId: string;
  resultId: number;
  assignedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** 0–100. */
  percentageComplete: number;
  score: number | null;
}

/** The User DataContract, in member order (recorded JSON order; XML writes must follow it). */
export const USER_CONTRACT: Contract = [
  ['Id', 'string'],
  ['UserName', 'string'],
  ['FirstName', 'string'],
  ['LastName', 'string'],
  ['FullName', 'string'],
  ['Email', 'string'],
  ['AccessLevel', 'string'],
  ['DisableMessages', 'bool'],
  ['Active', 'bool'],
  ['Skype', 'string'],
  ['PhoneWork', 'string'],
  ['PhoneMobile', 'string'],
  ['LastLogin', 'string'],
  ['LoginKey', 'string'],
  ['IsCustomUsername', 'bool'],
  ['Password', 'string'],
  ['SkipFirstLogin', 'bool'],
  ['TimeZone', 'string'],
  ['SalesforceId', 'string'],
  ['OriginalId', 'int'],
  ['Street1', 'string'],
  ['Street2', 'string'],
  ['City', 'string'],
  ['State', 'string'],
  ['PostalCode', 'string'],
  ['Country', 'string'],
  ['CompanyName', 'string'],
  ['JobTitle', 'string'],
  ['CustomField1', 'string'],
  ['CustomField2', 'string'],
  ['CustomField3', 'string'],
  ['Culture', 'string'],
  ['CustomField4', 'string'],
  ['CustomField5', 'string'],
  ['CustomField6', 'string'],
  ['CustomField7', 'string'],
  ['CustomField8', 'string'],
  ['CustomField9', 'string'],
  ['CustomField10', 'string'],
  ['SalesforceContactId', 'string'],
  ['SalesforceAccountId', 'string'],
  ['CreatedDate', 'string'],
  ['Points', 'int'],
  ['Brand', 'string'],
];

export const TEAM_CONTRACT: Contract = [
  ['Id', 'string'],
  ['Name', 'string'],
  ['Description', 'string'],
];

/** Writes that name users (`POST /teams/{id}/users`) only read the Id. */
export const USER_REF_CONTRACT: Contract = [['Id', 'string']];

export const SHAPES = {
  user: { element: 'User', collection: 'Users' },
  team: { element: 'Team', collection: 'Teams' },
  course: { element: 'Course', collection: 'Courses' },
  achievement: { element: 'Achievement', collection: 'Achievements' },
} as const;

export function userSummary(user: LitmosUser): WireRecord {
  return {
    Id: user.Id,
    UserName: user.UserName,
    FirstName: user.FirstName,
    LastName: user.LastName,
    Active: user.Active,
    Email: user.Email,
    AccessLevel: user.AccessLevel,
    Brand: user.Brand,
  };
}

export function userProfile(user: LitmosUser): WireRecord {
  const computed: WireRecord = {
    FullName: `${user.FirstName} ${user.LastName}`,
    Password: '',
    SalesforceId: null,
    SalesforceContactId: null,
    SalesforceAccountId: null,
  };
  const profile: WireRecord = {};
  for (const [name] of USER_CONTRACT) {
    profile[name] = name in computed ? (computed[name] ?? null) : (user[name as keyof LitmosUser] ?? null);
  }
  return profile;
}

export function teamSummary(team: LitmosTeam): WireRecord {
  return {
    Id: team.Id,
    Name: team.Name,
    TeamCodeForBulkImport: `${team.OriginalId}-${team.Name.replace(/[^A-Za-z0-9]/g, '')}`,
    ParentTeamId: team.ParentTeamId,
  };
}

export function teamDetail(team: LitmosTeam): WireRecord {
  return { Id: team.Id, Name: team.Name, Description: team.Description };
}

export function courseRecord(course: LitmosCourse): WireRecord {
  return {
    Id: course.Id,
    Code: course.Code,
    Name: course.Name,
    Active: course.Active,
    ForSale: false,
    OriginalId: course.OriginalId,
    Description: course.Description,
    EcommerceShortDescription: '',
    EcommerceLongDescription: '',
    CourseCodeForBulkImport: `${course.OriginalId}-${course.Code}`,
    Price: new Decimal('0.00'),
    AccessTillDate: null,
    AccessTillDays: null,
  };
}

/** `GET /users/{id}/courses`: the course plus this learner's result (`Complete`, not `Completed`). */
export function learnerCourse(course: LitmosCourse, enrolment: Enrolment): WireRecord {
  return {
    Id: course.Id,
    Code: course.Code,
    Name: course.Name,
    Active: course.Active,
    Complete: enrolment.completedAt !== null,
    PercentageComplete: enrolment.percentageComplete,
    AssignedDate: new Instant(enrolment.assignedAt),
    StartDate: enrolment.startedAt === null ? null : new Instant(enrolment.startedAt),
    DateCompleted: enrolment.completedAt === null ? null : new Instant(enrolment.completedAt),
    UpToDate: enrolment.completedAt !== null,
    Overdue: false,
    CompliantTill: null,
    IsLearningPath: false,
    CourseCreatedDate: new Instant(course.createdAt),
    CourseCreator: course.creator,
    OriginalId: course.OriginalId,
    ResultId: enrolment.resultId,
    AccessTillDate: null,
  };
}

/** `GET /courses/{id}/users`: the learner plus their result for this course. */
export function courseLearner(user: LitmosUser, enrolment: Enrolment): WireRecord {
  return {
    Id: user.Id,
    UserName: user.UserName,
    FirstName: user.FirstName,
    LastName: user.LastName,
    Completed: enrolment.completedAt !== null,
    PercentageComplete: enrolment.percentageComplete,
    CompliantTill: null,
    DueDate: null,
    AccessTillDate: null,
  };
}

/** Achievement dates come as local-looking text with milliseconds and no zone (recorded). */
export function achievement(user: LitmosUser, course: LitmosCourse, enrolment: Enrolment): WireRecord {
  const completedAt = enrolment.completedAt ?? enrolment.assignedAt;
  return {
    UserId: user.Id,
    Title: course.Name,
    Description: course.Description,
    AchievementDate: new Date(completedAt).toISOString().slice(0, 23),
    CourseId: course.Id,
    CompliantTillDate: null,
    Score: enrolment.score,
    Result: 'Completed',
    Type: 'Online Course',
    FirstName: user.FirstName,
    LastName: user.LastName,
    AchievementId: enrolment.resultId,
    CertificateId: enrolment.resultId + 7_000_000,
  };
}
