import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { HeldBySize } from '../../../common/held-by-size.js';
import type { EarlyRead, HeldAnswer } from '../../../http/early-reads.js';
import { uuid } from '../../../http/schema.js';
import { type ReadModelChange, ReadModelChanges } from '../../../projections/read-model-changes.js';
import { sourceStreamId } from '../../../sources/domain/source.streams.js';
import { incidentStreamId } from '../../domain/incident.streams.js';
import { incidentViewProjection } from '../../projections/incident-view/incident-view.projection.js';
import { type InvolvedSource, involvedSources, type SourceName, withWordsWithheldUnlessPublic } from '../../projections/incident-view/source-name.js';
import type { IncidentView } from '../../read-model/incident-view.js';
import type { Principal } from '../../../auth/api-keys.js';
import { identifiesConfidentialSources } from '../../../auth/confidentiality.js';
import { SourceAccessLog } from '../../../sources/source-access-log.js';

/** GET /incidents/{id} as it answers now: the incident's version, and the response body. */
export interface CurrentView {
  version: number;
  /** JSON: the view as the projection stored it, with `sources` naming its sourceIds. */
  body: Buffer;
  /** The view's mergedInto: GET answers a merged incident with a redirect. */
  mergedInto?: string;
  /** The ETag, when the version alone does not tell the answer (HeldAnswer.tag). */
  tag?: string;
}

interface Entry extends CurrentView {
  /** The answer to those shown who confidential sources are (identifiesConfidentialSources); `body` is everyone else's. The same bytes when no confidential source is involved. */
  identifiedBody: Buffer;
  /** The confidential sources `identifiedBody` names: its showing is recorded (SourceAccessLog). */
  confidentialIds: string[];
  /** The ETag of `identifiedBody`, when it is not the version's alone (see `tag`). */
  identifiedTag?: string;
  sourceIds: string[];
}

/** How often the held views are checked against the projection's checkpoint (see sweep()). */
const SWEEP_MS = 2_000;
/**
 * About 14,000 views of the benchmark's incidents (7 KB each with their sources' names):
 * every incident of a large newsroom's ledger. Past it, the views read least lately are read
 * again from the database when asked for.
 */
const MAX_HELD_BYTES = 96 * 1024 * 1024;

// What the body is made from, in one statement: the view's JSON as stored (jsonb's text,
// never parsed here), its sources' names, and the projection's checkpoint they stand at.
const LOAD = `
  SELECT v.version, v.view::text AS view, v.view->>'mergedInto' AS merged_into, ids.source_ids, s.names,
         (SELECT position FROM projection_checkpoints WHERE name = $2) AS checkpoint
    FROM incident_views v,
         LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(v.view->'sourceIds')) AS source_ids) ids,
         LATERAL (SELECT coalesce(jsonb_agg(jsonb_build_object('source_id', n.source_id, 'name', n.name, 'kind', n.kind, 'confidential', n.confidential)), '[]') AS names
                    FROM incident_source_names n WHERE n.source_id = ANY(ids.source_ids::uuid[])) s
   WHERE v.incident_id = $1`;

const INCIDENT_STREAM = incidentStreamId('');
const SOURCE_STREAM = sourceStreamId('');

/**
 * Every incident's current view (up to MAX_HELD_BYTES of them), in memory, as GET /incidents/{id} answers it: the JSON text
 * the incident-view projection stored, with its sources' names, as the bytes to send. Read
 * once from the database, then answered from here, never parsed and re-serialised. An entry
 * is dropped as soon as the projection announces a change to its incident or to a source it
 * names (ReadModelChanges: at once in the projecting process, through NOTIFY in the others),
 * and read again when next asked for.
 *
 * Announcements name the checkpoint they move from and to. One that does not follow the last
 * one heard, a checkpoint the database shows that no announcement told of for two looks
 * in a row, or its row rewritten where it stood with nothing heard (a rebuild's swap), means
 * an announcement went missing (a crash after a commit, a failed NOTIFY):
 * everything held is dropped. While this process is not listening, every answer comes from
 * the database.
 */
