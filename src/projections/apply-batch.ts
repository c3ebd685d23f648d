import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event-store/event-store.js';
import type { Projection, Statement } from './projection.js';

/** Runs one statement, and answers its rows. */
export type Query = <Row>(sql: string, params: readonly unknown[]) => Promise<Row[]>;

/** Statements run by a TypeORM manager: a transaction's, or the data source's. */
export function queryWith(manager: EntityManager): Query {
  return <Row>(sql: string, params: readonly unknown[]) => manager.query<Row[]>(sql, [...params]);
}

/** Where the projections' checkpoints move with the batch's writes: from where they all are, to its last event. */
export interface CheckpointMove {
  from: string | null;
  to: string;
  lastRecordedAt: string | null;
}

/**
 * Applies `events` to `projections`, each the events of its types, in two statements however
 * many projections and tables: their loads as one SELECT, then — once each has folded the
 * batch in memory — their writes as one statement, with the checkpoints `move`s, when given,
 * from where the batch began. Checkpoints moved by someone else meanwhile (a rebuild's swap,
 * another runner) fail the write whole, with StaleBatch, and nothing of it stays. Returns how
 * many events each projection handled.
 */
export async function applyBatch(query: Query, projections: readonly Projection[], events: readonly RecordedEvent[], move?: CheckpointMove): Promise<number[]> {
  const handled = projections.map((projection) => events.filter((event) => projection.eventTypes.includes(event.type)));
  const loading = projections.flatMap((projection, index) => (handled[index].length > 0 ? [{ index, statement: projection.load(handled[index]) }] : []));
  const loaded: unknown[] = [];
  if (loading.length > 0) {
    const combined = combine(loading.map(({ statement }) => statement));
    const [row] = await query<Record<string, unknown>>(`SELECT ${combined.parts.map((sql, part) => `(${sql}) AS p${part}`).join(', ')}`, combined.params);
    loading.forEach(({ index }, part) => (loaded[index] = row[`p${part}`]));
  }
  const writes = projections.flatMap((projection, index) => (handled[index].length > 0 ? projection.fold(handled[index], loaded[index]) : []));
  if (move) writes.push(checkpointsMoved(projections, handled, move));
  if (writes.length === 0) return handled.map((own) => own.length);

  const combined = combine(writes);
  const ctes = combined.parts.map((sql, part) => `w${part} AS (${sql})`);
  const checked = move ? `SELECT require_checkpoints_moved((SELECT count(*) FROM w${ctes.length - 1}), ${projections.length})` : 'SELECT 1';
  try {
    await query(`WITH ${ctes.join(', ')} ${checked}`, combined.params);
  } catch (error) {
    throw (error as { code?: unknown }).code === CHECKPOINTS_MOVED ? new StaleBatch() : error;
  }
  return handled.map((own) => own.length);
}

/** A batch whose checkpoints were moved by someone else while it was applied: nothing of it stayed; read them again. */
export class StaleBatch extends Error {}

/** The SQLSTATE require_checkpoints_moved raises (serialization_failure: try again). */
const CHECKPOINTS_MOVED = '40001';

function checkpointsMoved(projections: readonly Projection[], handled: readonly RecordedEvent[][], { from, to, lastRecordedAt }: CheckpointMove): Statement {
  return {
    // The commit need not wait for the disk: a crash can only lose a batch with its checkpoints.
    sql: `UPDATE projection_checkpoints AS checkpoint
             SET position = $3, events_applied = checkpoint.events_applied + batch.applied, last_recorded_at = $4, updated_at = now()
            FROM unnest($1::text[], $2::int[]) AS batch (name, applied), (SELECT set_config('synchronous_commit', 'off', true)) AS setting
           WHERE checkpoint.name = batch.name AND checkpoint.position IS NOT DISTINCT FROM $5 AND checkpoint.status = 'running'
          RETURNING 1`,
    params: [projections.map(({ name }) => name), handled.map((own) => own.length), to, lastRecordedAt, from],
  };
}

/** Statements made parts of one: each one's $n renumbered after those of the parts before it. */
function combine(statements: readonly Statement[]): { parts: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const parts = statements.map(({ sql, params: own }) => {
    const offset = params.length;
    params.push(...own);
    return sql.replace(/\$(\d+)/g, (_, number: string) => `$${Number(number) + offset}`);
  });
  return { parts, params };
}
