import type { Statement } from './projection.js';

/**
 * A projection's write of `rows` to one table: `sql` takes them as its first parameter, one
 * JSON array (read in SQL with jsonb_to_recordset($1::jsonb)), and `more` after it; none when
 * there are no rows. Each table is written with one such statement per batch.
 */
export function rowsWritten(sql: string, rows: readonly object[], ...more: unknown[]): Statement[] {
  return rows.length > 0 ? [{ sql, params: [JSON.stringify(rows), ...more] }] : [];
}
