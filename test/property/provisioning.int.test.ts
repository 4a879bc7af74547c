/**
 * Invariants, not examples: generated HR histories (hires, pre-hires, past and future terminations,
 * rehires — also as a new record —, renames with `& < > ' "`, non-Latin and NFD text, email changes,
 * swaps and reuse, department moves now and effective-dated, access flips, blocklisted, missing and
 * future-dated statuses, duplicate emails) applied through BambooHR's write API between syncs, each
 * sync run through the real gateway over HTTP under a generated fault schedule (transient 5xx and
 * cut connections at generated rates, plus one-shot faults). After every run the Litmos account is
 * checked against an independent oracle (oracle.ts, written from the rules, not from src/sync):
 *
 *  - safety, after every run however it ended: no username or team name twice, nobody deleted,
 *    users no HR system knows untouched, nobody HR-eligible loses access;
 *  - convergence, once a run succeeds (a run that ends PARTIAL/FAILED is re-run with faults off, at
 *    most MAX_RERUNS times — "a failed run can be re-run without duplicates"): every eligible
 *    employee has exactly one active learner with the right username and exact names, in the team
 *    of the current department only; every ineligible employee's learner is inactive;
 *  - idempotence: a re-run with no HR change writes nothing to Litmos.
 *
 * Known defects (found by this property, reported, not fixed here) are tagged by the oracle and
 * tallied instead of failed on, so the property keeps hunting for new ones; each also has a
 * regression test below. FC_STRICT=1 fails on them too.
 *
 * Reproduce a failure with what fast-check prints: FC_SEED=<seed> FC_PATH=<path> FC_NO_SHRINK=1
 * npx vitest run test/property -t "hold over". FC_RUNS sets the number of cases (`npm run soak`: 2000);
 * FC_NO_SHRINK=1 reports the first failing case unshrunk; FC_TIME_LIMIT_MS bounds the whole property
 * (shrinking included); FC_SHOW_KNOWN=1 prints an example of each known defect seen. Fault draws are
 * seeded, but which request draws which fault depends on the gateway's concurrency, so a faulted
 * case replays closely rather than exactly; calm cases replay exactly.
 *
 * Budget (measured on the 2-core development machine, load average about 2): DEFAULT_RUNS = 250
 * cases took 127 s (66 s CPU; the whole file 131 s), about 0.5 s a case — a calm run of the gateway
 * takes ~30 ms, a faulted one ~0.5 s of the gateway's retry backoff (77 s of the 127), hence only a
 * quarter of the runs faulted. Under heavy contention from other processes it was 2–3× slower.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { caseArb, NO_FAULTS, type CaseSpec, type HrOp } from './arbitraries.js';
import { costs, runCase } from './case.js';
import type { KnownDefect } from './oracle.js';

const DEFAULT_RUNS = 250;
const RUNS = Number(process.env.FC_RUNS ?? DEFAULT_RUNS);
/**
 * CI explores one fixed sequence of cases, so a red CI is one anybody can replay; development runs and
 * `npm run soak` draw new cases every time, which is where new counterexamples come from.
 */
const CI_SEED = 20_261_201;
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : process.env.CI ? CI_SEED : undefined;
const PATH = process.env.FC_PATH;
const NO_SHRINK = process.env.FC_NO_SHRINK === '1';
/** The whole property (cases and shrinking) stops here; a case takes about 0.45 s. */
const TIME_LIMIT_MS = Number(process.env.FC_TIME_LIMIT_MS ?? Math.max(240_000, RUNS * 1_500));

/**
 * Defects this property found and that are not fixed yet: their violations are tallied rather than
 * failed on, so the property keeps hunting for new ones; FC_STRICT=1 fails on them too. Each gets a
 * regression test below asserting it still reproduces, turned into a plain one when it is fixed.
 * None is open: every one found so far has been fixed, and its test below holds the gateway to it.
 */
const KNOWN_DEFECTS: readonly KnownDefect[] = [];
const TOLERATED: ReadonlySet<KnownDefect> = new Set(process.env.FC_STRICT === '1' ? [] : KNOWN_DEFECTS);

