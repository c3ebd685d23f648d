import type { Logger } from '@nestjs/common';
import pg from 'pg';
import { pause } from '../common/pause.js';

export interface LeadershipOptions {
  /** Names the PostgreSQL advisory lock: one holder among every process on the database. */
  lockName: string;
  /** For the log: "This process is the <role>". */
  role: string;
  /** Wait between attempts while another process holds the lock, and after `lead` failed. */
  retryMs: number;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Runs `lead` whenever this process holds the lock, until `signal` aborts: background work
 * that one process at a time must do. The lock is held on a connection of its own: when its
 * holder dies, the connection closes and another process takes over. `lead` gets a signal
 * that also aborts when that connection is lost, and should return then. When it throws,
 * the lock is given up and sought again after `retryMs`.
 */
export async function whileLeader(pool: pg.Pool, options: LeadershipOptions, lead: (active: AbortSignal) => Promise<void>): Promise<void> {
  const { signal, logger } = options;
  while (!signal.aborted) {
    const lock = await tryLock(pool, options.lockName);
    if (!lock) {
      await pause(options.retryMs, signal);
      continue;
    }
    const lost = new AbortController();
    const loseLock = () => lost.abort();
    lock.on('error', loseLock);
    lock.on('end', loseLock);
    logger.log(`This process is the ${options.role}`);
    try {
      await lead(AbortSignal.any([signal, lost.signal]));
    } catch (error) {
      logger.error(`The ${options.role} paused: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      lock.off('error', loseLock);
      lock.off('end', loseLock);
      // Closed, not returned to the pool: a pooled connection would keep the lock.
      lock.release(true);
    }
    await pause(options.retryMs, signal);
  }
}

async function tryLock(pool: pg.Pool, name: string): Promise<pg.PoolClient | undefined> {
  const client = await pool.connect().catch(() => undefined);
  if (!client) return undefined;
  // A checked-out connection has no 'error' listener of the pool's; an unheard one ends the process.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name]);
    if (rows[0].locked) return client; // closed, not pooled, when given up: `ignore` goes with it
    client.off('error', ignore);
    client.release();
  } catch {
    client.off('error', ignore);
    client.release(true);
  }
  return undefined;
}
