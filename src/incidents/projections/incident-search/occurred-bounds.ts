import type { Occurred, OccurredPrecision } from '../../domain/incident.events.js';

/** Inclusive bounds to the millisecond, as ISO-8601 UTC: `to` is the last millisecond included. */
export interface Bounds {
  from: string;
  to: string;
}

/**
 * When the incident may have happened, as comparable instants: from the start of the
 * precision's unit holding `from` to the end of the unit holding `to` (or `from` when
 * the incident has no `to`). July 2024 at month precision is 2024-07-01T00:00:00.000Z
 * to 2024-07-31T23:59:59.999Z. Calendar dates are read as UTC days.
 */
export function occurredBounds({ from, to, precision }: Occurred): Bounds {
  return { from: boundsOf(from, precision).from, to: boundsOf(to ?? from, precision).to };
}

/** The span a date or instant names at a precision; a date names at least its whole day. */
export function boundsOf(value: string, precision: OccurredPrecision): Bounds {
  const isDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const instant = new Date(isDate ? `${value}T00:00:00.000Z` : value);
  const unit = precision === 'time' && isDate ? 'day' : precision;
  if (unit === 'time') return { from: instant.toISOString(), to: instant.toISOString() };
  const [year, month, day] = [instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()];
  const [start, next] = {
    day: [utc(year, month, day), utc(year, month, day + 1)],
    month: [utc(year, month, 1), utc(year, month + 1, 1)],
    year: [utc(year, 0, 1), utc(year + 1, 0, 1)],
  }[unit];
  return { from: new Date(start).toISOString(), to: new Date(next - 1).toISOString() };
}

// Not Date.UTC, which reads years 0–99 as 1900–1999; day and month overflow roll over.
function utc(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month, day);
}
