import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Inject, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import pg from 'pg';
import { type Observable, of } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/api-key.guard.js';
import { canonicalJson } from '../common/canonical-json.js';
import { Metrics } from '../metrics/metrics.js';
import { HttpProblem, RequestValidationError } from './problem.js';

// Idempotency-Key on a write (POST or PATCH): the first request with a key runs; every
// later request with the same key and body gets the first one's response; the same key with
// another body is a 422. Keys are scoped to the API key's principal.
// A refused request (4xx) appended nothing: it frees its key for the corrected request. One
// whose outcome is unknown (5xx: the database went away mid-write, perhaps after the
// commit) keeps its key for the same request only, which runs again as a retry: under the
// ids derived from the key and the request (newId), it finds what its first run stored
// instead of storing it twice. So does a request taking over the key of one whose process
// died before it answered.

interface Claim {
  principal: string;
  key: string;
}

/**
 * A key as one run of its request holds it: `claimedAt` (the row's created_at, to the
 * microsecond) tells this run's hold from a later one's, when a run that outlived
 * ABANDONED_AFTER_SECONDS was taken over; only the holder records the outcome.
 */
export interface HeldKey extends Claim {
  claimedAt: string;
}

/** A held key, and whether a run of this same request may have stored its events already. */
export interface IdempotentRun extends HeldKey {
  requestHash: string;
  retried: boolean;
}

export type IdempotentRequest = AuthenticatedRequest & { idempotency?: IdempotentRun };

type Begun = { kind: 'run'; retried: boolean; claimedAt: string } | { kind: 'replay'; status: number; headers: Record<string, string>; body: string };

/** A pending key older than this belonged to a process that died mid-request: take it over. */
const ABANDONED_AFTER_SECONDS = 60;
const WAIT_FOR_FIRST_MS = 10_000;
const WRITE_METHODS = new Set(['POST', 'PATCH']);
/** The row of a key as one run holds it ($1 principal, $2 key, $3 claimedAt). */
const HELD = 'principal = $1 AND key = $2 AND created_at = $3::timestamptz';
const POLL_MS = 25;

@Injectable()
export class IdempotencyStore {
  // @types/pg makes pg.Pool a type alias under ESM: tsc emits no runtime type to inject by.
  constructor(@Inject(pg.Pool) private readonly pool: pg.Pool) {}

