import { z } from 'zod';

/** The largest version a read model holds: versions are `integer` columns. */
export const MAX_VERSION = 2 ** 31 - 1;

const DIGITS = /^[0-9]+$/;

/**
 * A whole number from min to max in a query string, written in decimal digits. Not
 * z.coerce.number(): it reads `?version=` as 0, and '1e3' or '0x10' as numbers. Give a
 * default with .prefault(n): the OpenAPI document leaves out a .default(n) after a preprocess.
 */
export function queryInteger(min: number, max: number) {
  return z.preprocess(
    (raw) => (typeof raw === 'string' && DIGITS.test(raw) ? Number(raw) : raw),
    // max first, and final: a number of 20 digits breaks one rule, not also "safe integer".
    z
      .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined) })
      .max(max, { abort: true })
      .min(min)
      .int(),
  );
}