describe('provisioning invariants (property-based, real gateway over the sandbox)', () => {
  /** Known defects seen while the property ran, with a first example each. */
  const seenDefects = new Map<KnownDefect, { reports: number; example: string }>();
  const cost = { cases: 0, wallMs: 0, cpu: process.cpuUsage() };
  afterAll(() => {
    if (cost.cases === 0) return;
    const cpu = process.cpuUsage(cost.cpu);
    const tallies = [...seenDefects].map(([defect, seen]) => `${defect} ×${seen.reports}`).join(', ') || 'none';
    console.warn(
      `property: ${cost.cases} cases in ${(cost.wallMs / 1000).toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU); ` +
        `${costs.faultedRuns} of ${costs.runs} step runs under faults (${(costs.faultedRunMs / 1000).toFixed(1)} s), ${costs.faultedNotSucceeded} of them not SUCCEEDED; ` +
        `known defects seen (tolerated): ${tallies}${process.env.FC_SHOW_KNOWN === '1' ? '' : ' — FC_SHOW_KNOWN=1 prints an example of each'}`,
    );
    if (process.env.FC_SHOW_KNOWN === '1') for (const [defect, seen] of seenDefects) console.warn(`known defect ${defect}, first seen:\n${seen.example}`);
  });

  it(
    `hold over generated HR histories and fault schedules (${RUNS} cases; known defects tallied${TOLERATED.size ? '' : ' and failed on'})`,
    async () => {
      const tally = (defect: KnownDefect, report: string) => {
        const seen = seenDefects.get(defect);
        if (seen) seen.reports += 1;
        else seenDefects.set(defect, { reports: 1, example: report });
      };
      await fc.assert(
        fc.asyncProperty(caseArb, async (spec) => {
          const started = Date.now();
          try {
            await runCase(spec, TOLERATED, tally);
          } finally {
            cost.cases += 1;
            cost.wallMs += Date.now() - started;
          }
        }),
        {
          numRuns: RUNS,
          ...(SEED !== undefined && { seed: SEED }),
          ...(PATH !== undefined && { path: PATH }),
          endOnFailure: NO_SHRINK,
          // Shrinking replays whole cases; bound the whole run so a failure is reported in time.
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- fast-check 4 still honours it; moving to its plugin is a change of its own
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- as above
          markInterruptAsFailure: false,
        },
      );
    },
    TIME_LIMIT_MS + 180_000,
  );
});

/**
 * The counterexamples the property found, shrunk by hand to one edit on the CEO (employee 1 of any
 * seeded company: always hired, Full-Time, with a work email and the access flag on), each now a
 * rule the gateway is held to with nothing tolerated.
 */
