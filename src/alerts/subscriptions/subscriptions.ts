import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import type { z } from 'zod';
import type { Principal } from '../../auth/api-keys.js';
import { DomainError } from '../../common/domain-error.js';
import { WrongExpectedRevisionError } from '../../event-store/event-store.js';
import { RequestValidationError } from '../../http/problem.js';
import { TimelineWording } from '../../incidents/queries/timeline-wording.js';
import type { AlertResponse, Attempt, DeliveryResponse, Page, SubscriptionResponse, Target } from '../alert-api.js';
import { alertsWorded, DELIVERY_COLUMNS, type DeliveryRow } from '../alert-responses.js';
import { targetRefusal } from '../delivery/safe-target.js';
import { WEBHOOK_OPTIONS, WebhookDeliverer, type WebhookOptions } from '../delivery/webhook-deliverer.js';
import type { SubscriptionFilters, Trigger } from '../domain/alerts.js';
import type { CreateSubscriptionRequest, UpdateSubscriptionRequest } from '../http/subscription.requests.js';

interface SubscriptionRow {
  id: string;
  version: number;
  owner: string;
  target_kind: 'desk' | 'webhook';
  url: string | null;
  filters: SubscriptionFilters;
  triggers: Trigger[];
  description: string | null;
  status: 'active' | 'paused';
  paused_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Subscriptions one key may hold: each is matched against every event the incident view folds,
 * and the alerts of one batch are built in the projecting process's memory.
 */
const MAX_SUBSCRIPTIONS_PER_KEY = 1000;

/** Longer than any transaction that writes alerts stays open: a row it wrote is committed by then. */
export const LOOK_BACK_SECONDS = 30;
const RESUMED_PAGE = 100;

const COLUMNS = 'id, version, owner, target_kind, url, filters, triggers, description, status, paused_reason, created_at, updated_at';

/**
 * Subscriptions (issue 15): configuration kept per API key, not facts of the ledger. Each key
 * sees and manages its own; admins, all. Changes follow If-Match like every write, and a
 * change of filters or triggers applies to events recorded from then on (Watch.since).
 */
@Injectable()
export class Subscriptions {
  constructor(
    @Inject(pg.Pool) private readonly pool: pg.Pool,
    private readonly wording: TimelineWording,
    private readonly deliverer: WebhookDeliverer,
    @Inject(WEBHOOK_OPTIONS) private readonly webhooks: WebhookOptions,
  ) {}

  /** Subscribes `owner`; a webhook's secret is answered here only. A retry under the same id finds the first. */
  async create(owner: Principal, id: string, request: z.output<typeof CreateSubscriptionRequest>): Promise<{ id: string; version: number; secret?: string }> {
    const target = this.checked(request.target);
    const { rows: held } = await this.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM subscriptions WHERE owner = $1 AND id <> $2', [owner.name, id]);
    if (held[0].count >= MAX_SUBSCRIPTIONS_PER_KEY) {
      throw new DomainError('conflict', 'too_many_subscriptions', `A key may hold ${MAX_SUBSCRIPTIONS_PER_KEY} subscriptions; delete one, or widen the filters of one you hold.`);
    }
    const secret = target.kind === 'webhook' ? `whsec_${randomBytes(24).toString('base64')}` : null;
    const now = new Date().toISOString();
    await this.pool.query(
      `INSERT INTO subscriptions (id, version, owner, target_kind, url, secret, filters, triggers, description, status, since, created_at, updated_at)
       VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $9, $9)
       ON CONFLICT (id) DO NOTHING`,
      [id, owner.name, target.kind, target.kind === 'webhook' ? target.url : null, secret, request.filters, request.triggers, request.description ?? null, now],
    );
    const { rows } = await this.pool.query<{ owner: string; version: number; secret: string | null }>('SELECT owner, version, secret FROM subscriptions WHERE id = $1', [id]);
    if (rows[0]?.owner !== owner.name) throw new DomainError('conflict', 'subscription_exists', `A subscription ${id} exists already; choose another id.`, 'id');
    return { id, version: rows[0].version, ...(rows[0].secret !== null && { secret: rows[0].secret }) };
  }

