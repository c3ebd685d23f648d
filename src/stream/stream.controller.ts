import { Controller, Get, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RequiresRole } from '../auth/access.decorators.js';
import { linkedAbort } from '../common/linked-abort.js';
import { type EventStore, type Position, type RecordedEvent, STORED_EVENTS } from '../event-store/event-store.js';
import { ApiQueryParams } from '../http/api-query-params.decorator.js';
import { readingFromClientPosition } from '../http/client-position.js';
import { uuid } from '../http/schema.js';
import { Stopping } from '../http/stop-serving.js';
import { parseRequest, Valid } from '../http/validation.js';
import { incidentStreamId } from '../incidents/domain/incident.streams.js';

const StreamQuery = z.strictObject({
  incidentId: uuid.optional().describe('follow one incident only'),
  after: z.string().min(1).max(100).optional().describe('a ledger position to start after (as Last-Event-ID); default: from now'),
});

/** Proxies close idle connections; a comment line now and then keeps the stream open. */
const HEARTBEAT_MS = 15_000;

@ApiTags('live')
@ApiBearerAuth()
@Controller('stream')
export class StreamController {
  private readonly logger = new Logger('Stream');

  constructor(
    // Which streams changed is all it tells: the events as stored will do, none of them opened.
    @Inject(STORED_EVENTS) private readonly store: EventStore,
    private readonly stopping: Stopping,
  ) {}

  @Get()
  @RequiresRole('reader')
  @ApiOperation({
    summary:
      'Live changes as Server-Sent Events: one `change` per recorded event (entity, id, version, type, recordedAt), with the ledger position as the event id. ' +
      'Reconnect with Last-Event-ID to resume without gaps; read the changed entity through its GET route.',
  })
  @ApiProduces('text/event-stream')
  @ApiQueryParams(StreamQuery)
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  async stream(@Query(new Valid(StreamQuery, 'query')) query: z.output<typeof StreamQuery>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lastEventId = request.headers['last-event-id'];
    const resumeFrom = typeof lastEventId === 'string' ? parseRequest(z.string().min(1).max(100), lastEventId, 'header', 'last-event-id') : query.after;
    // Checked before the stream opens, so that a bad position is still a 400 problem.
    const after = (resumeFrom as Position | undefined) ?? (await this.store.headPosition());
    const given = typeof lastEventId === 'string' ? 'header.last-event-id' : 'query.after';
    if (after) await readingFromClientPosition(given, () => this.store.readAll({ after, maxCount: 1 }));

    // It ends when its client leaves, or when the service stops: the client reconnects then.
    const ended = linkedAbort(this.stopping.signal);
    request.raw.on('close', ended.abort);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    reply.raw.write(': connected\n\n');
    const heartbeat = setInterval(() => reply.raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const streamId = query.incidentId ? incidentStreamId(query.incidentId) : undefined;
    try {
      for await (const event of this.store.subscribeToAll({ after, signal: ended.signal })) {
        if (streamId && event.streamId !== streamId) continue;
        reply.raw.write(`id: ${event.position}\nevent: change\ndata: ${JSON.stringify(toChange(event))}\n\n`);
      }
    } catch (error) {
      // The response has begun: end it; the client reconnects with Last-Event-ID.
      this.logger.warn(`Live stream ended: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      ended.release();
      clearInterval(heartbeat);
      reply.raw.end();
    }
  }
}

/**
 * What changed, not the event itself: readers follow the stream, and raw events (a
 * confidential source's name, say) are for auditors.
 */
function toChange(event: RecordedEvent) {
  const [entity, ...id] = event.streamId.split('-');
  return { entity, id: id.join('-'), version: event.revision, type: event.type, recordedAt: event.metadata.recordedAt };
}
