import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import type { WriteRequest } from '../../event-store/handle-command.js';
import { ExecuteSourceCommand } from '../commands/execute-source-command.js';
import { SourceKeys } from './source-keys.js';

/**
 * Erasures that stopped halfway, finished. An erasure destroys the key, then records
 * SourceErased: should the record fail (the store gone, the process killed), the source is
 * unreadable and not known to be erased; its erasure is recorded here. The other way round,
 * a PostgreSQL backup restored under a newer ledger brings back the key of a source erased
 * since: the key is destroyed again. Both are idempotent, and run from the source view, so
 * they find what was projected by then.
 */
@Injectable()
export class UnfinishedErasures {
  private readonly logger = new Logger('UnfinishedErasures');

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SourceKeys,
    private readonly commands: CommandBus,
  ) {}

  async finish(): Promise<void> {
    const rows = await this.dataSource.query<{ id: string; key_destroyed: boolean }[]>(
      `SELECT v.id, k.wrapped_key IS NULL AS key_destroyed FROM source_view v JOIN source_keys k ON k.source_id = v.id
        WHERE (k.wrapped_key IS NULL) <> v.erased`,
    );
    for (const { id, key_destroyed: keyDestroyed } of rows) {
      if (!keyDestroyed) {
        this.logger.warn(`Source ${id} was erased, yet its key was there (a backup restored?): destroyed again`);
        await this.keys.destroy(id);
        continue;
      }
      this.logger.warn(`Source ${id} lost its key in an erasure not recorded: recording it`);
      // Recorded by the service itself: no key asked for it.
      const request: WriteRequest = { recordedBy: 'service', correlationId: uuidv7(), causationId: uuidv7() };
      await this.commands.execute(new ExecuteSourceCommand({ type: 'EraseSource', data: { sourceId: id, reason: 'An erasure destroyed its key and was cut short before it was recorded' } }, request));
    }
  }
}
