import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import pg from 'pg';
import { AuditSealer } from '../audit/audit-sealer.js';
import { Public } from '../auth/access.decorators.js';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.js';
import { ProjectionRunner } from '../projections/projection-runner.js';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(pg.Pool) private readonly pool: pg.Pool, // a type alias under ESM: no runtime type to inject by
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    private readonly sealer: AuditSealer,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Liveness (the process answers) and readiness (database and event store answer, no projection failed), with projection lag; 503 when not ready. ' +
      '`checks.auditLog.refused` names an event the audit log will not seal (docs/audit.md); it does not make the service unready.',
  })
  async health(@Res() reply: FastifyReply): Promise<void> {
    const [database, eventStore, projections, auditLog] = await Promise.all([
      check(() => this.pool.query('SELECT 1')),
      check(() => this.store.readAll({ maxCount: 1 })),
      check(() => this.projections.status()),
      check(() => this.sealer.refused()),
    ]);
    // A failed projection serves stale reads: not ready until it is rebuilt or fixed.
    const failed = projections.value?.filter((projection) => projection.status === 'failed').map((projection) => projection.name) ?? [];
    const ready = database.status === 'up' && eventStore.status === 'up' && projections.status === 'up' && failed.length === 0;
    void reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      live: true,
      ready,
      checks: {
        database: withoutValue(database),
        eventStore: withoutValue(eventStore),
        projections: {
          ...withoutValue(projections),
          failed,
          maxLagEvents: Math.max(0, ...(projections.value?.map((projection) => projection.lag.events) ?? [])),
          maxLagSeconds: Math.max(0, ...(projections.value?.map((projection) => projection.lag.seconds) ?? [])),
        },
        // An alarm for operators, not a reason to stop serving: every replica would say the
        // same, and reads and writes are as sound as before.
        auditLog: { ...withoutValue(auditLog), refused: auditLog.value ?? null },
      },
    });
  }
}

interface Check<T> {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
  value?: T;
}

async function check<T>(probe: () => Promise<T>): Promise<Check<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), value };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function withoutValue<T>({ value: _, ...check }: Check<T>): Omit<Check<T>, 'value'> {
  return check;
}
