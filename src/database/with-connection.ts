import type pg from 'pg';

/**
 * Runs `work` on a connection of its own from the pool. While a connection is checked out
 * the pool no longer listens for its errors, and one that the server ends between two
 * statements (a restart, an administrator) would be an unheard 'error' event, which ends the
 * process; here it is heard, and the broken connection is discarded, not pooled again.
 * `close` closes it in any case (it holds a session lock, say).
 */
export async function withConnection<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, { close = false } = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const heard = (error: Error) => (broken = error);
  client.on('error', heard);
  try {
    return await work(client);
  } finally {
    client.off('error', heard);
    client.release(close || broken);
  }
}
