import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import pg from 'pg';

/** What a projection's committed batch touched: the streams whose events it applied, or all of it (a rebuild). */
export interface ReadModelChange {
  projection: string;
  streams: readonly string[] | 'all';
}

type Listener = (change: ReadModelChange) => void;

const CHANNEL = 'read_model_changes';
// NOTIFY payloads must stay under 8000 bytes; a bigger batch is announced as "all".
const MAX_PAYLOAD = 7_000;
const RECONNECT_MS = 1_000;

/**
 * Tells every process of the service which read-model rows a projection just committed, so
 * that caches of them (IncidentViewCache) forget those rows. In the projecting process the
 * listeners hear it at once, before the batch's commit is reported anywhere; other
 * processes hear it through NOTIFY, a moment later. While this process is not listening
 * (not yet, or the connection dropped) `connected` is false, and caches must not answer
 * from memory: changes made elsewhere meanwhile would go unheard.
 */
export class ReadModelChanges {
  private readonly logger = new Logger('ReadModelChanges');
  private readonly id = randomUUID();
  private readonly listeners = new Set<Listener>();
  private client?: pg.Client;
  private retry?: NodeJS.Timeout;
  private closed = false;
  connected = false;

  constructor(private readonly pool: pg.Pool) {}

  /** Starts listening for other processes' changes, and keeps at it until close(). */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client(this.pool.options);
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.connected = false;
      // Whatever was announced while the connection was down went unheard: forget it all.
      this.emit({ projection: '*', streams: 'all' });
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.start(), RECONNECT_MS);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', ({ payload }) => {
      const { from, ...change } = parseChange(payload);
      if (from !== this.id) this.emit(change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.client !== client) return;
      this.connected = true;
      // A read begun while nobody listened may hold what a change then replaced: not to be kept.
      this.emit({ projection: '*', streams: 'all' });
    } catch (error) {
      this.logger.warn(`Not listening for read-model changes (${String(error)}); caches stay off until it does`);
      lost();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After a batch commits: this process's listeners now, the other processes' through NOTIFY. */
  async announce(change: ReadModelChange): Promise<void> {
    this.emit(change);
    let payload = JSON.stringify({ ...change, from: this.id });
    if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ projection: change.projection, streams: 'all', from: this.id });
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    } catch (error) {
      // Best effort: a process that misses it serves a stale row until the next change.
      this.logger.warn(`Could not announce a change of ${change.projection}: ${String(error)}`);
    }
  }

  private emit(change: ReadModelChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** A NOTIFY payload as announce() writes it; anything else (another sender's) is taken as "all changed". */
function parseChange(payload: string | undefined): ReadModelChange & { from?: string } {
  try {
    const { projection, streams, from } = JSON.parse(payload ?? '') as Partial<ReadModelChange> & { from?: string };
    if (typeof projection === 'string' && (streams === 'all' || Array.isArray(streams))) return { projection, streams, from };
  } catch {
    // not JSON
  }
  return { projection: '*', streams: 'all' };
}
