import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import pg from 'pg';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.js';
import { incidentStreamId } from '../incidents/commands/execute-incident-command.js';
import { publicSourceName } from '../incidents/projections/incident-view/source-name.js';
import { incidentViewProjection } from '../incidents/projections/incident-view/incident-view.projection.js';
import { foldViewAsOf, type IncidentView } from '../incidents/read-model/incident-view.js';
import { storedIncidentEvent } from '../incidents/read-model/stored-incident-event.js';
import { filtersOf, type IncidentFilters } from '../incidents/queries/search-incidents/search-incidents.handler.js';
import type { PublicNames } from './export-rows.js';

/** Views fetched at a time: memory stays flat however many incidents an export holds. */
const PAGE = 100;

/** The incidents an export holds, as of one moment. */
export interface ExportSnapshot {
  /** The incident-view projection's checkpoint: the ledger position the export was taken at. */
  position: string | null;
  /** The time each incident is shown as of, when not now. */
  asOf?: string;
  /** In order of when they occurred; ending it early (return) ends the snapshot. */
  views: AsyncGenerator<{ view: IncidentView; names: PublicNames }>;
}

/**
 * Opens the snapshot of the incidents that pass `filters` (or of one `incident`), each as it
 * is now or as the desk had it at `asOf`; whoever reads its views must read them to the end or return().
 */
export class OpenExportQuery extends Query<ExportSnapshot> {
  constructor(
    readonly filters: IncidentFilters,
    readonly only: { incident?: string; asOf?: string } = {},
  ) {
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
  constructor(
    @Inject(pg.Pool) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ filters, only: { incident, asOf } }: OpenExportQuery): Promise<ExportSnapshot> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ position: string | null }>('SELECT position FROM projection_checkpoints WHERE name = $1', [incidentViewProjection.name]);
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      const { where } = filtersOf(filters, param);
      if (incident !== undefined) where.push(`id = ${param(incident)}::uuid`);
      // As of a time, the incidents that pass the filters now and had been opened by then,
      // each folded from its stream; otherwise the views as the projection stored them.
      if (asOf !== undefined) where.push(`opened_at <= ${param(asOf)}::timestamptz`);
      await client.query(
        `DECLARE export_views NO SCROLL CURSOR FOR
           SELECT id, ${asOf === undefined ? 'v.view' : 'NULL AS view'} FROM incident_search ${asOf === undefined ? 'JOIN incident_views v ON v.incident_id = id' : ''}
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY occurred_from, id`,
        params,
      );
      const viewsOf = asOf === undefined ? async (page: ViewRow[]) => page.map((row) => row.view!) : (page: ViewRow[]) => this.foldedAsOf(page, asOf);
      return { position: rows[0]?.position ?? null, asOf, views: pages(client, viewsOf) };
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  // One stream at a time: an export must not take every connection of the pool from the
  // requests beside it. Named with the current names, as GET /incidents/{id}?asOf is.
  private async foldedAsOf(page: ViewRow[], asOf: string): Promise<IncidentView[]> {
    const views: IncidentView[] = [];
    for (const { id } of page) {
      const view = foldViewAsOf((await this.store.readStream(incidentStreamId(id))).map(storedIncidentEvent), asOf);
      if (view !== null) views.push(view);
    }
    return views;
  }
}

interface ViewRow {
  id: string;
  view: IncidentView | null;
}

async function* pages(client: pg.PoolClient, viewsOf: (page: ViewRow[]) => Promise<IncidentView[]>): AsyncGenerator<{ view: IncidentView; names: PublicNames }> {
  let broken = false;
  try {
    for (;;) {
      const { rows } = await client.query<ViewRow>(`FETCH ${PAGE} FROM export_views`);
      if (rows.length === 0) return;
      const views = await viewsOf(rows);
      const names = await namesOf(client, views);
      for (const view of views) yield { view, names };
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
