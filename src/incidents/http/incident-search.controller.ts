import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequiresRole } from '../../auth/access.decorators.js';
import { ApiQueryParams } from '../../http/api-query-params.decorator.js';
import { Valid } from '../../http/validation.js';
import { type IncidentSearch, SearchIncidentsQuery } from '../queries/search-incidents/search-incidents.handler.js';
import { SearchIncidentsParams, SearchIncidentsRequest } from './incident-search.requests.js';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentSearchController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequiresRole('reader')
  @ApiOperation({ summary: 'Search incidents: filters, free text, sort and cursor pagination (`{ items, nextCursor }`).' })
  @ApiQueryParams(SearchIncidentsParams)
  async search(@Query(new Valid(SearchIncidentsRequest, 'query')) search: IncidentSearch, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.type('application/json; charset=utf-8').send(await this.queries.execute(new SearchIncidentsQuery(search, request.url)));
  }
}
