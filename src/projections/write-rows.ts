import type { EntityManager } from 'typeorm';

/**
 * Runs `statement` with `rows` as its first parameter, one JSON array (read in SQL with
 * jsonb_to_recordset($1::jsonb)), and `more` after it; nothing when there are no rows.
 * A batched projection writes each of its tables with one such statement per batch.
 */
export async function writeRows(manager: EntityManager, statement: string, rows: readonly object[], ...more: unknown[]): Promise<void> {
  if (rows.length > 0) await manager.query(statement, [JSON.stringify(rows), ...more]);
}
