import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public, RequiresRole } from '../auth/access.decorators.js';
import { STORED_EVENTS, type EventStore, type Position } from '../event-store/event-store.js';
import { ApiQueryParams } from '../http/api-query-params.decorator.js';
import { readingFromClientPosition } from '../http/client-position.js';
import { queryInteger } from '../http/query-integer.js';
import { Valid } from '../http/validation.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { AuditLog } from './audit-log.js';
import { AuditSigningKey } from './audit-signing-key.js';
import { AuditVerifier } from './audit-verifier.js';
import { toCheckpointResponse, toProofResponse, toTreeResponse } from './audit.responses.js';

const treeSize = queryInteger(1, Number.MAX_SAFE_INTEGER);

const CheckpointsQuery = z.strictObject({
  before: treeSize.optional().describe('only checkpoints of smaller trees: the `next` of the previous page'),
  limit: queryInteger(1, 1000).prefault(100),
});

const InclusionQuery = z.strictObject({
  // Whether the store could have handed it out is the store's to say (inclusion()).
  position: z.string().min(1).max(100).describe('the event’s ledger position, as GET /ledger gives it'),
  treeSize: treeSize.optional().describe('the tree to prove it in; by default the latest checkpoint’s'),
});

const ConsistencyQuery = z
  .strictObject({
    from: treeSize.describe('the earlier tree size (e.g. of a checkpoint you hold)'),
    to: treeSize.optional().describe('the later tree size; by default the latest checkpoint’s'),
  })
  .refine(({ from, to }) => to === undefined || from <= to, { path: ['from'], message: 'must not be larger than to' });

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(STORED_EVENTS) private readonly store: EventStore,
    private readonly log: AuditLog,
    private readonly key: AuditSigningKey,
    private readonly verifier: AuditVerifier,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get('public-key')
  @Public()
  @ApiOperation({ summary: 'The Ed25519 key that signs the checkpoints and every event (metadata.signature): SPKI PEM and the raw 32 bytes in base64. Anyone may read it.' })
  publicKey() {
    return { algorithm: 'Ed25519', keyId: this.key.keyId, pem: this.key.publicKeyPem, raw: this.key.publicKeyRaw.toString('base64') };
  }

  @Get('checkpoints')
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'Signed checkpoints {treeSize, rootHash, timestamp}, newest first; page on with `before` = `next`.' })
  @ApiQueryParams(CheckpointsQuery)
  async checkpoints(@Query(new Valid(CheckpointsQuery, 'query')) query: z.output<typeof CheckpointsQuery>) {
    const [latest, page] = await Promise.all([this.log.latestCheckpoint(), this.log.checkpoints(query)]);
    return {
      latest: latest ? toCheckpointResponse(latest) : null,
      checkpoints: page.map(toCheckpointResponse),
      next: page.length === query.limit ? page[page.length - 1].treeSize : null,
    };
  }

  @Get('proofs/inclusion')
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'The audit path (RFC 9162 §2.1.3) that proves the event at `position` is a leaf of a sealed tree.' })
  @ApiQueryParams(InclusionQuery)
  async inclusion(@Query(new Valid(InclusionQuery, 'query')) query: z.output<typeof InclusionQuery>) {
    await readingFromClientPosition('query.position', () => this.store.readAll({ after: query.position as Position, maxCount: 1 }));
    const { leaf, tree, auditPath } = await this.log.inclusionProof(query.position, query.treeSize);
    return {
      position: leaf.position,
      eventId: leaf.eventId,
      leafIndex: leaf.leafIndex,
      leafHash: leaf.leafHash.toString('base64'),
      sealedAt: leaf.sealedAt.toISOString(),
      tree: toTreeResponse(tree),
      auditPath: toProofResponse(auditPath),
    };
  }

  @Get('proofs/consistency')
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'The consistency proof (RFC 9162 §2.1.4) that the tree of `to` leaves extends the tree of `from`.' })
  @ApiQueryParams(ConsistencyQuery)
  async consistency(@Query(new Valid(ConsistencyQuery, 'query')) query: z.output<typeof ConsistencyQuery>) {
    const { from, to, proof } = await this.log.consistencyProof(query.from, query.to);
    return { from: toTreeResponse(from), to: toTreeResponse(to), proof: toProofResponse(proof) };
  }

  @Get('verify')
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'Recompute every leaf from the stored events, rebuild the tree and check every checkpoint; names the first position that does not match.' })
  async verify() {
    return this.verifier.verify();
  }

  @Post('replay-check')
  @HttpCode(200)
  @RequiresRole('auditor')
  @ApiOperation({ summary: 'Replay every projection from position zero into scratch tables and compare them with the live tables, row by row; the live tables are only read.' })
  async replayCheck() {
    const projections = [];
    for (const { name } of this.runner.projections) projections.push(await this.runner.replayCheck(name));
    return { differences: projections.reduce((sum, projection) => sum + projection.differences, 0), projections };
  }
}
