import type { DataSource } from 'typeorm';
import type { Projection } from '../../src/projections/projection.js';

/** Every row of every projection's tables, as sorted JSON texts per table: equal snapshots mean equal tables. */
export async function snapshotProjectionTables(dataSource: DataSource, projections: readonly Projection[]): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of projections.flatMap((projection) => projection.tables)) {
    const rows = await dataSource.query<{ row: string }[]>(`SELECT to_jsonb(t)::text AS row FROM public.${table} t ORDER BY 1`);
    snapshot[table] = rows.map(({ row }) => row);
  }
  return snapshot;
}

/** Rows only in one of two snapshots, per table: what a failing comparison prints. */
export function differences(expected: Record<string, string[]>, actual: Record<string, string[]>): Record<string, { missing: string[]; extra: string[] }> {
  const result: Record<string, { missing: string[]; extra: string[] }> = {};
  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = new Set(expected[table] ?? []);
    const got = new Set(actual[table] ?? []);
    const missing = [...want].filter((row) => !got.has(row));
    const extra = [...got].filter((row) => !want.has(row));
    const doubled = (actual[table] ?? []).length - got.size;
    if (missing.length || extra.length || doubled) result[table] = { missing: missing.slice(0, 3), extra: extra.slice(0, 3) };
  }
  return result;
}
