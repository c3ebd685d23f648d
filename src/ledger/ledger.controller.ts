import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequiresRole } from '../auth/access.decorators.js';
import { STORED_EVENTS, type EventStore, type Position } from '../event-store/event-store.js';
import { ApiQueryParams } from '../http/api-query-params.decorator.js';
import { readingFromClientPosition } from '../http/client-position.js';
import { queryInteger } from '../http/query-integer.js';
import { Valid } from '../http/validation.js';
import { toEventResponse } from './recorded-event.response.js';

const LedgerQuery = z.strictObject({
  after: z.string().min(1).max(100).optional().describe('an opaque position from an earlier page'),
  limit: queryInteger(1, 1000).prefault(100),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('ledger')
export class LedgerController {
  constructor(@Inject(STORED_EVENTS) private readonly store: EventStore) {}

  @Get()
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'The global, ordered event log; page on with `after` = the last position read (or `next`).' })
  @ApiQueryParams(LedgerQuery)
  async read(@Query(new Valid(LedgerQuery, 'query')) query: z.output<typeof LedgerQuery>) {
    const events = await readingFromClientPosition('query.after', () => this.store.readAll({ after: query.after as Position | undefined, maxCount: query.limit }));
    return {
      events: events.map(toEventResponse),
      next: events.length === query.limit ? events[events.length - 1].position : null,
    };
  }
}
