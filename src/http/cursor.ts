import { z } from 'zod';

// Keyset pagination cursors: the last item's sort key and id, opaque to clients
// (base64url of JSON) so that what they hold can change without breaking them. Clients can
// still forge one, so a position is checked down to what its query can bind: a key the
// column cannot hold would fail in PostgreSQL, not as the 400 a bad cursor is.

export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A `cursor` query parameter holding a position of this shape; anything else is a 400 naming it. */
export function cursorParam<T extends z.ZodType>(position: T) {
  return z
    .string()
    .max(1000)
    .transform((text, context): z.output<T> => {
      const parsed = position.safeParse(decoded(text));
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: 'is not a cursor this list handed out', input: text });
      return z.NEVER;
    });
}

// Smallest normal and largest float4: PostgreSQL refuses what rounds to 0 or to infinity.
const FLOAT4_MIN = 2 ** -126;
const FLOAT4_MAX = (2 - 2 ** -23) * 2 ** 127;

/** A timestamptz key as the list writes it (Date#toISOString), in the years 0001..9999. */
export const cursorInstant = z.string().refine(isListedInstant, 'is not an instant of the years 0001 to 9999');

/** A `real` key (a ts_rank): 0, or a positive number PostgreSQL stores without overflow or underflow. */
export const cursorReal = z.number().refine((key) => key === 0 || (key >= FLOAT4_MIN && key <= FLOAT4_MAX), 'is out of range for real');

/** The id that breaks ties between equal keys. */
export const cursorId = z.uuid();

// toISOString also writes the years 0000 (PostgreSQL has no year 0), -000001 and +010000.
const YEARS_0001_TO_9999 = /^(?!0000)[0-9]{4}-/;

function isListedInstant(key: string): boolean {
  const time = Date.parse(key);
  return YEARS_0001_TO_9999.test(key) && !Number.isNaN(time) && new Date(time).toISOString() === key;
}

function decoded(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
