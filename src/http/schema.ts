import { z } from 'zod';
import { isStorableTime } from '../common/decider.js';
import { COUNTRY_CODE } from '../common/input-formats.js';

// Building blocks of the request schemas that several slices share.

/** Lower-cased: stream names and lookups must not depend on how a client spelled the id. */
export const uuid = z.uuid().transform((id) => id.toLowerCase());

/** Trimmed text of 1..max characters. */
export const text = (max: number) => z.string().trim().min(1).max(max);

/** The years PostgreSQL and four-digit ISO-8601 both hold; a time outside them breaks the projections that store it. */
const inStorableYears = z.string().refine((time) => isStorableTime(Date.parse(time)), {
  message: 'must lie in the years 0001 to 9999 (UTC)',
  params: { code: 'time_out_of_range' },
});

const utcInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** An instant with an explicit offset, stored as UTC (`2024-07-28T00:00:00.000Z`). */
export const instant = utcInstant.pipe(inStorableYears);

/** A calendar date or an instant: `occurred` may be known only to the day. */
export const dateOrInstant = z.union([z.iso.date(), utcInstant]).pipe(inStorableYears);

export const countryCode = z.string().regex(COUNTRY_CODE.pattern, COUNTRY_CODE.message);

/** For @ApiBody: the same schema the route validates with, as OpenAPI 3.0. */
export function openApi(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
