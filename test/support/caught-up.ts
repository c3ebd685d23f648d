import type { DataSource } from 'typeorm';
import { decodePosition } from '../../src/event-store/postgres/log-position.js';

/**
 * Whether every projection's checkpoint has reached the last event in the events table.
 * Reads the table directly (PostgreSQL store only): readAll stops at the oldest running
 * transaction of the whole server, which another test file's work can hold back for a
 * moment, so "readAll found nothing more" does not yet mean "everything is projected".
 */
export async function projectionsCaughtUp(dataSource: DataSource): Promise<boolean> {
  const [last] = await dataSource.query<{ transaction_id: string; position: string }[]>(
    'SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
  );
  if (!last) return true;
  const checkpoints = await dataSource.query<{ position: string | null }[]>('SELECT position FROM projection_checkpoints');
  const target = [BigInt(last.transaction_id), BigInt(last.position)];
  return (
    checkpoints.length > 0 &&
    checkpoints.every(({ position }) => {
      if (position === null) return false;
      const { transactionId, position: sequence } = decodePosition(position);
      const at = [BigInt(transactionId), BigInt(sequence)];
      return at[0] > target[0] || (at[0] === target[0] && at[1] >= target[1]);
    })
  );
}

/** Whether the audit log has sealed every row of the events table (for the same reason, not through readAll). */
export async function ledgerSealed(dataSource: DataSource): Promise<boolean> {
  const [{ sealed }] = await dataSource.query<{ sealed: boolean }[]>('SELECT (SELECT count(*) FROM events) = (SELECT count(*) FROM audit_leaves) AS sealed');
  return sealed;
}

/** Polls until `condition` holds, or fails naming what it waited for. */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
