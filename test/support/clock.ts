/**
 * Clocks for tests, so no expectation depends on when the test happens to run.
 */
import type { Clock } from '../../src/clock.js';
import type { LocalDate } from '../../src/model.js';

/** A clock stopped at `instant` (ISO 8601). */
export const stoppedAt =
  (instant: string): Clock =>
  () =>
    new Date(instant);

/** A clock stopped at noon UTC of `day`, as far from either midnight as the day allows. */
export const middayOf = (day: LocalDate): Clock => stoppedAt(`${day}T12:00:00.000Z`);

const DAY_MS = 86_400_000;
/** How long the day must still last when the clock starts: longer than any test file runs. */
const LEEWAY_MS = 10 * 60_000;

/**
 * A running clock on `day`, which lasts the test out: the expectations of an integration test are
 * worked out for the day its sandbox was seeded for, and a gateway whose day turned at midnight
 * mid-test would judge hires and leavers on another. It is the real time when that is on `day` with
 * LEEWAY_MS still to go; set back to LEEWAY_MS before midnight when less is left (so still within the
 * 15 minutes a BambooHR delivery's timestamp may differ from the receiver's clock: deliveries the
 * sandbox signs with the real time are taken); moved onto `day` when it is another day. It runs at
 * real speed, so run timestamps stay in order.
 */
export function clockOn(day: LocalDate): Clock {
  const dayStart = Date.parse(`${day}T00:00:00.000Z`);
  const started = Date.now();
  const offset = Math.min(Math.max(started, dayStart), dayStart + DAY_MS - LEEWAY_MS) - started;
  return () => new Date(Date.now() + offset);
}
