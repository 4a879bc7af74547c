/**
 * Calendar days as integers (days since 1970-01-01, UTC), so the generator can add and compare
 * dates with plain arithmetic and only format them as `YYYY-MM-DD` at the edge.
 */
/** A calendar date as `YYYY-MM-DD`, with no time zone: HR systems record days, not instants. */
export type LocalDate = string;

const DAY_MS = 86_400_000;

/** NaN when `date` is not a `YYYY-MM-DD` string. */
export function toDay(date: LocalDate): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

// Formatting by hand: toISOString is several times slower, which shows at 100,000 people.
export function toLocalDate(day: number): LocalDate {
  const date = new Date(day * DAY_MS);
  return `${date.getUTCFullYear()}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}`;
}

/** True for a real calendar day written as `YYYY-MM-DD` ("2025-02-30" is not one). */
export function isLocalDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && toLocalDate(toDay(text)) === text;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
