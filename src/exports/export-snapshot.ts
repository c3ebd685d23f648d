import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import pg from 'pg';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.js';
import { incidentStreamId } from '../incidents/domain/incident.streams.js';
import { shownName } from '../incidents/projections/incident-view/source-name.js';
import type { Principal } from '../auth/api-keys.js';
import { identifiesConfidentialSources } from '../auth/confidentiality.js';
import { SourceAccessLog } from '../sources/source-access-log.js';
import { HttpProblem } from '../http/problem.js';
import { incidentViewProjection } from '../incidents/projections/incident-view/incident-view.projection.js';
import { foldViewAsOf, type IncidentView } from '../incidents/read-model/incident-view.js';
import { storedIncidentEvent } from '../incidents/read-model/stored-incident-event.js';
import { filtersOf, type IncidentFilters } from '../incidents/queries/search-incidents/search-incidents.handler.js';
import type { PublicNames } from './export-rows.js';

/** Views fetched at a time: memory stays flat however many incidents an export holds. */
const PAGE = 100;
/**
 * Exports under way at once in a process. Each holds a connection of the service's pool for
 * as long as its client takes to download (and one more a moment at a time, as of a time): a
 * few slow downloads must not leave the writes without connections.
 */
const MAX_OPEN_EXPORTS = 4;

/** The incidents an export holds, as of one moment. */
export interface ExportSnapshot {
  /** The incident-view projection's checkpoint: the ledger position the export was taken at. */
  position: string | null;
  /** The time each incident is shown as of, when not now. */
  asOf?: string;
  /** In order of when they occurred; read to the end, or return()ed, they end the snapshot. */
  views: AsyncGenerator<{ view: IncidentView; names: PublicNames }>;
  /**
   * Ends the snapshot if its views were never started (their end ends it otherwise): for a
   * client that leaves before the first of them is read.
   */
  close(): Promise<void>;
}

/**
 * Opens the snapshot of the incidents that pass `filters` (or of one `incidentId`), each as it
 * is now or as the desk had it at `asOf`; whoever opens it must read its views to the end,
 * return() them, or close() it.
 */
export class OpenExportQuery extends Query<ExportSnapshot> {
  constructor(
    readonly filters: IncidentFilters,
    /** Who asks: how confidential sources are named depends on it (identifiesConfidentialSources). */
    readonly viewer: Principal,
    readonly only: { incidentId?: string; asOf?: string } = {},
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
    private readonly accessLog: SourceAccessLog,
  ) {}

  /** Exports whose snapshot is open in this process. */
  private open = 0;

  async execute(query: OpenExportQuery): Promise<ExportSnapshot> {
    if (this.open >= MAX_OPEN_EXPORTS) {
      throw new HttpProblem(503, 'exports_busy', `${MAX_OPEN_EXPORTS} exports are under way in this process; try again when one has finished.`, { 'retry-after': '10' });
    }
    this.open++;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.open--;
      throw error;
    }
    let ended = false;
    const end = async (broken: boolean) => {
      if (ended) return;
      ended = true;
      this.open--;
      // A connection that failed is closed rather than handed to the next query.
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      client.release(broken);
    };
    try {
      const { position, asOf, viewsOf } = await this.begin(client, query);
      const reading = { started: false };
      const views = pages(client, viewsOf, (views) => this.namesOf(client, views, query.viewer), end, reading);
      const close = async () => {
        if (reading.started) return;
        await views.return(undefined); // never to start now
        await end(false);
      };
      return { position, asOf, views, close };
    } catch (error) {
      await end(true);
      throw error;
    }
  }

  /** The transaction and its cursor over the incidents; how a page of them becomes views. */
  private async begin(client: pg.PoolClient, { filters, only: { incidentId, asOf: asked } }: OpenExportQuery) {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ position, now }] = (
      await client.query<{ position: string | null; now: Date }>('SELECT (SELECT position FROM projection_checkpoints WHERE name = $1), now()', [incidentViewProjection.name])
    ).rows;
    // Nothing recorded after the snapshot was taken: a time to come is the snapshot's own.
    const asOf = asked === undefined ? undefined : new Date(Math.min(Date.parse(asked), now.getTime())).toISOString();
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const { where } = filtersOf(filters, param);
    if (incidentId !== undefined) where.push(`id = ${param(incidentId)}::uuid`);
    // As of a time, the incidents that pass the filters now and had been opened by then,
    // each folded from its stream; otherwise the views as the projection stored them.
    if (asOf !== undefined) where.push(`opened_at <= ${param(asOf)}::timestamptz`);
    // A merged incident's claims are listed under the incident it went into, from when it went.
    where.push(asOf === undefined ? 'merged_into IS NULL' : `(merged_into IS NULL OR merged_at > ${param(asOf)}::timestamptz)`);
    await client.query(
      `DECLARE export_views NO SCROLL CURSOR FOR
         SELECT id, ${asOf === undefined ? 'v.view' : 'NULL AS view'} FROM incident_search ${asOf === undefined ? 'JOIN incident_views v ON v.incident_id = id' : ''}
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY occurred_from, id`,
      params,
    );
    const viewsOf = asOf === undefined ? async (page: ViewRow[]) => page.map((row) => row.view!) : (page: ViewRow[]) => this.foldedAsOf(page, asOf);
    return { position, asOf, viewsOf };
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

  /** How a page's sources are named to `viewer`; the confidential ones shown by name are recorded (SourceAccessLog). */
  private async namesOf(client: pg.PoolClient, views: IncidentView[], viewer: Principal): Promise<PublicNames> {
    const ids = [...new Set(views.flatMap((view) => view.sourceIds))];
    const { rows } = await client.query<{ source_id: string; name: string; confidential: boolean }>(
      'SELECT source_id, name, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])',
      [ids],
    );
    const identified = identifiesConfidentialSources(viewer.role);
    if (identified) await this.accessLog.record(viewer, rows.filter((row) => row.confidential).map((row) => row.source_id), 'GET /exports');
    const byId = new Map(rows.map((row) => [row.source_id, shownName(row, identified)]));
    return (sourceId) => byId.get(sourceId) ?? null;
  }
}

interface ViewRow {
  id: string;
  view: IncidentView | null;
}

async function* pages(
  client: pg.PoolClient,
  viewsOf: (page: ViewRow[]) => Promise<IncidentView[]>,
  namesOf: (views: IncidentView[]) => Promise<PublicNames>,
  end: (broken: boolean) => Promise<void>,
  reading: { started: boolean },
): AsyncGenerator<{ view: IncidentView; names: PublicNames }> {
  reading.started = true;
  let broken = false;
  try {
    for (;;) {
      const { rows } = await client.query<ViewRow>(`FETCH ${PAGE} FROM export_views`);
      if (rows.length === 0) return;
      const views = await viewsOf(rows);
      const names = await namesOf(views);
      for (const view of views) yield { view, names };
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    await end(broken);
  }
}