  async begin(claim: Claim, requestHash: string): Promise<Begun> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const { rows } = await this.pool.query<{
        request_hash: string;
        status: number | null;
        headers: Record<string, string> | null;
        body: string | null;
        taken: boolean;
        retried: boolean;
        claimed_at: string;
      }>(
        `WITH inserted AS (
           INSERT INTO idempotency_keys (principal, key, request_hash) VALUES ($1, $2, $3)
           ON CONFLICT (principal, key) DO UPDATE SET created_at = now()
             WHERE idempotency_keys.status IS NULL
               AND idempotency_keys.request_hash = EXCLUDED.request_hash
               AND idempotency_keys.created_at < now() - make_interval(secs => $4)
           -- xmax is 0 on a row this statement inserted, and not on one it took over
           RETURNING request_hash, status, headers, body, true AS taken, xmax <> 0 AS retried, created_at::text AS claimed_at)
         SELECT * FROM inserted
         UNION ALL
         SELECT request_hash, status, headers, body, false, false, created_at::text FROM idempotency_keys
          WHERE principal = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
        [claim.principal, claim.key, requestHash, ABANDONED_AFTER_SECONDS],
      );
      // No row: another request inserted the key after this statement's snapshot; look again.
      const row = rows[0];
      if (row?.taken) return { kind: 'run', retried: row.retried, claimedAt: row.claimed_at };
      if (row && row.request_hash !== requestHash) {
        throw new HttpProblem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request.');
      }
      if (row && row.status !== null) return { kind: 'replay', status: row.status, headers: row.headers ?? {}, body: row.body ?? '' };
      if (Date.now() > deadline) {
        throw new HttpProblem(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still running; retry shortly.', { 'retry-after': '1' });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async complete(held: HeldKey, status: number, headers: Record<string, string>, body: string): Promise<void> {
    await this.pool.query(`UPDATE idempotency_keys SET status = $4, headers = $5, body = $6 WHERE ${HELD}`, [held.principal, held.key, held.claimedAt, status, headers, body]);
  }

  /** A refused request: its key is free for the corrected one. */
  async release(held: HeldKey): Promise<void> {
    await this.pool.query(`DELETE FROM idempotency_keys WHERE ${HELD} AND status IS NULL`, [held.principal, held.key, held.claimedAt]);
  }

  /** A request whose outcome is unknown: its key waits for the same request, which may take it over at once. */
  async leaveForRetry(held: HeldKey): Promise<void> {
    await this.pool.query(`UPDATE idempotency_keys SET created_at = '-infinity' WHERE ${HELD} AND status IS NULL`, [held.principal, held.key, held.claimedAt]);
  }
}

/**
 * Claims the key before the route runs (after the API key guard, so the principal is known)
 * or replays the stored response. Write routes send their reply themselves (sendWrite), so a
 * replay sent here is not sent twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly metrics: Metrics,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const header = request.headers['idempotency-key'];
    if (!WRITE_METHODS.has(request.method) || header === undefined) return next.handle();

    const key = Array.isArray(header) ? header[0] : header;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new RequestValidationError([{ field: 'header.idempotency-key', code: 'invalid_key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    const claim = { principal: request.principal.name, key };
    const requestHash = fingerprint(request);
    const begun = await this.store.begin(claim, requestHash);
    if (begun.kind === 'replay') {
      this.metrics.idempotentReplays.inc();
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      void reply.status(begun.status).headers({ ...begun.headers, 'idempotent-replayed': 'true' }).type('application/json').send(begun.body);
      return of(undefined);
    }
    request.idempotency = { ...claim, requestHash, retried: begun.retried, claimedAt: begun.claimedAt };
    return next.handle();
  }
}

/**
 * What the key stands for: the method, the path and the body, in whatever key order it
 * came. Part of the ids a keyed write makes (newId): change it only with a new namespace there.
 */
function fingerprint(request: IdempotentRequest): string {
  let canonical: string;
  try {
    canonical = canonicalJson({ method: request.method, url: request.url, body: request.body ?? null });
  } catch (error) {
    // A body nested deeper than the call stack: no request of this API is, and this runs
    // before the route's validation would say so.
    if (!(error instanceof RangeError)) throw error;
    throw new RequestValidationError([{ field: 'body', code: 'too_deeply_nested', message: 'nests deeper than any request of this API' }]);
  }
  return createHash('sha256').update(canonical).digest('hex');
}

/** Stores a claimed request's response before it is sent; or, if it failed, frees its key or keeps it for the retry. */
export function recordIdempotentResponses(fastify: FastifyInstance, store: IdempotencyStore): void {
  const logger = new Logger('Idempotency');
  fastify.addHook('onSend', async (request, reply, payload) => {
    const claim = (request as IdempotentRequest).idempotency;
    if (!claim) return payload;
    try {
      if (reply.statusCode >= 200 && reply.statusCode < 300) {
        const etagHeader = reply.getHeader('etag');
        await store.complete(claim, reply.statusCode, etagHeader ? { etag: String(etagHeader) } : {}, String(payload));
      } else if (reply.statusCode >= 500) {
        await store.leaveForRetry(claim);
      } else {
        await store.release(claim);
      }
    } catch (error) {
      // The write itself stands; a retry with this key waits, then is told to retry later.
      logger.error(`Could not record the response for Idempotency-Key of ${claim.principal}: ${String(error)}`);
    }
    return payload;
  });
}
