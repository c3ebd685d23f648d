import pg from 'pg';

/**
 * A connection pool whose idle connections the server may end — a restart, a network cut,
 * or the embedded server stopping as a tool exits, while the pool's last connections are
 * still closing. Unheard, such an 'error' ends the process; here `onIdleError` hears it,
 * and the pool drops the connection and opens another on demand.
 */
export function newPool(connectionString: string, max: number, onIdleError: (error: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', onIdleError);
  return pool;
}
