import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { type Listening, listen } from '../../database/listen.js';

const CHANNEL = 'ledger_events';
const ANNOUNCE_INTERVAL_MS = 10;

/**
 * Wake-ups for subscriptions: each store NOTIFYs `ledger_events` after its appends commit,
 * and LISTENs on one connection of its own. Best effort throughout: subscriptions also poll.
 *
 * The append does not NOTIFY inside its own transaction: committing a NOTIFY takes a global
 * lock held through the commit's WAL flush, so appends that NOTIFY commit one at a time
 * (about half the appends per second at 16 clients, measured). Sent afterwards, the NOTIFY
 * stays off the appends' path.
 */
export class LedgerNotifications {
  private readonly doorbells = new Set<Doorbell>();
  private listener?: Listening;
  private listening?: Promise<void>;
  private announcing?: Promise<void>;
  private announceAgain = false;
  private closed = false;

  constructor(private readonly pool: pg.Pool) {}

  /** A doorbell that rings at every notification until it is removed. */
  addDoorbell(): Doorbell {
    const doorbell = new Doorbell();
    this.doorbells.add(doorbell);
    return doorbell;
  }

  removeDoorbell(doorbell: Doorbell): void {
    this.doorbells.delete(doorbell);
  }

  /**
   * Resolves once LISTEN is active, or the attempt failed; a lost or failed connection is
   * tried again at the next call. Subscriptions call it before every read, so a notification
   * that arrives after the read still finds them listening.
   */
  listen(): Promise<void> {
    if (!this.listening && !this.closed) this.listening = this.startListening();
    return this.listening ?? Promise.resolve();
  }

  /** Tells subscribers, in every process, that events were appended. Call after the commit. */
  announce(): void {
    if (this.closed) return;
    // This process's subscribers need not wait for the NOTIFY's round trip (nor its spacing).
    this.doorbells.forEach((doorbell) => doorbell.ring());
    this.announceAgain = true;
    this.announcing ??= this.sendAnnouncements();
  }

  /** Stops listening and lets the last announcement go out; the pool stays open. */
  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    this.listening = undefined;
    await Promise.all([listener?.stop(), this.announcing]);
  }

  private async startListening(): Promise<void> {
    const ring = () => this.doorbells.forEach((doorbell) => doorbell.ring());
    const lost = () => {
      this.listener = undefined;
      this.listening = undefined;
    };
    try {
      const listener = await listen(this.pool, CHANNEL, ring, lost);
      if (this.closed) await listener.stop();
      else this.listener = listener;
    } catch {
      // lost() has made the next listen() try again
    }
  }

  /**
   * Appends that commit while a NOTIFY is in flight share the next one, sent no sooner than
   * ANNOUNCE_INTERVAL_MS after it: under load, each NOTIFY is a transaction of its own that
   * the appends pay for (a fifth of their throughput at 16 clients when sent back to back).
   */
  private async sendAnnouncements(): Promise<void> {
    while (this.announceAgain) {
      this.announceAgain = false;
      const interval = sleep(ANNOUNCE_INTERVAL_MS);
      // A lost notification only delays subscribers until their next poll.
      await this.pool.query("SELECT pg_notify($1, '')", [CHANNEL]).catch(() => undefined);
      if (this.announceAgain) await interval;
    }
    this.announcing = undefined;
  }
}

/** One subscription's wake-up: remembers a ring that came while it was not waiting. */
export class Doorbell {
  private rung = false;
  private stopWaiting?: () => void;

  ring(): void {
    this.rung = true;
    this.stopWaiting?.();
  }

  /** Returns at a ring since the last wait, after `ms`, or when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.rung && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const stop = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          this.stopWaiting = undefined;
          resolve();
        };
        const timer = setTimeout(stop, ms);
        signal.addEventListener('abort', stop);
        this.stopWaiting = stop;
      });
    }
    this.rung = false;
  }
}
