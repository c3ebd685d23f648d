import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import pg from 'pg';
import { Public } from '../auth/access.decorators.js';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.js';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(pg.Pool) private readonly pool: pg.Pool, // a type alias under ESM: no runtime type to inject by
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness (the process answers) and readiness (its database and event store answer); 503 when not ready.' })
  async health(@Res() reply: FastifyReply): Promise<void> {
    const [database, eventStore] = await Promise.all([
      check(() => this.pool.query('SELECT 1')),
      check(() => this.store.readAll({ maxCount: 1 })),
    ]);
    const ready = database.status === 'up' && eventStore.status === 'up';
    void reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', live: true, ready, checks: { database, eventStore } });
  }
}

async function check(probe: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
