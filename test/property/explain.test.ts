/**
 * Explain agrees with the planner, for every employee of generated companies: the seeded companies
 * (every edge case by quota: past and future terminations, pre-hires, no status, future status rows,
 * access off, no work email) under generated policies, days, holds and Litmos states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCompany } from '@rostergate/sandbox';
import { eligibility } from '../../src/core/eligibility.js';
import { explainPlan, type Provisioning } from '../../src/core/explain.js';
import type { Hold } from '../../src/core/holds.js';
import { addDays } from '../../src/core/eligibility.js';
import { planSync, type PlanInput, type PlannedAction, type SyncPlan } from '../../src/core/plan.js';
import { defaultPolicy } from '../../src/core/policy.js';
import type { Employee, IdentityLink, Learner } from '../../src/model.js';
import { seedEmployee } from '../support/seed.js';

const TODAY = '2025-06-16';

/** What Litmos holds of one person: nothing, their learner (active or not, in step or stale), or a stranger with their email. */
type LitmosSide = 'none' | 'active' | 'inactive' | 'stale' | 'linked' | 'linkedInactive' | 'twoStrangers';
type HoldSide = 'none' | 'inForce' | 'lapsed';

const personArb = fc.record({
  litmos: fc.constantFrom<LitmosSide>('none', 'none', 'active', 'active', 'inactive', 'stale', 'linked', 'linkedInactive', 'twoStrangers'),
  hold: fc.constantFrom<HoldSide>('none', 'none', 'none', 'inForce', 'lapsed'),
});

const caseArb: fc.Arbitrary<CaseSpec> = fc.record({
  seed: fc.integer({ min: 1, max: 10_000 }),
  size: fc.integer({ min: 12, max: 60 }),
  people: fc.array(personArb, { minLength: 60, maxLength: 60 }),
  /** Days after the company's day the plan is for: "as of" a later day. */
  later: fc.constantFrom(0, 0, 1, 7, 30, 120),
  blocklistPicks: fc.array(fc.nat(), { maxLength: 2 }),
  accessFlag: fc.constantFrom<'FIELD' | 'EVERYONE'>('FIELD', 'EVERYONE'),
  blockMissingStatus: fc.boolean(),
  prehireLeadDays: fc.constantFrom(0, 0, 7, 30),
  teams: fc.boolean(),
});

function litmosFor(employee: Employee, side: LitmosSide): { learners: Learner[]; links: IdentityLink[] } {
  const id = `L${employee.sourceId}`;
  const userName = employee.workEmail ?? `nobody${employee.sourceId}@elsewhere.example`;
  const learner: Learner = {
    id,
    userName,
    email: employee.workEmail,
    firstName: employee.firstName,
    lastName: employee.lastName,
    title: employee.jobTitle,
    active: side !== 'inactive' && side !== 'linkedInactive',
    accessLevel: 'Learner',
    phoneWork: employee.workPhone,
    phoneMobile: employee.mobilePhone,
    street1: employee.workAddress?.street1 ?? null,
    street2: null,
    city: employee.workAddress?.city ?? null,
    state: employee.workAddress?.state ?? null,
    postalCode: employee.workAddress?.postalCode ?? null,
    country: employee.workAddress?.country ?? null,
  };
  switch (side) {
    case 'none':
      return { learners: [], links: [] };
    case 'stale':
      return { learners: [{ ...learner, lastName: `${learner.lastName}-old`, title: 'Former title' }], links: [] };
    case 'linked':
    case 'linkedInactive':
      return {
        learners: [learner],
        links: [{ source: 'BAMBOOHR', sourceId: employee.sourceId, learnerId: id, matchedBy: 'EMAIL', linkedAt: '2025-01-01T00:00:00Z' }],
      };
    case 'twoStrangers':
      return { learners: [1, 2].map((n) => ({ ...learner, id: `${id}-${n}`, userName: `${n}.${userName}` })), links: [] };
    default:
      return { learners: [learner], links: [] };
  }
}

function inputFor(spec: CaseSpec): PlanInput {
  const company = generateCompany({ seed: spec.seed, size: spec.size, today: TODAY });
  const today = addDays(TODAY, spec.later);
  const employees = company.people.map((person) => seedEmployee(person, today));
  const learners: Learner[] = [];
  const links: IdentityLink[] = [];
  const holds: Hold[] = [];
  employees.forEach((employee, i) => {
    const side = spec.people[i % spec.people.length] ?? { litmos: 'none', hold: 'none' };
    const litmos = litmosFor(employee, side.litmos);
    learners.push(...litmos.learners);
    links.push(...litmos.links);
    if (side.hold !== 'none') {
      const until = side.hold === 'inForce' ? addDays(today, 3) : addDays(today, -1);
      holds.push({
        id: `BAMBOOHR:${employee.sourceId}`,
        source: 'BAMBOOHR',
        sourceId: employee.sourceId,
        until,
        reason: 'leave',
        heldBy: 't',
        heldAt: `${TODAY}T09:00:00.000Z`,
      });
    }
  });
  const statuses = company.employmentStatuses;
  const policy = {
    ...defaultPolicy({ accessFlagFieldName: 'Litmos Access' }),
    blocklist: spec.blocklistPicks.map((pick) => statuses[pick % statuses.length] ?? 'Contractor'),
    accessFlag: { mode: spec.accessFlag, fieldName: 'Litmos Access' },
    blockMissingStatus: spec.blockMissingStatus,
    prehireLeadDays: spec.prehireLeadDays,
    teams: { fromDepartment: spec.teams, divisionAsParent: false, managerAsLeader: false },
  };
  return { source: 'BAMBOOHR', employees, read: { complete: true }, learners, teams: [], teamMembers: {}, links, policy, today, holds };
}

