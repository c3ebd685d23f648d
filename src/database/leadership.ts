import type { Logger } from '@nestjs/common';
import pg from 'pg';
import { linkedAbort } from '../common/linked-abort.js';
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
 * that also aborts when that connection is lost, and should return then. It is never called
 * with that signal aborted already. When it throws, the lock is given up and sought again
 * after `retryMs`.
 */
export async function whileLeader(pool: pg.Pool, options: LeadershipOptions, lead: (active: AbortSignal) => Promise<void>): Promise<void> {
  while (!options.signal.aborted) {
    await leadIfLocked(pool, options, lead);
    await pause(options.retryMs, options.signal);
  }
}

/** One attempt at the lock; leads while it holds it. */
async function leadIfLocked(pool: pg.Pool, { lockName, role, logger, signal }: LeadershipOptions, lead: (active: AbortSignal) => Promise<void>): Promise<void> {
  const client = await pool.connect().catch(() => undefined);
  if (!client) return;
  // Listening before the lock is asked for: a connection lost at any moment after is heard.
  const active = linkedAbort(signal);
  const lose = () => active.abort();
  client.on('error', lose);
  client.on('end', lose);
  let holding = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockName]);
    holding = rows[0].locked;
    // Stopped, or the connection lost, while the lock was asked for: nothing to begin.
    if (!holding || active.signal.aborted) return;
    logger.log(`This process is the ${role}`);
    await lead(active.signal);
  } catch (error) {
    if (holding) logger.error(`The ${role} paused: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    active.release();
    client.off('error', lose);
    client.off('end', lose);
    // Closed, not returned to the pool, once it held the lock: a pooled connection would keep
    // it. (The pool closes a lost connection by itself.)
    client.release(holding);
  }
}
