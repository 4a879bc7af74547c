/**
 * Generated HR histories and fault schedules. A case is a small seeded company, a blocklist and a few
 * steps; each step is a batch of HR edits made through BambooHR's write API, then a sync run under a
 * fault schedule. Employees are referred to by position (`who`, taken modulo the current roster) so
 * that any generated history applies to any company, and shrinks toward the first employees.
 */
import fc from 'fast-check';
import type { Fault } from '@rostergate/sandbox';

/** A position in the roster (ids sorted), taken modulo its length when the step is applied. */
export type Who = number;

export type EmailChoice =
  /** A new address from a small pool, so two edits often pick the same one (BambooHR refuses a duplicate with 409). */
  | { kind: 'fresh'; local: string; upper: boolean }
  /** Another employee's current address: BambooHR must refuse it. */
  | { kind: 'taken'; who: Who }
  /** An address someone held earlier in the case: reused after they moved on. */
  | { kind: 'former'; which: number }
  /** The username of a Litmos user no HR system knew (the account owner excepted). */
  | { kind: 'outsider'; which: number }
  /** The same address with other letter case. */
  | { kind: 'recase' }
  /** No work email. */
  | { kind: 'none' };

export type DepartmentChoice = { kind: 'existing'; which: number; recase: boolean } | { kind: 'new'; name: string };

export type HrOp =
  | {
      kind: 'hire';
      firstName: string;
      lastName: string;
      email: EmailChoice;
      hireOffset: number;
      department: DepartmentChoice;
      status: string | null;
      access: boolean;
    }
  | { kind: 'terminate'; who: Who; offset: number }
  | { kind: 'rehire'; who: Who; offset: number; status: string }
  | { kind: 'statusRow'; who: Who; offset: number; status: string }
  | { kind: 'rename'; who: Who; firstName: string | null; lastName: string | null }
  | { kind: 'email'; who: Who; email: EmailChoice }
  | { kind: 'swapEmails'; a: Who; b: Who }
  /** `offset` null: the department field edited (today's jobInfo row); else a jobInfo row dated today + offset. */
  | { kind: 'move'; who: Who; department: DepartmentChoice; offset: number | null }
  | { kind: 'access'; who: Who; on: boolean }
  | { kind: 'statusField'; who: Who; value: 'Active' | 'Inactive' }
  | { kind: 'hireDate'; who: Who; offset: number }
  /** The old record loses its email and is terminated; a new record is hired under that email. */
  | { kind: 'rehireAsNew'; who: Who };

export interface FaultPlan {
  /** Share of requests to every simulator answered with the vendor's transient 5xx (half after the effect). */
  transientErrorRate: number;
  /** Share of requests whose answer is cut mid-body (after the effect). */
  dropRate: number;
  /** One-shot faults queued on a simulator just before the run. */
  oneShot: { system: 'bamboohr' | 'litmos'; fault: Fault }[];
}

export interface StepSpec {
  ops: HrOp[];
  /** A new blocklist set before this step's run, when present. */
  blocklist: string[] | null;
  faults: FaultPlan;
}

export interface CaseSpec {
  company: { seed: number; size: number };
  blocklist: string[];
  /** The initial sync (no HR edits) runs under this schedule. */
  initialFaults: FaultPlan;
  steps: StepSpec[];
}

/** The statuses the seeded companies use, plus the Betterworks guide's list; some differ only in case. */
export const STATUSES = [
  'Full-Time',
  'Part-Time',
  'Contractor',
  'Intern',
  'Temporary',
  'Seasonal',
  'LOA',
  'Paid LOA',
  'Pending New Hires',
  'Vendor Service Provider',
] as const;
const STATUS_SPELLINGS = [...STATUSES, 'full-time', 'CONTRACTOR', 'Intern '] as const;

/**
 * Name fragments: plain, with the characters HTML cares about, text that looks like an HTML entity
 * (a client that decodes what it wrote would change it), non-Latin scripts, NFC and NFD spellings of
 * the same letters, and a character outside the BMP.
 */
const NAME_FRAGMENTS = [
  'Ann',
  'Bob',
  'Zoë',
  'Zoe\u0308',
  'José',
  'Jose\u0301',
  "O'Neill",
  "D'Arcy",
  'Smith & Sons',
  'A&B',
  '<b>',
  'x<y>z',
  '"Q"',
  '&amp;',
  '&#39;',
  '&lt;i&gt;',
  'Ольга',
  'Дмитриев',
  '李',
  '王小明',
  'محمد',
  'Ελένη',
  'Łukasz',
  'Ærøskøbing',
  'Nguyễn',
  'Nguye\u0302\u0303n',
  '🚀',
  'van der',
] as const;

export const nameArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...NAME_FRAGMENTS), { minLength: 1, maxLength: 3 })
  .chain((parts) =>
    fc
      .array(fc.constantFrom('', ' ', '-'), { minLength: parts.length - 1, maxLength: parts.length - 1 })
      .map((seps) => parts.reduce<string>((acc, part, i) => acc + (seps[i - 1] ?? '') + part, '')),
  )
  .map((name) => name.trim() || 'Ann');

const EMAIL_LOCALS = ['alex.kim', 'sam.lee', 'new.hire', 'j.doe', 'o.neill', 'rehire', 'pat.smith'] as const;

export const emailArb: fc.Arbitrary<EmailChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('fresh' as const), local: fc.constantFrom(...EMAIL_LOCALS), upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('taken' as const), who: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('former' as const), which: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('outsider' as const), which: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'recase' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

