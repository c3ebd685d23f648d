import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import pg from 'pg';
import { ApiKeys, type Principal } from '../../auth/api-keys.js';
import { GroupCommit } from '../../common/group-commit.js';
import { linkedAbort } from '../../common/linked-abort.js';
import { whileLeader } from '../../database/leadership.js';
import { TimelineWording } from '../../incidents/queries/timeline-wording.js';
import { ReadModelChanges } from '../../projections/read-model-changes.js';
import type { Attempt } from '../alert-api.js';
import { alertsWorded, DELIVERY_COLUMNS, type DeliveryRow } from '../alert-responses.js';
import type { Alert } from '../domain/alerts.js';
import { givenUp, retryDelayMs, type RetryPolicy } from './retry-schedule.js';
import { sendWebhook, type SendOptions } from './send-webhook.js';

export const WEBHOOK_OPTIONS = Symbol('WebhookOptions');
export type WebhookOptions = SendOptions & RetryPolicy & { lockRetryMs?: number };

/** Deliveries under way at once, each to a different subscription. */
const MAX_IN_FLIGHT = 64;
/** Attempts recorded in one statement at most, and such statements under way at once. */
const ATTEMPT_GROUPS = { largestGroup: MAX_IN_FLIGHT, groupsInFlight: 1 };
/**
 * A head whose attempt could not be recorded (the database away) waits this long before it is
 * sent again: without the record, its backoff would not hold it back.
 */
const UNRECORDED_WAIT_MS = 5_000;
/** Idle, the deliverer looks again this often: a retry may have fallen due. */
const IDLE_WAKE_MS = 500;

/** The head of a subscription's queue: its oldest delivery not yet taken, with where and how to send it. */
type Head = DeliveryRow & { failures: number; url: string; secret: string; owner: string };

/** An attempt to record, and when to try again should it have failed. */
type Outcome = Attempt & { id: string; delivered: boolean; retryInMs: number };

