import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { RequiresRole } from '../../auth/access.decorators.js';
import type { AuthenticatedRequest } from '../../auth/api-key.guard.js';
import { newId, type WriteRequest } from '../../event-store/handle-command.js';
import { ApiQueryParams } from '../../http/api-query-params.decorator.js';
import { EntityId } from '../../http/entity-id.pipe.js';
import { Valid } from '../../http/validation.js';
import { etag, sendWrite, Write } from '../../http/write-request.js';
import { WriteRoute } from '../../http/write-route.decorator.js';
import { ExecuteSourceCommand } from '../commands/execute-source-command.js';
import { GetSourceAccessLogQuery } from '../queries/get-source-access-log/get-source-access-log.handler.js';
import { GetSourceQuery } from '../queries/get-source/get-source.handler.js';
import { ListSourcesQuery, type SourceListing } from '../queries/list-sources/list-sources.handler.js';
import { EraseSourceRequest, ListSourcesParams, ListSourcesRequest, RegisterSourceRequest, ReviseSourceRequest, SourceAccessLogQuery } from './source.requests.js';

@ApiTags('sources')
@Controller('sources')
export class SourcesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @WriteRoute('Register a source: a claimant or a conduit of claims.', RegisterSourceRequest)
  async register(@Body(new Valid(RegisterSourceRequest)) body: z.output<typeof RegisterSourceRequest>, @Write() request: WriteRequest, @Res() reply: FastifyReply) {
    const { id = newId(request, 'source'), ...data } = body;
    sendWrite(reply, await this.commands.execute(new ExecuteSourceCommand({ type: 'RegisterSource', data: { sourceId: id, ...data } }, request)));
  }

  @Patch(':sourceId')
  @WriteRoute('Revise a source’s description; give the fields that change and a reason.', ReviseSourceRequest)
  async revise(
    @Param('sourceId', EntityId) sourceId: string,
    @Body(new Valid(ReviseSourceRequest)) body: z.output<typeof ReviseSourceRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    sendWrite(reply, await this.commands.execute(new ExecuteSourceCommand({ type: 'ReviseSource', data: { sourceId, ...body } }, request)));
  }

  @Post(':sourceId/erasure')
  @WriteRoute(
    'Erase a source (admins): its key is destroyed, so its name, aliases, description and its statements’ words can no longer be read by anyone, on any route, for good; it is shown as “erased source” and takes no more claims or statements. The events stay, and every signature and proof still verifies (docs/audit.md).',
    EraseSourceRequest,
    'admin',
  )
  async erase(
    @Param('sourceId', EntityId) sourceId: string,
    @Body(new Valid(EraseSourceRequest)) body: z.output<typeof EraseSourceRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    sendWrite(reply, await this.commands.execute(new ExecuteSourceCommand({ type: 'EraseSource', data: { sourceId, ...body } }, request)));
  }

  // Readers and auditors see confidential sources without their names (src/auth/confidentiality.ts), so the
  // queries are told who asks.
  @Get()
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sources in registration order, filtered by kind or by part of a name or alias (`{ items, nextCursor }`).' })
  @ApiQueryParams(ListSourcesParams)
  list(@Query(new Valid(ListSourcesRequest, 'query')) listing: SourceListing, @Req() request: AuthenticatedRequest) {
    return this.queries.execute(new ListSourcesQuery(listing, request.principal));
  }

  @Get(':sourceId')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A source and its track record: claims made, amended, retracted, disputed or supported by others, graded by the desk; incidents involved.' })
  async get(@Param('sourceId', EntityId) sourceId: string, @Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const source = await this.queries.execute(new GetSourceQuery(sourceId, request.principal));
    void reply.header('etag', etag(source.version));
    return source;
  }

  @Get(':sourceId/access-log')
  @RequiresRole('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Who was shown this confidential source’s identity: each time, the key’s name, the route and when, newest first (`{ sourceId, entries, nextBefore }`).',
    description: 'Recorded for every answer that names a confidential source to an editor or admin: the source, the sources list, incident views (now and as of any time), timelines and exports. Append-only.',
  })
  @ApiQueryParams(SourceAccessLogQuery)
  accessLog(@Param('sourceId', EntityId) sourceId: string, @Query(new Valid(SourceAccessLogQuery, 'query')) query: z.output<typeof SourceAccessLogQuery>) {
    return this.queries.execute(new GetSourceAccessLogQuery(sourceId, query.limit, query.before));
  }
}
