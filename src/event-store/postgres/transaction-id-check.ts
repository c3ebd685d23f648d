import { ConfigError } from '../../config/config.js';
import { newClient } from '../../database/pool.js';

/**
 * Refuses a ledger whose events carry transaction ids at or past this server's next one: a
 * logical dump restored into a new cluster, whose counter starts low again. Readers would
 * hold every restored event back, and new events would sort before them and be skipped
 * by every reader already past them (docs/deployment.md, "Backup and restore").
 */
export async function assertTransactionIdsBehindServer(databaseUrl: string): Promise<void> {
  const client = newClient(databaseUrl);
  await client.connect();
  let highest: string | null;
  let next: string;
  try {
    // pg_snapshot_xmax is the next id to be handed out: read without taking one.
    const { rows } = await client.query<{ highest: string | null; next: string }>(
      'SELECT max(transaction_id)::text AS highest, pg_snapshot_xmax(pg_current_snapshot())::text AS next FROM events',
    );
    ({ highest, next } = rows[0]);
  } finally {
    await client.end();
  }
  if (highest !== null && BigInt(highest) >= BigInt(next)) {
    throw new ConfigError(
      `The events table holds transaction ids up to ${highest}, but this PostgreSQL hands out ${next} next: ` +
        'the ledger was restored from a logical dump into another cluster. New events would be ordered before the restored ones and readers would skip them. ' +
        "Before starting the service, move the cluster's transaction counter past them with pg_resetwal -e, as docs/deployment.md describes (Backup and restore).",
    );
  }
}