describe('counterexamples the property found (each now holds)', () => {
  const calm = NO_FAULTS;
  const oneStep = (ops: HrOp[], company = { seed: 1, size: 8 }): CaseSpec => ({
    company,
    blocklist: [],
    initialFaults: calm,
    steps: [{ ops, blocklist: null, faults: calm }],
  });
  /** A rule the oracle holds the gateway to: the case passes, whatever else it tolerates. */
  const holds = async (spec: CaseSpec) => {
    await expect(runCase(spec, new Set())).resolves.toBeUndefined();
  };

  // Found first as a counterexample (FC seed 1062535251); it is the design's rule, not a defect.
  it('absent is not terminated: a learner is left as it is when its employee loses the work email, or has the hire date moved ahead', async () => {
    await holds(oneStep([{ kind: 'email', who: 0, email: { kind: 'none' } }]));
    await holds(oneStep([{ kind: 'hireDate', who: 0, offset: 10 }]));
  });

  // Also found as: an address swap between an eligible and a terminated employee, and an address
  // reused after its holder left.
  // Found by the property (EMAIL_HANDOVER); fixed: a link is handed over to the eligible record that
  // now holds the learner's username when its own record is ineligible and gave the username up.
  it('a rehire entered as a new BambooHR record gets the learner back', async () => {
    await holds(oneStep([{ kind: 'rehireAsNew', who: 0 }]));
  });

  // Found by the property (EMAIL_HANDOVER: every run PARTIAL, PUT → 409 both ways); fixed: apply
  // renames in the order usernames free up, one learner of a swap stepping aside first.
  it('two eligible employees who swap work emails swap usernames in one run', async () => {
    await holds(oneStep([{ kind: 'swapEmails', a: 0, b: 1 }]));
  });

  // Found by the property (USERNAME_COLLISION: every run PARTIAL on a 409); the rules say neither
  // account may be taken from its holder, so the employee keeps their learner under its old
  // username, the rest is updated, and the report says USERNAME_TAKEN.
  it('a work email changed to the username of a Litmos user no HR system knew leaves that user alone', async () => {
    await holds(oneStep([{ kind: 'email', who: 0, email: { kind: 'outsider', which: 0 } }]));
  });

  // Company 5/17: employee 6 has no status (so the first run deactivates their seeded learner), and
  // the seed put that learner in the "sales" team although their department is Supply Chain.
  // Found by the property (STALE_TEAM_AFTER_REACTIVATION); fixed: the run reads the team lists of
  // the learners it reactivates, which Litmos's member lists leave out.
  it('a reactivated learner leaves its old department team in the run that reactivates it', async () => {
    await holds(oneStep([{ kind: 'statusRow', who: 5, offset: 0, status: 'Full-Time' }], { seed: 5, size: 17 }));
  });

  // FC seed 1878673473 (shrunk): company 1/8's CEO is its only Executive; Full-Time blocklisted (the
  // CEO is deactivated), then moved to Finance and the blocklist cleared. Tolerating the variant a
  // second run repairs, the case still fails: the Executive membership is never removed.
  // Found by the property (STALE_TEAM_NEVER_REMOVED); fixed: departments seen once stay managed.
  it('a learner moved while inactive out of a department that is now empty leaves its team', async () => {
    const spec: CaseSpec = {
      company: { seed: 1, size: 8 },
      blocklist: [],
      initialFaults: calm,
      steps: [
        { ops: [], blocklist: ['Full-Time'], faults: calm },
        { ops: [{ kind: 'move', who: 0, department: { kind: 'existing', which: 1, recase: false }, offset: null }], blocklist: [], faults: calm },
      ],
    };
    await holds(spec);
  });

  // FC seed -798397861 path 20 (company 1471/8): employee 3 changes address, a new hire takes the old one.
  // Found by the property (EMAIL_REUSE_NEEDS_SECOND_RUN: skipped as USERNAME_TAKEN until the next
  // run); fixed: the planner gives out usernames its renames free, and apply renames before creating.
  it('a new hire given an address another employee gave up in the same interval is created in that run', async () => {
    await holds(
      oneStep([
        { kind: 'email', who: 0, email: { kind: 'fresh', local: 'alex.kim', upper: false } },
        {
          kind: 'hire',
          firstName: 'Ann',
          lastName: "O'Neill",
          email: { kind: 'former', which: 0 },
          hireOffset: -30,
          department: { kind: 'existing', which: 0, recase: false },
          status: 'Full-Time',
          access: true,
        },
      ]),
    );
  });

  // FC seed 287643539 (company 1/20, shrunk by hand): employee 13 left (terminated, learner inactive)
  // and the CEO, who has no learner (Full-Time blocklisted), swaps addresses with them; the learner
  // passes with the address to the CEO (see the rehire above). Then employee 13 is rehired: their
  // old link and the CEO's new one both named the learner, and the rehire took it back, renaming it
  // from under the CEO. Found by the property; fixed: of one source's links to one learner, only
  // one holds it — the eligible employee's, else the one made last (the successor's).
  it('a learner handed over with its address stays with its new employee when its old one is rehired', async () => {
    const spec = (faults: CaseSpec['initialFaults']): CaseSpec => ({
      company: { seed: 1, size: 20 },
      blocklist: ['Full-Time'],
      initialFaults: calm,
      steps: [
        { ops: [{ kind: 'swapEmails', a: 0, b: 12 }], blocklist: [], faults },
        { ops: [{ kind: 'statusRow', who: 12, offset: 0, status: 'Full-Time' }], blocklist: null, faults: calm },
      ],
    });
    await holds(spec(calm));
    await holds(spec({ transientErrorRate: 0, dropRate: 0.005, oneShot: [] }));
  });

  // FC seed -1561929138 path 71:1:0:0:0:5:9:9:15:15:15:15:15:15 (company 2/10): employee 10, a
  // pre-hire whose only job row is dated on the hire day ahead, has the hire date moved to today and
  // then a status row: eligible, but no job row is in force yet. Found by the property; fixed: the
  // job row is read on the day the status is (the hire day for a pre-hire, else today), so the
  // learner was put in the department the row will name ("sales") before it applies.
  it('a hire whose only job row starts later is in no department team until that row applies', async () => {
    const spec: CaseSpec = {
      company: { seed: 2, size: 10 },
      blocklist: [],
      initialFaults: calm,
      steps: [
        { ops: [{ kind: 'hireDate', who: 9, offset: 0 }], blocklist: null, faults: calm },
        { ops: [{ kind: 'statusRow', who: 9, offset: 0, status: 'Full-Time' }], blocklist: null, faults: calm },
      ],
    };
    await holds(spec);
  });

  // Found first as a counterexample (FC seed -700780852); BambooHR derives status from the history.
  it('a termination dated ahead deactivates on its day, not when the report already reads Inactive', async () => {
    await holds(
      oneStep([
        { kind: 'terminate', who: 0, offset: 10 },
        { kind: 'statusField', who: 0, value: 'Inactive' },
      ]),
    );
  });
});
