import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import pg from 'pg';
import { publicSourceName } from '../incidents/projections/incident-view/source-name.js';
import { incidentViewProjection } from '../incidents/projections/incident-view/incident-view.projection.js';
import type { IncidentView } from '../incidents/read-model/incident-view.js';
import { filtersOf, type IncidentFilters } from '../incidents/queries/search-incidents/search-incidents.handler.js';
import type { PublicNames } from './export-rows.js';

/** Views fetched at a time: memory stays flat however many incidents an export holds. */
const PAGE = 100;

/** The incidents an export holds, as of one moment. */
export interface ExportSnapshot {
  /** The incident-view projection's checkpoint: the ledger position every row stands at. */
  position: string | null;
  /** In order of when they occurred; ending it early (return) ends the snapshot. */
  views: AsyncGenerator<{ view: IncidentView; names: PublicNames }>;
}

/** Opens the snapshot of the incidents that pass `filters`; whoever reads its views must read them to the end or return(). */
export class OpenExportQuery extends Query<ExportSnapshot> {
  constructor(readonly filters: IncidentFilters) {
    super();
  }
}

/**
 * One read-only REPEATABLE READ transaction on a connection of its own: every page of views,
 * their sources' names and the checkpoint come from the same moment, and a cursor hands the
 * views out a page at a time. Read-only, the transaction takes no id, so the ledger's readers
 * do not wait behind it however long a client takes to download.
 */
@QueryHandler(OpenExportQuery)
export class OpenExportHandler implements IQueryHandler<OpenExportQuery> {
  constructor(private readonly pool: pg.Pool) {}

  async execute({ filters }: OpenExportQuery): Promise<ExportSnapshot> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ position: string | null }>('SELECT position FROM projection_checkpoints WHERE name = $1', [incidentViewProjection.name]);
      const params: unknown[] = [];
      const { where } = filtersOf(filters, (value) => `$${params.push(value)}`);
      await client.query(
        `DECLARE export_views NO SCROLL CURSOR FOR
           SELECT v.view FROM incident_views v JOIN incident_search ON id = v.incident_id
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY occurred_from, id`,
        params,
      );
      return { position: rows[0]?.position ?? null, views: pages(client) };
    } catch (error) {
      client.release(true);
      throw error;
    }
  }
}

async function* pages(client: pg.PoolClient): AsyncGenerator<{ view: IncidentView; names: PublicNames }> {
  let broken = false;
  try {
    for (;;) {
      const { rows } = await client.query<{ view: IncidentView }>(`FETCH ${PAGE} FROM export_views`);
      if (rows.length === 0) return;
      const names = await namesOf(client, rows.map(({ view }) => view));
      for (const { view } of rows) yield { view, names };
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection that failed is closed rather than handed to the next query.
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    client.release(broken);
  }
}

async function namesOf(client: pg.PoolClient, views: IncidentView[]): Promise<PublicNames> {
  const ids = [...new Set(views.flatMap((view) => view.sourceIds))];
  const { rows } = await client.query<{ source_id: string; name: string; confidential: boolean }>(
    'SELECT source_id, name, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])',
    [ids],
  );
  const byId = new Map(rows.map((row) => [row.source_id, publicSourceName(row)]));
  return (sourceId) => byId.get(sourceId) ?? null;
}
