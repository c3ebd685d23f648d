import pg from 'pg';

// The only places that make PostgreSQL connections (eslint refuses `new pg.Pool` and
// `new pg.Client` elsewhere). A connection the server ends — a restart, a failover, an
// administrator, the embedded server stopping as a tool exits — emits 'error'; unheard, that
// ends the process. Every pool and client made here has a listener from birth.

// TCP keepalive: a connection whose peer vanished without a word (a failover, a cut
// network) is found dead within about a minute instead of the kernel's two hours, so that a
// leader lock held on it is given up and taken by another process.
const KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 };

/**
 * A connection pool. An idle connection that the server ends is heard by `onIdleError`, and
 * the pool drops it and opens another on demand. (A connection checked out of it has no
 * listener of the pool's: see withConnection.)
 */
export function newPool(connectionString: string, max: number, onIdleError: (error: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, ...KEEPALIVE });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * A connection of its own, outside any pool (connect() it). Its loss is heard by `onError`,
 * or ignored: its next query then fails with the reason.
 */
export function newClient(config: string | pg.ClientConfig, onError: (error: Error) => void = () => undefined): pg.Client {
  const client = new pg.Client({ ...(typeof config === 'string' ? { connectionString: config } : config), ...KEEPALIVE });
  client.on('error', onError);
  return client;
}