/** New department names: HTML characters, another script, NFC and NFD spellings, a case twin of a seeded one. */
const NEW_DEPARTMENTS = [
  'R&D <Labs>',
  'Sales & "Growth"',
  "Founders' Office",
  'Отдел продаж',
  '営業部',
  'Ingeniería',
  'Ingenieri\u0301a',
  'SALES',
  'people',
] as const;

export const departmentArb: fc.Arbitrary<DepartmentChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('existing' as const), which: fc.nat(30), recase: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('new' as const), name: fc.constantFrom(...NEW_DEPARTMENTS) }) },
);

const who = fc.nat(40);
const status = fc.constantFrom(...STATUS_SPELLINGS);
/** Days from today: past and future. */
const offset = fc.integer({ min: -30, max: 30 });

export const hrOpArb: fc.Arbitrary<HrOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hire' as const),
      firstName: nameArb,
      lastName: nameArb,
      email: emailArb,
      // Mostly hired already; some pre-hires (a future hire date).
      hireOffset: fc.oneof(fc.integer({ min: -400, max: 0 }), fc.integer({ min: 1, max: 30 })),
      department: departmentArb,
      status: fc.option(status, { freq: 6 }),
      access: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('terminate' as const), who, offset }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rehire' as const), who, offset: fc.integer({ min: -5, max: 10 }), status }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('statusRow' as const), who, offset, status }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename' as const), who, firstName: fc.option(nameArb), lastName: fc.option(nameArb) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('email' as const), who, email: emailArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swapEmails' as const), a: who, b: who }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('move' as const), who, department: departmentArb, offset: fc.option(offset, { freq: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('access' as const), who, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('statusField' as const), who, value: fc.constantFrom('Active' as const, 'Inactive' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hireDate' as const), who, offset: fc.integer({ min: -60, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rehireAsNew' as const), who }) },
);

const LITMOS_FAULT_ROUTES = [
  'GET /v1.svc/users',
  'POST /v1.svc/users',
  'PUT /v1.svc/users/:id',
  'GET /v1.svc/teams',
  'POST /v1.svc/teams',
  'GET /v1.svc/teams/:id/users',
  'POST /v1.svc/teams/:id/users',
  'DELETE /v1.svc/teams/:id/users/:userId',
] as const;
const BAMBOOHR_FAULT_ROUTES = [
  'POST /api/gateway.php/:company/v1/reports/custom',
  'GET /api/gateway.php/:company/v1/employees/:id/tables/:table',
  'GET /api/gateway.php/:company/v1/meta/fields',
] as const;

/** A one-shot fault: a transient status (with `Retry-After: 0` now and then), or a dropped connection, after a short delay. */
const faultBody = fc
  .record(
    {
      status: fc.constantFrom(500, 502, 503, 504, 429),
      retryAfter: fc.constant('0'),
      drop: fc.constant(true),
      delayMs: fc.integer({ min: 0, max: 20 }),
      count: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ['count'] },
  )
  .map((f): Fault =>
    f.drop
      ? { drop: true, count: f.count, ...(f.delayMs !== undefined && { delayMs: f.delayMs }) }
      : { status: f.status ?? 500, count: f.count, ...(f.retryAfter && { retryAfter: f.retryAfter }), ...(f.delayMs !== undefined && { delayMs: f.delayMs }) },
  );

const oneShotArb = fc.oneof(
  fc.record({
    system: fc.constant('litmos' as const),
    fault: fc.tuple(fc.option(fc.constantFrom(...LITMOS_FAULT_ROUTES), { freq: 6 }), faultBody).map(([route, f]) => (route ? { ...f, route } : f)),
  }),
  fc.record({
    system: fc.constant('bamboohr' as const),
    fault: fc.tuple(fc.option(fc.constantFrom(...BAMBOOHR_FAULT_ROUTES), { freq: 6 }), faultBody).map(([route, f]) => (route ? { ...f, route } : f)),
  }),
);

export const NO_FAULTS: FaultPlan = { transientErrorRate: 0, dropRate: 0, oneShot: [] };

/**
 * A quarter of the runs get fault rates and a few one-shot faults; the rest are calm. (A faulted run
 * costs the gateway's retry backoff — about 0.6 s on average against 30 ms for a calm one — so this
 * share is what the case budget buys.)
 */
export const faultPlanArb: fc.Arbitrary<FaultPlan> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(NO_FAULTS) },
  {
    weight: 1,
    arbitrary: fc.record({
      transientErrorRate: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 0.1, noNaN: true })),
      dropRate: fc.oneof(fc.constant(0), fc.double({ min: 0.005, max: 0.03, noNaN: true })),
      oneShot: fc.array(oneShotArb, { maxLength: 3 }),
    }),
  },
);

const blocklistArb = fc.subarray([...STATUSES], { maxLength: 3 });

export const caseArb: fc.Arbitrary<CaseSpec> = fc.record({
  company: fc.record({ seed: fc.integer({ min: 1, max: 5000 }), size: fc.integer({ min: 8, max: 20 }) }),
  blocklist: blocklistArb,
  initialFaults: faultPlanArb,
  steps: fc.array(
    fc.record({
      ops: fc.array(hrOpArb, { minLength: 1, maxLength: 6 }),
      blocklist: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: blocklistArb }),
      faults: faultPlanArb,
    }),
    { minLength: 1, maxLength: 3 },
  ),
});
