import { Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { RequiresRole } from '../../auth/access.decorators.js';
import type { AuthenticatedRequest } from '../../auth/api-key.guard.js';
import { linkedAbort } from '../../common/linked-abort.js';
import { ApiQueryParams } from '../../http/api-query-params.decorator.js';
import { queryInteger } from '../../http/query-integer.js';
import { Stopping } from '../../http/stop-serving.js';
import { parseRequest, Valid } from '../../http/validation.js';
import { ReadModelChanges } from '../../projections/read-model-changes.js';
import type { AlertResponse } from '../alert-api.js';
import { LOOK_BACK_SECONDS, Subscriptions } from '../subscriptions/subscriptions.js';
import { PageRequest } from './subscription.requests.js';

/** Proxies close idle connections; a comment line now and then keeps the stream open. */
const HEARTBEAT_MS = 15_000;
/** A notice written by another process, or an announcement missed, shows within this long. */
const LOOK_AGAIN_MS = 5_000;

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertsController {
  private readonly logger = new Logger('Alerts');

  constructor(
    private readonly subscriptions: Subscriptions,
    private readonly changes: ReadModelChanges,
    private readonly stopping: Stopping,
  ) {}

  @Get()
  @RequiresRole('editor')
  @ApiOperation({ summary: 'The desk’s alerts of this key, newest first: those of its desk subscriptions, and notices of its subscriptions paused (`{ items, nextBefore }`).' })
  @ApiQueryParams(PageRequest)
  list(@Query(new Valid(PageRequest, 'query')) page: z.output<typeof PageRequest>, @Req() request: AuthenticatedRequest) {
    return this.subscriptions.alerts(request.principal, page.limit, page.before, 'GET /alerts');
  }

  @Get('stream')
  @RequiresRole('editor')
  @ApiOperation({ summary: 'The desk’s alerts of this key as Server-Sent Events, as they come: `alert` events with the alert’s seq as id. Reconnect with Last-Event-ID to miss none.' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The seq of the last alert received: the stream resumes after it, first sending again, without an SSE id, the alerts below it written from 30 s before it on (one may have committed late; tell them by seq). Without it, the stream starts from now.' })
  async stream(@Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    // It ends when its client leaves, or when the service stops (the client reconnects then).
    // Listened for first: a client gone while the stream's start is read ends it at once.
    const ended = linkedAbort(this.stopping.signal);
    request.raw.on('close', ended.abort);
    try {
      const lastEventId = request.headers['last-event-id'];
      const resumed = typeof lastEventId === 'string' ? parseRequest(queryInteger(0, Number.MAX_SAFE_INTEGER), lastEventId, 'header', 'last-event-id') : undefined;
      await this.send(request, reply, resumed ?? (await this.subscriptions.lastSeq()), resumed !== undefined, ended.signal);
    } finally {
      ended.release();
    }
  }

  /** The key's alerts after `initial`, as they come, until `ended`; first, when `resumed` after it, those below it the last stream may have missed. */
  private async send(request: AuthenticatedRequest, reply: FastifyReply, initial: number, resumed: boolean, ended: AbortSignal): Promise<void> {
    let after = initial;
    let wake: (() => void) | undefined;
    const unsubscribe = this.changes.subscribe(({ projections }) => {
      if (['incident-view', 'alerts', '*'].some((name) => projections.includes(name))) wake?.();
    });
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    reply.raw.write(': connected\n\n');
    const heartbeat = setInterval(() => reply.raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    // What this stream sent lately, by id, and when: its look-back leaves them out.
    const sent = new Map<string, number>();
    // An id only where the stream moves on: a client resumes after the newest it was sent,
    // and one sent again or late (below it) leaves that as it is.
    const write = (alert: AlertResponse) => {
      reply.raw.write(`${alert.seq > after ? `id: ${alert.seq}\n` : ''}event: alert\ndata: ${JSON.stringify(alert)}\n\n`);
      sent.set(alert.id, Date.now());
      after = Math.max(after, alert.seq);
    };
    try {
      let since = initial;
      if (resumed) {
        // Resumed, it looks back below where it began as well: one of those may commit late too.
        const at = await this.subscriptions.resumedAt(initial);
        since = at.floor;
        for await (const page of this.subscriptions.alertsResumedBefore(request.principal, initial, at, 'GET /alerts/stream')) page.forEach(write);
      }
      while (!ended.aborted) {
        const waiting = linkedAbort(ended, LOOK_AGAIN_MS);
        wake = waiting.abort;
        try {
          for (const alert of await this.subscriptions.alertsAfter(request.principal, { after, since, sent: [...sent.keys()] }, 'GET /alerts/stream')) write(alert);
          for (const [id, at] of sent) if (Date.now() - at > 2 * LOOK_BACK_SECONDS * 1000) sent.delete(id);
          if (!waiting.signal.aborted) await new Promise((resolve) => waiting.signal.addEventListener('abort', resolve, { once: true }));
        } finally {
          waiting.release();
        }
      }
    } catch (error) {
      // The response has begun: end it; the client reconnects with Last-Event-ID.
      this.logger.warn(`Alert stream ended: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      unsubscribe();
      clearInterval(heartbeat);
      reply.raw.end();
    }
  }
}
