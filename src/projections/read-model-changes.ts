import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { type Listening, listen } from '../database/listen.js';

/** What a committed batch touched: the projections it moved and the streams whose events they applied, or all of them (a rebuild). */
export interface ReadModelChange {
  /** `*`: any of them. */
  projections: readonly string[];
  streams: readonly string[] | 'all';
  /**
   * The projections' checkpoint before the batch and after it (absent for a rebuild): one
   * change follows another when its `from` is the other's `to`, so that a listener can tell
   * that an announcement went missing between two it heard.
   */
  from?: string | null;
  to?: string;
}

type Subscriber = (change: ReadModelChange) => void;

const CHANNEL = 'read_model_changes';
// NOTIFY payloads must stay under 8000 bytes; a bigger batch is announced as "all".
const MAX_PAYLOAD = 7_000;
const RECONNECT_MS = 1_000;

/**
 * Tells every process of the service which read-model rows a projection just committed, so
 * that caches of them (IncidentViewCache) forget those rows. In the projecting process the
 * subscribers hear it at once, before the batch's commit is reported anywhere; other
 * processes hear it through NOTIFY, a moment later. While this process is not listening
 * (not yet, or the connection dropped) `connected` is false, and caches must not answer
 * from memory: changes made elsewhere meanwhile would go unheard.
 */
export class ReadModelChanges {
  private readonly logger = new Logger('ReadModelChanges');
  private readonly id = randomUUID();
  private readonly subscribers = new Set<Subscriber>();
  private listener?: Listening;
  private starting?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private closed = false;
  connected = false;

  constructor(private readonly pool: pg.Pool) {}

  /** Starts listening for other processes' changes, and keeps at it until close(). */
  start(): Promise<void> {
    if (this.closed || this.listener) return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const listener = this.listener;
    this.listener = undefined;
    this.connected = false;
    await listener?.stop();
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** After a batch commits: this process's subscribers now, the other processes' through NOTIFY. */
  async announce(change: ReadModelChange): Promise<void> {
    this.emit(change);
    let payload = JSON.stringify({ ...change, sender: this.id });
    if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ ...change, streams: 'all', sender: this.id });
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    } catch (error) {
      // Best effort: a process that misses it serves a stale row until the next change.
      this.logger.warn(`Could not announce a change of ${change.projections.join(', ')}: ${String(error)}`);
    }
  }

  private async listen(): Promise<void> {
    const heard = (payload: string | undefined) => {
      const { sender, ...change } = parseChange(payload);
      if (sender !== this.id) this.emit(change);
    };
    const lost = () => {
      this.listener = undefined;
      this.connected = false;
      // Whatever was announced while the connection was down went unheard: forget it all.
      this.emit(ANY_CHANGE);
      if (!this.closed) this.retry = setTimeout(() => void this.start(), RECONNECT_MS);
    };
    try {
      const listener = await listen(this.pool, CHANNEL, heard, lost);
      if (this.closed) return await listener.stop();
      this.listener = listener;
      this.connected = true;
      // A read begun while nobody listened may hold what a change then replaced: not to be kept.
      this.emit(ANY_CHANGE);
    } catch (error) {
      this.logger.warn(`Not listening for read-model changes (${String(error)}); caches stay off until it does`);
    }
  }

  private emit(change: ReadModelChange): void {
    for (const subscriber of this.subscribers) subscriber(change);
  }
}

/** Anything may have changed. */
const ANY_CHANGE: ReadModelChange = { projections: ['*'], streams: 'all' };

/** A NOTIFY payload as announce() writes it; anything else (another sender's) is taken as "all changed". */
function parseChange(payload: string | undefined): ReadModelChange & { sender?: string } {
  try {
    const { projections, streams, from, to, sender } = JSON.parse(payload ?? '') as Partial<ReadModelChange> & { sender?: string };
    if (Array.isArray(projections) && (streams === 'all' || Array.isArray(streams))) return { projections, streams, from, to, sender };
  } catch {
    // not JSON
  }
  return ANY_CHANGE;
}
