import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import type { MaybeAuthenticatedRequest } from '../auth/api-key.guard.js';
import { roleAllows } from '../auth/roles.js';
import { HealthMonitor } from './health-monitor.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly monitor: HealthMonitor) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Liveness (the process answers) and readiness (database and event store answer, no projection failed); 503 when not ready. ' +
      'Answered from what the service saw of itself within the last seconds, so a load balancer may poll it as often as it likes. ' +
      'With an admin key, `checks` adds the detail: each probe, projection and audit-log lag, the event the audit log refuses (docs/audit.md), ' +
      'whether this process projects and seals, and the oldest open transaction on the server, which holds every reader of the ledger back.',
  })
  health(@Req() request: MaybeAuthenticatedRequest, @Res() reply: FastifyReply): void {
    const snapshot = this.monitor.snapshot();
    const ready = snapshot?.ready ?? false;
    const answer = { status: ready ? 'ready' : 'not_ready', live: true, ready };
    const admin = request.principal !== undefined && roleAllows(request.principal.role, 'admin');
    const { ready: _, ...checks } = snapshot ?? {};
    void reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(admin ? { ...answer, checks } : answer);
  }
}
