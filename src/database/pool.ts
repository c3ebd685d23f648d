import pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';

// The only places that make PostgreSQL connections (eslint refuses `new pg.Pool`,
// `new pg.Client` and `new DataSource` elsewhere). A connection the server ends — a restart,
// a failover, an administrator, the embedded server stopping as a tool exits — emits
// 'error'; unheard, that ends the process.

/**
 * A connection that is never without a listener for 'error'. Its owners' listeners come and
 * go — a pool's while it is idle, a query's while it runs, TypeORM's while a query runner
 * holds it — and there are gaps between them: a connection handed out by a pool as it is
 * made has none until its new owner's code runs, and the server may end it in that very
 * moment. Heard here, its next query fails with the reason, and its owner drops it.
 */
class HeardClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

const CONNECTIONS = {
  Client: HeardClient,
  // TCP keepalive: a connection whose peer vanished without a word (a failover, a cut
  // network) is found dead within about a minute instead of the kernel's two hours, so that
  // a leader lock held on it is given up and taken by another process.
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
};

/**
 * A connection pool. An idle connection that the server ends is heard by `onIdleError`, and
 * the pool drops it and opens another on demand.
 */
export function newPool(connectionString: string, max: number, onIdleError: (error: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, ...CONNECTIONS });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * A connection of its own, outside any pool (connect() it). Its loss is heard by `onError`,
 * or only noted: its next query then fails with the reason.
 */
export function newClient(config: string | pg.ClientConfig, onError?: (error: Error) => void): pg.Client {
  const { Client: _, ...options } = CONNECTIONS;
  const client = new HeardClient({ ...(typeof config === 'string' ? { connectionString: config } : config), ...options });
  if (onError) client.on('error', onError);
  return client;
}

/** A TypeORM data source on `url`, initialised, whose pool makes its connections as newPool does. */
export async function openDataSource(url: string, options: Partial<PostgresDataSourceOptions> = {}): Promise<DataSource> {
  return new DataSource({ type: 'postgres', url, logging: ['error'], ...options, extra: { ...CONNECTIONS, ...options.extra } }).initialize();
}