  /** The viewer's subscriptions (an admin's: everyone's), oldest first. */
  async list(viewer: Principal): Promise<SubscriptionResponse[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE owner = $1 OR $2 ORDER BY created_at, id`, [viewer.name, viewer.role === 'admin']);
    return rows.map(toResponse);
  }

  async get(viewer: Principal, id: string): Promise<SubscriptionResponse> {
    return toResponse(await this.visible(viewer, id));
  }

  /** Applies `changes` at the version If-Match names (when given); a resume sends the alerts that waited. */
  async update(viewer: Principal, id: string, expected: number | undefined, changes: z.output<typeof UpdateSubscriptionRequest>): Promise<{ id: string; version: number }> {
    const current = await this.visible(viewer, id);
    if (expected !== undefined && expected !== current.version) throw new WrongExpectedRevisionError(`subscription ${id}`, expected, current.version);
    const target = changes.target && this.checked(changes.target);
    if (target && target.kind !== current.target_kind) {
      throw new DomainError('conflict', 'target_kind_fixed', `A ${current.target_kind} subscription stays one; subscribe anew for ${target.kind === 'desk' ? 'the desk' : 'a webhook'}.`, 'target.kind');
    }
    const resumed = changes.status === 'active' && current.status === 'paused';
    const { rows } = await this.pool.query<{ version: number }>(
      `WITH changed AS (
         UPDATE subscriptions
            SET version = version + 1, updated_at = now(),
                url = coalesce($3, url),
                filters = coalesce($4, filters),
                triggers = coalesce($5, triggers),
                description = CASE WHEN $6 THEN $7 ELSE description END,
                status = coalesce($8, status),
                paused_reason = CASE WHEN $8 IS NULL THEN paused_reason END,
                since = CASE WHEN $4::jsonb IS NOT NULL OR $5::text[] IS NOT NULL THEN $10 ELSE since END
          WHERE id = $1 AND version = $2
          RETURNING version),
       waiting AS (
         UPDATE alert_deliveries SET first_attempt_at = NULL, failures = 0, next_attempt_at = now()
          WHERE $9 AND subscription_id = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM changed))
       SELECT version FROM changed`,
      [
        id,
        current.version,
        target?.kind === 'webhook' ? target.url : null,
        changes.filters ?? null,
        changes.triggers ?? null,
        changes.description !== undefined,
        changes.description ?? null,
        changes.status ?? null,
        resumed,
        // The service's clock, as for create and for the events' recordedAt: not the database's.
        new Date().toISOString(),
      ],
    );
    // Changed meanwhile: a 412 under If-Match, otherwise applied to what it is now.
    if (rows.length === 0) return this.update(viewer, id, expected, changes);
    if (resumed) this.deliverer.nudge();
    return { id, version: rows[0].version };
  }

  /** Ends the subscription, and with it its alerts and their delivery log. */
  async remove(viewer: Principal, id: string, expected: number | undefined): Promise<void> {
    const current = await this.visible(viewer, id);
    if (expected !== undefined && expected !== current.version) throw new WrongExpectedRevisionError(`subscription ${id}`, expected, current.version);
    const { rows } = await this.pool.query<{ removed: number }>(
      `WITH removed AS (DELETE FROM subscriptions WHERE id = $1 AND version = $2 RETURNING id),
            deliveries AS (DELETE FROM alert_deliveries WHERE subscription_id IN (SELECT id FROM removed) RETURNING id),
            attempts AS (DELETE FROM alert_delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries))
       SELECT count(*)::int AS removed FROM removed`,
      [id, current.version],
    );
    if (rows[0].removed === 0) return this.remove(viewer, id, expected);
  }

  /** A subscription's deliveries, newest first, each with every attempt at it. */
  async deliveries(viewer: Principal, id: string, limit: number, before: number | undefined): Promise<Page<DeliveryResponse>> {
    const subscription = await this.visible(viewer, id);
    const { rows } = await this.pool.query<DeliveryRow & { status: 'pending' | 'delivered'; delivered_at: Date | null; next_attempt_at: Date; attempts: Attempt[] }>(
      `SELECT ${DELIVERY_COLUMNS}, delivery.status, delivery.delivered_at, delivery.next_attempt_at,
              coalesce((SELECT json_agg(json_build_object('at', attempt.at, 'statusCode', attempt.status_code, 'latencyMs', attempt.latency_ms,
                                                          'error', attempt.error, 'responseExcerpt', attempt.response_excerpt) ORDER BY attempt.attempt)
                          FROM alert_delivery_attempts attempt WHERE attempt.delivery_id = delivery.id), '[]') AS attempts
         FROM alert_deliveries delivery
        WHERE delivery.subscription_id = $1 AND delivery.target_kind = $2 AND delivery.seq < $3
        ORDER BY delivery.seq DESC LIMIT $4`,
      [id, subscription.target_kind, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const page = rows.slice(0, limit);
    const alerts = await alertsWorded(page, viewer, this.wording, 'GET /subscriptions/{subscriptionId}/deliveries');
    const items = page.map((row, index) => ({
      id: row.id,
      seq: Number(row.seq),
      alert: alerts[index],
      status: row.status,
      attempts: row.attempts.map(({ at, statusCode, error, responseExcerpt, latencyMs }) => ({
        at: new Date(at).toISOString(),
        latencyMs,
        ...(statusCode !== null && statusCode !== undefined && { statusCode }),
        ...(error && { error }),
        ...(responseExcerpt && { responseExcerpt }),
      })),
      createdAt: row.created_at.toISOString(),
      ...(row.delivered_at && { deliveredAt: row.delivered_at.toISOString() }),
      ...(row.status === 'pending' && { nextAttemptAt: row.next_attempt_at.toISOString() }),
    }));
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].seq : null };
  }

  /** Sends a webhook's delivery again, in its place in the queue, as if new: its attempts so far stay in the log. */
  async redeliver(viewer: Principal, id: string, deliveryId: string): Promise<void> {
    await this.visible(viewer, id);
    const { rowCount } = await this.pool.query(
      `UPDATE alert_deliveries SET status = 'pending', delivered_at = NULL, first_attempt_at = NULL, failures = 0, next_attempt_at = now()
        WHERE id = $1 AND subscription_id = $2 AND target_kind = 'webhook'`,
      [deliveryId, id],
    );
    if (!rowCount) throw new DomainError('not_found', 'delivery_not_found', `Subscription ${id} has no webhook delivery ${deliveryId}.`);
    this.deliverer.nudge();
  }

  /** The desk's alerts of `viewer`: those of their desk subscriptions, and notices of their subscriptions paused, newest first. */
  async alerts(viewer: Principal, limit: number, before: number | undefined, route: string): Promise<Page<AlertResponse>> {
    const rows = await this.deskAlerts(viewer, { before, limit: limit + 1, newestFirst: true });
    const items = await alertsWorded(rows.slice(0, limit), viewer, this.wording, route);
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].seq : null };
  }

  /**
   * The desk's alerts of `viewer` after `after` (a seq), oldest first, for the live stream;
   * and those after `since` (where a new stream began; a resumed one's floor) written in the last LOOK_BACK_SECONDS
   * but for those it `sent` already. A seq is handed out when its row is
   * written, not when it commits: a notice of the deliverer's may commit before a projection
   * batch holding lower seqs, and the stream would otherwise move past those for good.
   */
  async alertsAfter(viewer: Principal, { after, since, sent }: { after: number; since: number; sent: readonly string[] }, route: string): Promise<AlertResponse[]> {
    return alertsWorded(await this.deskAlerts(viewer, { after, limit: 100, newestFirst: false, lookBack: { after: since, sent } }), viewer, this.wording, route);
  }

  /**
   * Where a stream resumed after alert `seq` stands: when that alert (or the nearest one
   * before it) was written, and the floor it looks back from, below which every alert was
   * written 2 × LOOK_BACK_SECONDS earlier still, and had long committed when the stream that
   * sent `seq` looked. Floor 0, and no time, when there is none.
   */
  async resumedAt(seq: number): Promise<{ writtenAt?: Date; floor: number }> {
    const { rows } = await this.pool.query<{ written_at: Date | null; floor: string | null }>(
      `WITH named AS (SELECT created_at FROM alert_deliveries WHERE seq <= $1 ORDER BY seq DESC LIMIT 1)
       SELECT (SELECT created_at FROM named) AS written_at,
              (SELECT seq FROM alert_deliveries WHERE seq < $1 AND created_at < (SELECT created_at FROM named) - make_interval(secs => $2) ORDER BY seq DESC LIMIT 1) AS floor`,
      [seq, 2 * LOOK_BACK_SECONDS],
    );
    const [{ written_at: writtenAt, floor }] = rows;
    return { ...(writtenAt && { writtenAt }), floor: Number(floor ?? 0) };
  }

  /**
   * The desk's alerts of `viewer` between `floor` and `seq` written from LOOK_BACK_SECONDS
   * before alert `seq` was (`writtenAt`) on, oldest first, a page at a time: those the stream
   * that sent `seq` may not have seen committed (see alertsAfter), which a stream resumed
   * after `seq` sends again. Its client knows the ones it has by their seq.
   */
  async *alertsResumedBefore(viewer: Principal, seq: number, { writtenAt, floor }: { writtenAt?: Date; floor: number }, route: string): AsyncGenerator<AlertResponse[]> {
    for (let after = floor; ; ) {
      const page = await this.deskAlerts(viewer, { before: seq, after: Number.MAX_SAFE_INTEGER, limit: RESUMED_PAGE, newestFirst: false, lookBack: { after, sent: [], from: writtenAt } });
      yield await alertsWorded(page, viewer, this.wording, route);
      if (page.length < RESUMED_PAGE) return;
      after = Number(page[page.length - 1].seq);
    }
  }

  /** The seq of the newest alert in the outbox: a live stream without Last-Event-ID starts after it. */
  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM alert_deliveries');
    return Number(rows[0].seq ?? 0);
  }

  private async deskAlerts(
    viewer: Principal,
    {
      before,
      after,
      limit,
      newestFirst,
      lookBack,
    }: {
      before?: number;
      after?: number;
      limit: number;
      newestFirst: boolean;
      /** Also those after `after` written LOOK_BACK_SECONDS before now (or before `from`) or later, but those `sent`. */
      lookBack?: { after: number; sent: readonly string[]; from?: Date };
    },
  ): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries delivery
        WHERE delivery.subscription_id IN (SELECT id FROM subscriptions WHERE owner = $1) AND delivery.target_kind = 'desk' AND delivery.seq < $2
          AND (delivery.seq > $3 OR (delivery.seq > $5
               AND delivery.created_at > coalesce($8::timestamptz, now()) - make_interval(secs => $6)))
          AND delivery.id <> ALL ($7::uuid[])
        ORDER BY delivery.seq ${newestFirst ? 'DESC' : 'ASC'} LIMIT $4`,
      [viewer.name, before ?? Number.MAX_SAFE_INTEGER, after ?? 0, limit, lookBack?.after ?? Number.MAX_SAFE_INTEGER, LOOK_BACK_SECONDS, lookBack?.sent ?? [], lookBack?.from ?? null],
    );
    return rows;
  }

  /** The subscription, if the viewer may see it: their own, or any to an admin. */
  private async visible(viewer: Principal, id: string): Promise<SubscriptionRow> {
    const { rows } = await this.pool.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row || (row.owner !== viewer.name && viewer.role !== 'admin')) throw new DomainError('not_found', 'subscription_not_found', `No subscription ${id} is yours to see.`);
    return row;
  }

  /** The target, if a webhook may be sent there (safe-target.ts). */
  private checked(target: Target): Target {
    const refusal = target.kind === 'webhook' ? targetRefusal(new URL(target.url), this.webhooks.allowedHosts) : undefined;
    if (refusal) throw new RequestValidationError([{ field: 'target.url', code: 'webhook_target_refused', message: refusal }]);
    return target;
  }
}

function toResponse(row: SubscriptionRow): SubscriptionResponse {
  return {
    id: row.id,
    version: row.version,
    owner: row.owner,
    target: row.target_kind === 'webhook' ? { kind: 'webhook', url: row.url! } : { kind: 'desk' },
    filters: row.filters,
    triggers: row.triggers,
    ...(row.description !== null && { description: row.description }),
    status: row.status,
    ...(row.paused_reason !== null && { pausedReason: row.paused_reason }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
