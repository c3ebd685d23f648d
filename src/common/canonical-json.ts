/**
 * JSON in the RFC 8785 canonical form (JCS), so that equal values always give the same
 * text whatever order their keys arrived in. Used for fingerprints and for the audit log's
 * leaves, which an outside verifier must reproduce byte for byte (docs/audit.md):
 * - no whitespace;
 * - object keys sorted by their UTF-16 code units (JavaScript's default string order);
 * - numbers as ECMAScript serialises them (`1e+21`, `0.002`, `-0` → `0`); NaN and ±Infinity,
 *   which JSON cannot hold, are refused;
 * - strings escaped as JSON.stringify does: only `"`, `\` and control characters.
 * Written out rather than JSON.stringify of a key-sorted copy: JavaScript objects put
 * integer-like keys ("2", "10") first in numeric order, whatever order they were added in.
 * Properties whose value is undefined are left out, as JSON.stringify leaves them out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`JSON cannot hold the number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`JSON cannot hold a ${typeof value}`);
}
