import { EventStoreSchema1732500000000 } from '../../migrations/1732500000000-event-store-schema.js';
import { IdempotencyKeys1732500001000 } from '../../migrations/1732500001000-idempotency-keys.js';
import { ProjectionCheckpoints1732500002000 } from '../../migrations/1732500002000-projection-checkpoints.js';
import { IncidentReadModels1732500003000 } from '../../migrations/1732500003000-incident-read-models.js';
import { SearchAndSourceReadModels1732500004000 } from '../../migrations/1732500004000-search-and-source-read-models.js';
import { AuditLog1732500005000 } from '../../migrations/1732500005000-audit-log.js';
import { AppendOutsideOtherWrites1732500006000 } from '../../migrations/1732500006000-append-outside-other-writes.js';
import { GroupCommit1732500007000 } from '../../migrations/1732500007000-group-commit.js';
import { OneIncidentProjection1732500008000 } from '../../migrations/1732500008000-one-incident-projection.js';
import { ProjectionBatchGuard1732500009000 } from '../../migrations/1732500009000-projection-batch-guard.js';
import { MergedIncidents1732500010000 } from '../../migrations/1732500010000-merged-incidents.js';
import { TimelineNamesByReference1732500011000 } from '../../migrations/1732500011000-timeline-names-by-reference.js';
import { SourceAccessLog1732500012000 } from '../../migrations/1732500012000-source-access-log.js';
import { SourceKeys1732500013000 } from '../../migrations/1732500013000-source-keys.js';
import { Alerts1732500014000 } from '../../migrations/1732500014000-alerts.js';
import { openDataSource } from './pool.js';

// Every migration, in order. Listed here rather than globbed so that tests (which load
// TypeScript through Jest) and the built service run exactly the same list.
export const MIGRATIONS = [
  EventStoreSchema1732500000000,
  IdempotencyKeys1732500001000,
  ProjectionCheckpoints1732500002000,
  IncidentReadModels1732500003000,
  SearchAndSourceReadModels1732500004000,
  AuditLog1732500005000,
  AppendOutsideOtherWrites1732500006000,
  GroupCommit1732500007000,
  OneIncidentProjection1732500008000,
  ProjectionBatchGuard1732500009000,
  MergedIncidents1732500010000,
  TimelineNamesByReference1732500011000,
  SourceAccessLog1732500012000,
  SourceKeys1732500013000,
  Alerts1732500014000,
];

/** Brings the database at `url` up to date. Safe to run from several processes at once. */
export async function migrate(url: string): Promise<void> {
  const dataSource = await openDataSource(url, { migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
  try {
    // One migrator at a time: concurrent starts must not run the same migration twice.
    await dataSource.query('SELECT pg_advisory_lock(hashtext($1))', ['incident-ledger:migrations']);
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
