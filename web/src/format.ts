import type { Figure, FigureQualifier, Location, Trigger } from './api-types';

// How the desk writes dates, figures and ranges: one place, so every view says it alike.

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const SECOND = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });

/** A date or instant, as precisely as it is known (or, for a log's entries, to the second); times are UTC, said so. */
export function formatWhen(value: string, precision: 'second' | 'time' | 'day' | 'month' | 'year' = value.length > 10 ? 'time' : 'day'): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  switch (precision) {
    case 'year':
      return String(date.getUTCFullYear());
    case 'month':
      return MONTH.format(date);
    case 'day':
      return DAY.format(date);
    case 'time':
      return `${TIME.format(date)} UTC`;
    case 'second':
      return `${SECOND.format(date)} UTC`;
  }
}

/** A statedAt at midnight UTC reads as a day: that is how the desk enters day-precise statements. */
export function formatStated(instant: string): string {
  return instant.includes('T00:00:00') ? formatWhen(instant, 'day') : formatWhen(instant, 'time');
}

export function formatOccurred({ from, to, precision }: { from: string; to?: string; precision: 'time' | 'day' | 'month' | 'year' }): string {
  return to ? `${formatWhen(from, precision)} – ${formatWhen(to, precision)}` : formatWhen(from, precision);
}

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** `South of Tinzaouaten, Kidal, Mali`: the country by its name rather than its ISO code. */
export function placeText({ place, region, country }: Location): string {
  return [place, region, countryName(country)].filter(Boolean).join(', ');
}

function countryName(code: string): string {
  try {
    return COUNTRY_NAMES.of(code) ?? code;
  } catch {
    return code; // not a code Intl knows the shape of
  }
}

/** How precisely the place is known, in words rather than the API's values. */
export const LOCATION_PRECISION_WORDS: Record<Location['precision'], string> = {
  exact: 'the exact place',
  near: 'near this place',
  region: 'somewhere in this region',
  country: 'somewhere in this country',
};

/** `at_least` → `at least`. */
export function words(value: string): string {
  return value.replaceAll('_', ' ');
}

const QUALIFIER_SIGN: Record<FigureQualifier, string> = { exact: '', at_least: '≥', at_most: '≤', approximately: '~', unspecified: '' };

/** Short, for a chart label: `50`, `≥20`, `~40`. */
export function figureShort({ qualifier, value }: Pick<Figure, 'qualifier' | 'value'>): string {
  return value === undefined ? 'no number' : `${QUALIFIER_SIGN[qualifier]}${value}`;
}

/** Long, for prose: `50`, `at least 20`, `about 40`, `no number given`. */
export function figureLong({ qualifier, value }: Pick<Figure, 'qualifier' | 'value'>): string {
  if (value === undefined) return 'no number given';
  return qualifier === 'exact' ? String(value) : `${qualifier === 'approximately' ? 'about' : words(qualifier)} ${value}`;
}

/** `1–50`, `20` when both ends agree, `no number` when no active claim gives one. */
export function rangeText(low: number | null, high: number | null): string {
  if (low === null || high === null) return 'no number';
  return low === high ? String(low) : `${low}–${high}`;
}

/** The casualty summary groups parties whatever their case and spacing, as the service does. */
export function partyKey(party: string): string {
  return party.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** `2024-07-28T06:00` (a date-time control's value, read as UTC) → `2024-07-28T06:00:00.000Z`; a day alone, `2024-07-28`, is its first instant. */
export function utcInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(`${local.length === 10 ? `${local}T00:00:00` : local.length === 16 ? `${local}:00` : local}Z`);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** The reverse, to prefill a date-time control. */
export function utcLocal(instant: string | undefined): string {
  return instant ? instant.slice(0, 16) : '';
}

export function shortId(id: string): string {
  return id.slice(-8);
}

/** `JNIM’s`, `Russian military blogs’`. */
export function possessive(name: string): string {
  return name.endsWith('s') ? `${name}’` : `${name}’s`;
}

/** What sets off an alert, as an editor ticks it: "Alert me when…". */
export const TRIGGER_WORDS: Record<Trigger, string> = {
  casualty_range_changed: 'a casualty range changes',
  contested_changed: 'a casualty figure becomes contested, or no longer is',
  claim_reported: 'a claim is reported',
  claim_amended: 'a claim is amended',
  claim_retracted: 'a claim is retracted',
  claim_corrected: 'a claim is corrected',
  claim_graded: 'a claim is graded',
  statement_with_stance: 'a statement supports or disputes a claim',
};
