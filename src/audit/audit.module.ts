import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';

// The tamper-evident log's routes (docs/audit.md). The sealer and the signing key are made
// in createApp, like the projection runner, and come from the InfrastructureModule.
@Module({
  controllers: [AuditController],
  providers: [AuditLog, AuditVerifier],
})
export class AuditModule {}
