import type { LocalDate } from './model.js';

/** The UTC day of `now` as `YYYY-MM-DD`: HR dates are days, and the gateway judges them in UTC. */
export function today(now: Date): LocalDate {
  return now.toISOString().slice(0, 10);
}
