import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Principal } from '../../../auth/api-keys.js';
import { cursorId, cursorInstant, encodeCursor } from '../../../http/cursor.js';
import type { SourceKind } from '../../domain/source.events.js';
import { identifiesConfidentialSources } from '../../../auth/confidentiality.js';
import { SourceAccessLog } from '../../source-access-log.js';
import { SOURCE_COLUMNS, type SourceResponse, type SourceRow, sourceAsSeenBy, tellsAConfidentialIdentity } from '../source-response.js';

/** What a page cursor holds: the page's last source, by registration. */
export const SourceCursor = z.strictObject({ registeredAt: cursorInstant, id: cursorId });
export type SourceCursor = z.output<typeof SourceCursor>;

export interface SourceListing {
  kind?: SourceKind;
  /** Part of a name or an alias, in any case. */
  q?: string;
  limit: number;
  after?: SourceCursor;
}

export interface SourcePage {
  items: SourceResponse[];
  nextCursor: string | null;
}

export class ListSourcesQuery extends Query<SourcePage> {
  constructor(
    readonly listing: SourceListing,
    readonly viewer: Principal,
  ) {
    super();
  }
}

/**
 * In registration order (registered_at, id), which a newly registered source joins at
 * the end, so a walk through the pages neither repeats nor skips a source. Not by name:
 * a reader could tell from a withheld name's place in the order what it starts with.
 */
@QueryHandler(ListSourcesQuery)
export class ListSourcesHandler implements IQueryHandler<ListSourcesQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: SourceAccessLog,
  ) {}

  async execute({ listing, viewer }: ListSourcesQuery): Promise<SourcePage> {
    const identified = identifiesConfidentialSources(viewer.role);
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (listing.kind !== undefined) where.push(`kind = ${param(listing.kind)}`);
    if (listing.q !== undefined) {
      const pattern = param(`%${listing.q.replace(/[\\%_]/g, '\\$&')}%`);
      // A withheld name must not be found by searching for it either.
      const visible = identified ? '' : 'NOT confidential AND ';
      where.push(`${visible}(name ILIKE ${pattern} OR EXISTS (SELECT 1 FROM unnest(aliases) alias WHERE alias ILIKE ${pattern}))`);
    }
    if (listing.after !== undefined) where.push(`(registered_at, id) > (${param(listing.after.registeredAt)}::timestamptz, ${param(listing.after.id)}::uuid)`);
    const rows = await this.dataSource.query<SourceRow[]>(
      `SELECT ${SOURCE_COLUMNS} FROM source_view
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY registered_at, id
        LIMIT ${param(listing.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, listing.limit);
    const last = page.at(-1);
    const next = rows.length > listing.limit && last !== undefined ? { registeredAt: last.registered_at.toISOString(), id: last.id } : undefined;
    if (identified) await this.accessLog.record(viewer, page.filter(tellsAConfidentialIdentity).map((row) => row.id), 'GET /sources');
    return { items: page.map((row) => sourceAsSeenBy(row, viewer.role)), nextCursor: next ? encodeCursor(next) : null };
  }
}
