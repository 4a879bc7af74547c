/** The current UTC day as `YYYY-MM-DD`: HR dates are days, and the gateway judges them in UTC. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
