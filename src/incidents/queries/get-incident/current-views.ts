import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import type { EarlyRead, HeldAnswer } from '../../../http/early-reads.js';
import { uuid } from '../../../http/schema.js';
import { type ReadModelChange, ReadModelChanges } from '../../../projections/read-model-changes.js';
import { sourceStreamId } from '../../../sources/commands/execute-source-command.js';
import { incidentStreamId } from '../../commands/execute-incident-command.js';
import { incidentViewProjection } from '../../projections/incident-view/incident-view.projection.js';
import { involvedSources, type SourceName } from '../../projections/incident-view/source-name.js';

/** GET /incidents/{id} as it answers now: the incident's version, and the response body. */
export interface CurrentView {
  version: number;
  /** JSON: the view as the projection stored it, with `sources` naming its sourceIds. */
  body: Buffer;
}

interface Entry extends CurrentView {
  sourceIds: string[];
  /** Which versions of the view and of its sources' names the body was made from: what revalidate() compares. */
  stamp: string;
  /** performance.now() until which the entry is answered without asking the database. */
  until: number;
}

/**
 * After this long, an entry is checked against the database (one small query: the versions
 * of the view and its sources' names) before it is answered again: bounds how long a change
 * whose announcement was lost (a crash, a failed NOTIFY) can go unseen.
 */
const TTL_MS = 10_000;

// What the body is made from: the view's JSON as stored (jsonb's text, never parsed here)
// and its sources' names, in one statement. `stamp` names the versions they are at.
const LOAD = `
  SELECT v.version, v.view::text AS view, ids.source_ids, s.names, v.version || ':' || s.stamp AS stamp
    FROM incident_views v,
         LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(v.view->'sourceIds')) AS source_ids) ids,
         LATERAL (SELECT coalesce(jsonb_agg(jsonb_build_object('source_id', n.source_id, 'name', n.name, 'kind', n.kind, 'confidential', n.confidential)), '[]') AS names,
                         coalesce(string_agg(n.source_id || '@' || n.version, ',' ORDER BY n.source_id), '') AS stamp
                    FROM incident_source_names n WHERE n.source_id = ANY(ids.source_ids::uuid[])) s
   WHERE v.incident_id = $1`;

const STAMP = `
  SELECT v.version || ':' || coalesce((SELECT string_agg(n.source_id || '@' || n.version, ',' ORDER BY n.source_id)
                                         FROM incident_source_names n
                                        WHERE n.source_id = ANY(ARRAY(SELECT jsonb_array_elements_text(v.view->'sourceIds'))::uuid[])), '') AS stamp
    FROM incident_views v WHERE v.incident_id = $1`;

const INCIDENT_STREAM = incidentStreamId('');
const SOURCE_STREAM = sourceStreamId('');

/**
 * Every incident's current view, in memory, as GET /incidents/{id} answers it: the JSON text
 * the incident-view projection stored, with its sources' names, as the bytes to send. Read
 * once from the database, then answered from here, never parsed and re-serialised. An entry
 * is dropped as soon as the projection announces a change to its incident or to a source it
 * names (ReadModelChanges: at once in the projecting process, through NOTIFY in the others),
 * and read again when next asked for. While this process is not listening for announcements,
 * every answer comes from the database.
 */
@Injectable()
export class CurrentViews implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  /** Counts changes heard: a read that saw it move may hold what a change replaced. */
  private changesHeard = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: ReadModelChanges,
  ) {
    this.unsubscribe = changes.subscribe((change) => this.forget(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** GET /incidents/{id} without a query, answered before Nest's pipeline (early-reads.ts). */
  readonly early: EarlyRead = {
    route: '/incidents/:incidentId',
    answer: async (request: FastifyRequest): Promise<HeldAnswer | undefined> => {
      const incidentId = uuid.safeParse((request.params as { incidentId: string }).incidentId);
      if (request.url.includes('?') || !incidentId.success) return undefined;
      return (await this.read(incidentId.data)) ?? undefined;
    },
  };

  /** The incident's current view; null when it has none (yet). */
  async read(incidentId: string): Promise<CurrentView | null> {
    const entry = this.entries.get(incidentId);
    if (entry && this.changes.connected && (entry.until > performance.now() || (await this.stillCurrent(incidentId, entry)))) return entry;
    const heard = this.changesHeard;
    const loaded = await this.load(incidentId);
    if (loaded && heard === this.changesHeard && this.changes.connected) this.entries.set(incidentId, loaded);
    return loaded;
  }

  private async stillCurrent(incidentId: string, entry: Entry): Promise<boolean> {
    const heard = this.changesHeard;
    const [row] = await this.dataSource.query<{ stamp: string }[]>(STAMP, [incidentId]);
    const current = row?.stamp === entry.stamp && heard === this.changesHeard;
    if (current) entry.until = performance.now() + TTL_MS;
    return current;
  }

  private async load(incidentId: string): Promise<Entry | null> {
    const [row] = await this.dataSource.query<{ version: number; view: string; source_ids: string[]; names: Omit<SourceName, 'version'>[]; stamp: string }[]>(LOAD, [incidentId]);
    if (!row) return null;
    // The stored object, closed with one more member: `{…}` → `{…, "sources": […]}`.
    const sources = JSON.stringify(involvedSources(row.source_ids, row.names));
    const body = Buffer.from(`${row.view.slice(0, row.view.lastIndexOf('}'))}, "sources": ${sources}}`);
    return { version: row.version, body, sourceIds: row.source_ids, stamp: row.stamp, until: performance.now() + TTL_MS };
  }

  private forget({ projections, streams }: ReadModelChange): void {
    if (!projections.includes(incidentViewProjection.name) && !projections.includes('*')) return;
    this.changesHeard++;
    if (streams === 'all') return this.entries.clear();
    const renamed = new Set(streams.filter((stream) => stream.startsWith(SOURCE_STREAM)).map((stream) => stream.slice(SOURCE_STREAM.length)));
    for (const stream of streams) if (stream.startsWith(INCIDENT_STREAM)) this.entries.delete(stream.slice(INCIDENT_STREAM.length));
    if (renamed.size === 0) return;
    for (const [incidentId, entry] of this.entries) if (entry.sourceIds.some((id) => renamed.has(id))) this.entries.delete(incidentId);
  }
}