interface CaseSpec {
  seed: number;
  size: number;
  people: { litmos: LitmosSide; hold: HoldSide }[];
  later: number;
  blocklistPicks: number[];
  accessFlag: 'FIELD' | 'EVERYONE';
  blockMissingStatus: boolean;
  prehireLeadDays: number;
  teams: boolean;
}

const WRITES_TO_LEARNER = new Set<PlannedAction['kind']>(['CREATE_LEARNER', 'REACTIVATE_LEARNER', 'UPDATE_LEARNER', 'DEACTIVATE_LEARNER']);
const CODE_OF: Record<string, string> = { PREHIRE: 'PRE_HIRE', NO_EMAIL: 'NO_WORK_EMAIL' };

/** What the plan says of one employee, checked against their explanation; the message names the breach. */
function disagreement(input: PlanInput, plan: SyncPlan, employee: Employee, explained: Provisioning): string | null {
  const { sourceId } = employee;
  const actions = plan.actions.filter((action) => 'sourceId' in action && action.sourceId === sourceId);
  const kinds = new Set(actions.map((action) => action.kind));
  const skip = plan.skips.find((each) => each.sourceId === sourceId) ?? null;
  const verdict = eligibility(employee, input.policy, input.today);
  const codes: string[] = explained.reasons.map((reason) => reason.code);
  const learner = input.learners.find((each) => each.id === explained.learnerId);
  const expectState: Record<Provisioning['state'], boolean> = {
    HELD: skip?.reason === 'HELD' && actions.length === 0,
    TO_DEACTIVATE: kinds.has('DEACTIVATE_LEARNER') && !verdict.eligible,
    TO_CREATE: (kinds.has('CREATE_LEARNER') || kinds.has('REACTIVATE_LEARNER')) && verdict.eligible,
    TO_UPDATE: actions.length > 0 && ![...kinds].some((kind) => kind === 'CREATE_LEARNER' || kind === 'REACTIVATE_LEARNER' || kind === 'DEACTIVATE_LEARNER'),
    PROVISIONED: actions.length === 0 && skip === null && verdict.eligible && learner?.active === true,
    DEACTIVATED: actions.length === 0 && skip === null && !verdict.eligible && learner?.active === false,
    NOT_PROVISIONED: ![...kinds].some((kind) => WRITES_TO_LEARNER.has(kind)) && !verdict.eligible,
    PRE_HIRE: ![...kinds].some((kind) => WRITES_TO_LEARNER.has(kind)) && !verdict.eligible && verdict.reason === 'PREHIRE',
    CONFLICT:
      skip !== null && ['DUPLICATE_EMAIL', 'AMBIGUOUS_MATCH', 'USERNAME_TAKEN', 'MISSING_REQUIRED_FIELD', 'LINKED_LEARNER_MISSING'].includes(skip.reason),
  };
  if (!expectState[explained.state]) return `state ${explained.state}, but the plan has [${[...kinds].join(', ')}] and skip ${skip?.reason ?? 'none'}`;
  // Every state but HELD and CONFLICT is decided by the first rule the planner acts on.
  const decisive = verdict.eligible ? 'ELIGIBLE' : (CODE_OF[verdict.reason] ?? verdict.reason);
  if (!codes.includes(decisive)) return `reasons [${codes.join(', ')}] leave out the planner's ${decisive}`;
  const deactivation = actions.find((action) => action.kind === 'DEACTIVATE_LEARNER');
  if (deactivation && codes[codes.includes('HELD') ? 1 : 0] !== deactivation.reason)
    return `first reason ${codes[0]} but deactivated for ${deactivation.reason}`;
  if (skip && skip.reason !== 'HELD' && !codes.includes(CODE_OF[skip.reason] ?? skip.reason))
    return `reasons [${codes.join(', ')}] leave out the skip ${skip.reason}`;
  const actedOn = actions.flatMap((action) => ('learnerId' in action && action.learnerId !== null ? [action.learnerId] : []));
  if (actedOn.some((id) => id !== explained.learnerId)) return `learner ${explained.learnerId ?? 'none'}, but the plan acts on ${actedOn.join(', ')}`;
  return null;
}

describe('explain (property)', () => {
  it('agrees with the planner for every employee of generated companies, policies, days, holds and Litmos states', () => {
    const states = new Set<string>();
    fc.assert(
      fc.property(caseArb, (spec) => {
        const input = inputFor(spec);
        const plan = planSync(input);
        const explained = explainPlan(input, plan);
        expect(explained.size).toBe(input.employees.length);
        for (const employee of input.employees) {
          const explanation = explained.get(employee.sourceId);
          if (explanation === undefined) throw new Error(`${employee.sourceId} is not explained`);
          states.add(explanation.state);
          const breach = disagreement(input, plan, employee, explanation);
          if (breach !== null) throw new Error(`employee ${employee.sourceId}: ${breach}`);
        }
      }),
      { numRuns: 150 },
    );
    // The generated cases reach every state, so none of the rules above is checked vacuously.
    expect([...states].sort()).toEqual([
      'CONFLICT',
      'DEACTIVATED',
      'HELD',
      'NOT_PROVISIONED',
      'PRE_HIRE',
      'PROVISIONED',
      'TO_CREATE',
      'TO_DEACTIVATE',
      'TO_UPDATE',
    ]);
  });
});
