/**
 * Whether an employee should have an active Litmos learner today, and if not, why. The reasons are
 * split by what they prove: some are positive evidence that access must end, the rest only say the
 * employee cannot be provisioned yet.
 */
import type { Employee, EmploymentStatusRow, LocalDate } from '../model.js';
import type { Policy } from './policy.js';

export type EvidenceReason = 'TERMINATED' | 'BLOCKLISTED_STATUS' | 'NO_STATUS' | 'ACCESS_FLAG_OFF';
export type IneligibilityReason = EvidenceReason | 'PREHIRE' | 'NO_EMAIL';
export type Eligibility = { eligible: true } | { eligible: false; reason: IneligibilityReason };

const EVIDENCE_REASONS: ReadonlySet<IneligibilityReason> = new Set<EvidenceReason>(['TERMINATED', 'BLOCKLISTED_STATUS', 'NO_STATUS', 'ACCESS_FLAG_OFF']);

/** True for the reasons that justify deactivating a learner; PREHIRE and NO_EMAIL never do. */
export function isEvidenceReason(reason: IneligibilityReason): reason is EvidenceReason {
  return EVIDENCE_REASONS.has(reason);
}

/** Statuses are typed by people into BambooHR and Namely, so "Paid LOA" and "paid  loa" are one. */
export function normaliseStatus(status: string): string {
  return status.replace(/\s+/g, '').toLowerCase();
}

const TERMINATED_STATUS = normaliseStatus('Terminated');

/**
 * The row in force on `day`: the latest with `effectiveDate ≤ day`. Rows dated later have not
 * happened yet — BambooHR itself reports no status until their date — so they never count early.
 * A blank status counts as no status. Rows on the same date: the later one in the history wins,
 * as a same-day correction does in BambooHR.
 */
export function employmentStatusRowOn(employee: Pick<Employee, 'employmentStatusHistory'>, day: LocalDate): EmploymentStatusRow | null {
  let current: EmploymentStatusRow | null = null;
  for (const row of employee.employmentStatusHistory) {
    if (row.effectiveDate <= day && (current === null || row.effectiveDate >= current.effectiveDate)) current = row;
  }
  return current !== null && current.status.trim() !== '' ? current : null;
}

/** The employment status in force on `day`, or null when there is none. */
export function employmentStatusOn(employee: Pick<Employee, 'employmentStatusHistory'>, day: LocalDate): string | null {
  return employmentStatusRowOn(employee, day)?.status ?? null;
}

/** `day` plus `days` calendar days; dates are plain days, so UTC arithmetic has no DST to trip on. */
export function addDays(day: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Reasons are checked evidence first, so a terminated pre-hire or a blocklisted employee without an
 * email is still reported by the reason that lets the planner deactivate them.
 */
export function eligibility(employee: Employee, policy: Policy, today: LocalDate): Eligibility {
  const [reason] = ineligibilities(employee, policy, today);
  return reason === undefined ? { eligible: true } : { eligible: false, reason };
}

/**
 * Every rule the employee fails today, in the order `eligibility` checks them (its reason is the
 * first): explain shows them all, the planner acts on the first.
 */
export function ineligibilities(employee: Employee, policy: Policy, today: LocalDate): IneligibilityReason[] {
  const row = statusRowJudged(employee, today);
  const status = row === null ? null : normaliseStatus(row.status);
  const reasons: IneligibilityReason[] = [];
  if (isTerminated(employee, row, status, today)) reasons.push('TERMINATED');
  if (status === null && policy.blockMissingStatus) reasons.push('NO_STATUS');
  if (status !== null && policy.blocklist.some((blocked) => normaliseStatus(blocked) === status)) reasons.push('BLOCKLISTED_STATUS');
  if (policy.accessFlag.mode === 'FIELD' && !employee.accessEnabled) reasons.push('ACCESS_FLAG_OFF');
  // The lead is never negative (policy.ts), so only a hire date after today can be past it: the date
  // arithmetic, the costliest step here, is left out for everyone already hired.
  if (employee.hireDate !== null && employee.hireDate > today && employee.hireDate > addDays(today, policy.prehireLeadDays)) reasons.push('PREHIRE');
  if (employee.workEmail === null || employee.workEmail.trim() === '') reasons.push('NO_EMAIL');
  return reasons;
}

/**
 * The status row the rules judge by. A pre-hire's status row is dated on the hire day, so they are
 * judged by the status they start with; everyone else by the status in force today.
 */
export function statusRowJudged(employee: Employee, today: LocalDate): EmploymentStatusRow | null {
  const statusDay = employee.hireDate !== null && employee.hireDate > today ? employee.hireDate : today;
  return employmentStatusRowOn(employee, statusDay);
}

/**
 * A termination date that has passed counts unless the status row in force is dated after it: a
 * rehired employee's record can still carry the old termination date.
 */
function isTerminated(employee: Employee, row: EmploymentStatusRow | null, status: string | null, today: LocalDate): boolean {
  if (employee.status === 'INACTIVE' || status === TERMINATED_STATUS) return true;
  const { terminationDate } = employee;
  if (terminationDate === null || terminationDate > today) return false;
  return row === null || row.effectiveDate <= terminationDate;
}