/**
 * Delivers the webhooks' alerts from the outbox (src/alerts/alert-outbox.ts), at least once
 * and in order per subscription: a subscription's next alert is sent only once the one
 * before it was taken. One process delivers at a time (an advisory lock, as for the
 * projections); a process that takes over resumes from the outbox, so an alert sent but
 * not yet marked delivered when its process died is sent again, with the same webhook-id.
 * A failed delivery is tried again with backoff (retry-schedule.ts); one still failing after
 * the retry period pauses its subscription, and its owner finds a notice among their alerts.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger('Webhooks');
  private readonly stopping = new AbortController();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Subscriptions whose head's attempt went unrecorded, until when they wait. */
  private readonly unrecorded = new Map<string, number>();
  private running?: Promise<void>;
  private wake?: () => void;
  /** Whether nudge() was called since the loop last looked for due heads. */
  private nudged = false;
  /** Whether this process holds the deliverer's lock now. */
  leading = false;

  constructor(
    // @types/pg makes pg.Pool a type alias under ESM: tsc emits no runtime type to inject by.
    @Inject(pg.Pool) private readonly pool: pg.Pool,
    private readonly wording: TimelineWording,
    private readonly changes: ReadModelChanges,
    private readonly keys: ApiKeys,
    @Inject(WEBHOOK_OPTIONS) private readonly options: WebhookOptions,
  ) {}

  /** Delivers in the background until stop(), whenever this process holds the lock. */
  start(): void {
    const leadership = { lockName: 'incident-ledger:webhooks', role: 'webhook deliverer', retryMs: this.options.lockRetryMs ?? 1000, logger: this.logger, signal: this.stopping.signal };
    this.running ??= whileLeader(this.pool, leadership, (active) => this.lead(active));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.nudge();
    await this.running;
  }

  /** New alerts may be due (a redelivery asked for, a subscription resumed): look now rather than at the next wake. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private async lead(active: AbortSignal): Promise<void> {
    this.leading = true;
    // A batch of the incident view may have written alerts.
    const unsubscribe = this.changes.subscribe(({ projections }) => {
      if (projections.includes('incident-view') || projections.includes('*')) this.nudge();
    });
    try {
      while (!active.aborted) {
        this.nudged = false;
        const started = this.inFlight.size < MAX_IN_FLIGHT ? await this.startDue() : 0;
        // Nudged while it looked: alerts written, or a lane freed, since the heads were read.
        if ((started === 0 && !this.nudged) || this.inFlight.size >= MAX_IN_FLIGHT) await this.sleep(active);
      }
    } finally {
      unsubscribe();
      await Promise.allSettled(this.inFlight.values());
      this.leading = false;
    }
  }

  /** Until nudged (a delivery finished, alerts were written), aborted, or IDLE_WAKE_MS passed. */
  private async sleep(active: AbortSignal): Promise<void> {
    const waiting = linkedAbort(active, IDLE_WAKE_MS);
    this.wake = waiting.abort;
    if (!waiting.signal.aborted) await new Promise((resolve) => waiting.signal.addEventListener('abort', resolve, { once: true }));
    waiting.release();
  }

  /** Starts sending the due heads of the subscriptions with nothing under way; how many. */
  private async startDue(): Promise<number> {
    const { rows } = await this.pool.query<Head>(
      `SELECT ${DELIVERY_COLUMNS}, delivery.failures, subscription.url, subscription.secret, subscription.owner
         FROM subscriptions subscription
        CROSS JOIN LATERAL (SELECT * FROM alert_deliveries delivery
                             WHERE delivery.subscription_id = subscription.id AND delivery.status = 'pending'
                             ORDER BY delivery.seq LIMIT 1) delivery
        WHERE subscription.target_kind = 'webhook' AND subscription.status = 'active'
          AND delivery.next_attempt_at <= now() AND subscription.id <> ALL ($1::uuid[])
        ORDER BY delivery.next_attempt_at
        LIMIT $2`,
      [[...this.inFlight.keys(), ...this.waitingUnrecorded()], MAX_IN_FLIGHT - this.inFlight.size],
    );
    const bodies = await this.bodiesOf(rows);
    for (const head of rows) {
      const body = bodies.get(head.id);
      const lane = (body === undefined ? this.pause(head, `its owner's API key (${head.owner}) is no longer configured`) : this.deliver(head, body))
        .catch((error: unknown) => {
          this.unrecorded.set(head.subscription_id, Date.now() + UNRECORDED_WAIT_MS);
          this.logger.warn(`Delivery ${head.id} of subscription ${head.subscription_id} not recorded, tried again in ${UNRECORDED_WAIT_MS / 1000} s: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.inFlight.delete(head.subscription_id);
          this.nudge();
        });
      this.inFlight.set(head.subscription_id, lane);
    }
    return rows.length;
  }

  /** The subscriptions whose head's attempt went unrecorded a moment ago. */
  private waitingUnrecorded(): string[] {
    const now = Date.now();
    for (const [subscriptionId, until] of this.unrecorded) if (until <= now) this.unrecorded.delete(subscriptionId);
    return [...this.unrecorded.keys()];
  }

  /**
   * What each head's POST says: its alert worded as its owner may be shown it now (the key's
   * current role), with one wording per owner. None for an owner whose key is gone.
   */
  private async bodiesOf(heads: readonly Head[]): Promise<Map<string, string>> {
    const byOwner = new Map<string, Head[]>();
    for (const head of heads) byOwner.set(head.owner, [...(byOwner.get(head.owner) ?? []), head]);
    const bodies = new Map<string, string>();
    for (const [name, owned] of byOwner) {
      const owner: Principal | undefined = this.keys.principalNamed(name);
      if (!owner) continue;
      for (const { id, seq: _seq, createdAt: _createdAt, ...data } of await alertsWorded(owned, owner, this.wording, 'webhook delivery')) {
        const type = `incident.${data.kind === 'incident_changed' ? 'changed' : data.kind}`;
        bodies.set(id, JSON.stringify({ type, timestamp: new Date().toISOString(), data: { id, ...data } }));
      }
    }
    return bodies;
  }

  /**
   * One attempt at a head, and what it leaves: delivered, due again later, or its
   * subscription paused. The lane stays taken until the attempt is recorded: the head is
   * not picked again meanwhile.
   */
  private async deliver(head: Head, body: string): Promise<void> {
    const { delivered, ...attempt } = await sendWebhook({ url: head.url, secret: head.secret, id: head.id, body }, this.options);
    const recorded = await this.attempts.add({ id: head.id, delivered, ...attempt, retryInMs: retryDelayMs(head.failures + 1, this.options) });
    // Judged by the row as recorded: a resume or redelivery meanwhile started its period afresh.
    if (!delivered && recorded && givenUp(recorded.firstAttemptAt, new Date(), this.options)) {
      await this.pause(head, `deliveries to ${head.url} failed for ${duration(this.options.retryForMs)}; the last attempt: ${attempt.error ?? `status ${attempt.statusCode}`}`);
    }
  }

  /** The attempts of every lane, recorded together: one statement however many finished meanwhile. */
  private readonly attempts = new GroupCommit<Outcome, { firstAttemptAt: Date } | undefined>(async (outcomes) => {
    const { rows } = await this.pool.query<{ id: string; first_attempt_at: Date }>(
      `WITH outcome AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS outcome
                  (id uuid, delivered boolean, at timestamptz, "statusCode" integer, "latencyMs" integer, error text, "responseExcerpt" text, "retryInMs" integer)),
       delivery AS (
         UPDATE alert_deliveries delivery
            SET attempts = delivery.attempts + 1,
                failures = CASE WHEN outcome.delivered THEN 0 ELSE delivery.failures + 1 END,
                first_attempt_at = coalesce(delivery.first_attempt_at, outcome.at),
                status = CASE WHEN outcome.delivered THEN 'delivered' ELSE 'pending' END,
                delivered_at = CASE WHEN outcome.delivered THEN now() END,
                next_attempt_at = now() + make_interval(secs => outcome."retryInMs" / 1000.0)
           FROM outcome
          WHERE delivery.id = outcome.id AND delivery.status = 'pending'
          RETURNING delivery.id, delivery.attempts, delivery.first_attempt_at),
       attempt AS (
         INSERT INTO alert_delivery_attempts (delivery_id, attempt, at, status_code, latency_ms, error, response_excerpt)
         SELECT delivery.id, delivery.attempts, outcome.at, outcome."statusCode", outcome."latencyMs", outcome.error, outcome."responseExcerpt"
           FROM delivery JOIN outcome USING (id))
       SELECT id, first_attempt_at FROM delivery`,
      [JSON.stringify(outcomes)],
    );
    // Not recorded: delivered meanwhile, by another process.
    const recorded = new Map(rows.map((row) => [row.id, { firstAttemptAt: row.first_attempt_at }]));
    return outcomes.map((outcome) => recorded.get(outcome.id));
  }, ATTEMPT_GROUPS);

  /** Gives up on the subscription for now: paused, with a notice to its owner's alerts. Its deliveries wait for a resume. */
  private async pause(head: Head, reason: string): Promise<void> {
    const notice: Alert = { kind: 'subscription_paused', triggers: [], headline: `Your webhook subscription was paused: ${reason}. Resume it once that is put right.`, changes: [] };
    const { rowCount } = await this.pool.query(
      `WITH paused AS (
         UPDATE subscriptions SET status = 'paused', paused_reason = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND status = 'active' RETURNING id)
       INSERT INTO alert_deliveries (id, subscription_id, target_kind, alert, status, delivered_at)
       SELECT $3, id, 'desk', $4, 'delivered', now() FROM paused`,
      [head.subscription_id, reason, randomUUID(), JSON.stringify(notice)],
    );
    if (rowCount) {
      // Not the reason, which names the URL: a URL may carry a secret of the receiver's.
      this.logger.warn(`Subscription ${head.subscription_id} of ${head.owner} paused`);
      void this.changes.announce({ projections: ['alerts'], streams: [] });
    }
  }
}

/** "24 hours", "10 minutes", "1 second". */
function duration(ms: number): string {
  const [amount, unit] = ms >= 3_600_000 ? [ms / 3_600_000, 'hour'] : ms >= 60_000 ? [ms / 60_000, 'minute'] : [ms / 1000, 'second'];
  const rounded = Math.round(amount * 10) / 10;
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}