@Injectable()
export class CurrentViews implements OnModuleDestroy {
  private readonly entries = new HeldBySize<Entry>(MAX_HELD_BYTES);
  /** Counts changes heard: a read that saw it move may hold what a change replaced. */
  private changesHeard = 0;
  /** The projection's checkpoint as the announcements heard tell it (or, before any, as the first view read found it). */
  private heardUpTo?: string | null;
  /** A checkpoint the last sweep found in the database that no announcement had told of. */
  private untold?: string | null;
  /** The checkpoint's row as the last sweep found it, and how many changes had been heard by then. */
  private lastLook?: { position: string | null; updatedAt: string; heard: number };
  private readonly unsubscribe: () => void;
  private readonly sweeping: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: ReadModelChanges,
    private readonly accessLog: SourceAccessLog,
  ) {
    this.unsubscribe = changes.subscribe((change) => this.forget(change));
    this.sweeping = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeping);
    this.unsubscribe();
  }

  /** GET /incidents/{id} without a query, answered before Nest's pipeline (early-reads.ts). */
  readonly early: EarlyRead = {
    route: '/incidents/:incidentId',
    answer: async (request: FastifyRequest, principal: Principal): Promise<HeldAnswer | undefined> => {
      const incidentId = uuid.safeParse((request.params as { incidentId: string }).incidentId);
      if (request.url.includes('?') || !incidentId.success) return undefined;
      const view = await this.read(incidentId.data, principal);
      // A merged incident's answer is the route's: a redirect.
      return view === null || view.mergedInto !== undefined ? undefined : view;
    },
  };

  /**
   * The incident's current view as `viewer` is shown it (identifiesConfidentialSources),
   * recording it in the access log if that names a confidential source; without a viewer, as
   * readers are shown it. Null when it has none (yet).
   */
  async read(incidentId: string, viewer?: Principal): Promise<CurrentView | null> {
    const entry = await this.entry(incidentId);
    if (entry === null) return null;
    const identified = viewer !== undefined && identifiesConfidentialSources(viewer.role);
    if (identified) await this.accessLog.record(viewer, entry.confidentialIds, 'GET /incidents/{incidentId}');
    const tag = identified ? entry.identifiedTag : entry.tag;
    return { version: entry.version, body: identified ? entry.identifiedBody : entry.body, ...(tag !== undefined && { tag }), ...(entry.mergedInto !== undefined && { mergedInto: entry.mergedInto }) };
  }

  private async entry(incidentId: string): Promise<Entry | null> {
    const entry = this.entries.get(incidentId);
    if (entry && this.changes.connected) return entry;
    const heard = this.changesHeard;
    const loaded = await this.load(incidentId);
    if (!loaded) return null;
    if (heard === this.changesHeard && this.changes.connected) {
      this.entries.set(incidentId, loaded.entry);
      if (this.heardUpTo === undefined) this.heardUpTo = loaded.checkpoint;
    }
    return loaded.entry;
  }

  private async load(incidentId: string): Promise<{ entry: Entry; checkpoint: string | null } | null> {
    const [row] = await this.dataSource.query<{ version: number; view: string; merged_into: string | null; source_ids: string[]; names: Omit<SourceName, 'version'>[]; checkpoint: string | null }[]>(LOAD, [
      incidentId,
      incidentViewProjection.name,
    ]);
    if (!row) return null;
    const confidential = row.names.filter((source) => source.confidential).map((source) => source.source_id);
    const known = new Set(row.names.map((source) => source.source_id));
    const identifiedBody = withSources(row.view, involvedSources(row.source_ids, row.names, true));
    const plain = confidential.length === 0 && row.source_ids.every((id) => known.has(id));
    // Only a view that involves a confidential source (or one not known yet) reads otherwise to
    // everyone else: parsed to withhold words, and tagged apart (HeldAnswer.tag).
    const entry: Entry = {
      version: row.version,
      body: plain ? identifiedBody : withSources(publicView(row.view, new Set(row.names.filter((source) => !source.confidential).map((source) => source.source_id))), involvedSources(row.source_ids, row.names, false)),
      identifiedBody,
      confidentialIds: confidential,
      sourceIds: row.source_ids,
      ...(row.merged_into !== null && { mergedInto: row.merged_into }),
    };
    if (!plain) {
      entry.tag = tagOf(entry.version, entry.body);
      entry.identifiedTag = tagOf(entry.version, entry.identifiedBody);
    }
    return { entry, checkpoint: row.checkpoint };
  }

  /**
   * Drops everything held, should the projection's checkpoint have moved without a word, or
   * its row have been written where it stood (a rebuild swaps its tables in at the position
   * it finds) with nothing heard since the last look.
   */
  private async sweep(): Promise<void> {
    if (this.entries.size === 0) return;
    const [row] = await this.dataSource.query<{ position: string | null; updated_at: string }[]>(
      'SELECT position, updated_at::text FROM projection_checkpoints WHERE name = $1',
      [incidentViewProjection.name],
    );
    const position = row?.position ?? null;
    const look = this.lastLook;
    const rewrittenInPlace = look !== undefined && look.position === position && look.updatedAt !== row?.updated_at && look.heard === this.changesHeard;
    if (position === this.heardUpTo) {
      this.untold = undefined;
      if (rewrittenInPlace) this.forgetAll(position);
    } else if (position === this.untold) {
      // Two looks, two seconds apart, and still no word of it: the announcement is lost.
      this.forgetAll(position);
    } else {
      this.untold = position; // an announcement may be on its way
    }
    this.lastLook = { position, updatedAt: row?.updated_at ?? '', heard: this.changesHeard };
  }

  private forgetAll(checkpoint?: string | null): void {
    this.changesHeard++;
    this.entries.clear();
    this.heardUpTo = checkpoint;
    this.untold = undefined;
  }

  private forget({ projections, streams, from, to }: ReadModelChange): void {
    if (!projections.includes(incidentViewProjection.name) && !projections.includes('*')) return;
    // One that does not follow the last one heard: something was announced in between, unheard.
    if (streams === 'all' || to === undefined || (this.heardUpTo !== undefined && from !== this.heardUpTo)) return this.forgetAll(to);
    this.changesHeard++;
    this.heardUpTo = to;
    const renamed = new Set(streams.filter((stream) => stream.startsWith(SOURCE_STREAM)).map((stream) => stream.slice(SOURCE_STREAM.length)));
    for (const stream of streams) if (stream.startsWith(INCIDENT_STREAM)) this.entries.delete(stream.slice(INCIDENT_STREAM.length));
    if (renamed.size > 0) this.entries.deleteWhere((entry) => entry.sourceIds.some((id) => renamed.has(id)));
  }
}

/** The stored object, closed with one more member: `{…}` → `{…, "sources": […]}`. */
function withSources(view: string, sources: InvolvedSource[]): Buffer {
  return Buffer.from(`${view.slice(0, view.lastIndexOf('}'))}, "sources": ${JSON.stringify(sources)}}`);
}

/** The view's JSON with the words of statements not known to be public withheld, re-serialised only when it has any. */
function publicView(view: string, publicIds: ReadonlySet<string>): string {
  const parsed = JSON.parse(view) as IncidentView;
  const shown = withWordsWithheldUnlessPublic(parsed, publicIds);
  return shown === parsed ? view : JSON.stringify(shown);
}

/** An ETag for an answer that differs by who asks: its version and a digest of its bytes. */
function tagOf(version: number, body: Buffer): string {
  return `"${version}-${createHash('sha256').update(body).digest('base64url').slice(0, 12)}"`;
}
