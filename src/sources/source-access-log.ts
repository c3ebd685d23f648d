import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/api-keys.js';
import type { SourceAccess } from './source-access.js';

/**
 * Who was shown which confidential source's identity, when, and through which route: every
 * answer that names one to an editor or admin (src/auth/confidentiality.ts) is recorded here
 * before it is sent (an export's, page by page as it streams). Append-only (its table
 * refuses changes); admins read it.
 */
@Injectable()
export class SourceAccessLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Records that `principal` is being shown these confidential sources through `route`. */
  async record(principal: Principal, sourceIds: readonly string[], route: string): Promise<void> {
    if (sourceIds.length === 0) return;
    await this.dataSource.query('INSERT INTO source_access_log (source_id, principal, route) SELECT unnest($1::uuid[]), $2, $3', [[...new Set(sourceIds)], principal.name, route]);
  }

  /** A source's log, newest first, before the entry `before` when given. */
  async read(sourceId: string, limit: number, before?: number): Promise<{ entries: SourceAccess[]; nextBefore: number | null }> {
    const rows = await this.dataSource.query<{ id: string; principal: string; route: string; shown_at: Date }[]>(
      'SELECT id, principal, route, shown_at FROM source_access_log WHERE source_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
      [sourceId, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const entries = rows.slice(0, limit).map((row) => ({ id: Number(row.id), principal: row.principal, route: row.route, shownAt: row.shown_at.toISOString() }));
    return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
  }
}
