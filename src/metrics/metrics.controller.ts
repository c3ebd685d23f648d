import { Controller, Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AcceptsMetricsToken, RequiresRole } from '../auth/access.decorators.js';
import { Metrics } from './metrics.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @RequiresRole('admin')
  @AcceptsMetricsToken()
  @ApiProduces('text/plain')
  @ApiOperation({
    summary:
      'Prometheus text: HTTP requests by route and status with their latency, appends and conflicts, idempotent replays, projection and audit-log lag, ' +
      'who leads, the connection pools, the event loop and the heap. For an admin key, or the METRICS_TOKEN as the bearer token. ' +
      'Answered from memory: a scrape costs the database nothing.',
  })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.registry.metrics();
    void reply.header('content-type', this.metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  }
}
