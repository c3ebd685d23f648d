import { alertsWritten, watchesLoaded } from '../../../alerts/alert-outbox.js';
import type { Told, Watch } from '../../../alerts/domain/alerts.js';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import type { Projection, Statement } from '../../../projections/projection.js';
import { StreamRows } from '../../../projections/stream-rows.js';
import { rowsWritten } from '../../../projections/write-rows.js';
import { SOURCE_EVENT_TYPES, type SourceRegisteredData } from '../../../sources/domain/source.events.js';
import { ERASED_SOURCE_NAME } from '../../../sources/erasure/identifying-fields.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { entryWithSourceErased, timelineEntry, type TimelineEntry } from '../../read-model/headline.js';
import { evolveView, incidentsNamedIn, type IncidentView, withSourceErased } from '../../read-model/incident-view.js';
import { sourceReference, wordsOfPattern, wordsReference } from '../../read-model/source-references.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import type { SourceName } from './source-name.js';

/**
 * The incident view and the narrative timeline of PRODUCT.md §4, and the sources' names they
 * are read with: one row per incident (what evolveView makes of its stream), one timeline
 * entry per incident event (its headline and the changes it made, from the view before and
 * after it), one row per source. One fold per event serves both: the entry is told from the
 * very views the projection stores. A headline names linked incidents by their titles when
 * its event was recorded, and sources by reference (source-references.ts): they are named
 * when the entry is read, as the reader may know them. Each entry told is also what the
 * watchers it matches are alerted to (src/alerts/alert-outbox.ts), written with the batch.
 */
export const incidentViewProjection: Projection = {
  name: 'incident-view',
  eventTypes: [...INCIDENT_EVENT_TYPES, ...SOURCE_EVENT_TYPES],
  tables: ['incident_views', 'incident_timeline', 'incident_source_names'],

  // The batch's incidents; the titles of every incident they name or may come to name (the
  // events' and their views' links), and the names of the sources the batch's source events
  // change, as they stand before the batch.
  load(batch) {
    const incidentEvents = batch.filter((recorded) => !isSourceEvent(recorded)).map(storedIncidentEvent);
    const erased = unique(batch.filter((recorded) => recorded.type === 'SourceErased').map(sourceIdOf));
    // With a source erased: also every view it is involved in (the statements it made or
    // relayed among them), and every timeline entry quoting it.
    return {
      sql: `SELECT json_build_object(
              'views', (SELECT coalesce(json_agg(json_build_object('incident_id', incident_id, 'version', version, 'view', view)), '[]')
                          FROM incident_views WHERE incident_id = ANY($1::uuid[])
                            OR (cardinality($4::text[]) > 0 AND view->'sourceIds' ?| $4::text[])),
              'names', (SELECT coalesce(json_agg(names), '[]') FROM incident_source_names names WHERE source_id = ANY($2::uuid[])),
              'titles', (SELECT coalesce(json_agg(json_build_object('incident_id', incident_id, 'title', view->>'title')), '[]') FROM incident_views
                          WHERE incident_id = ANY($3::uuid[])
                             OR incident_id IN (SELECT (jsonb_array_elements(view->'links')->>'incidentId')::uuid FROM incident_views WHERE incident_id = ANY($1::uuid[]))),
              'quoting', (SELECT coalesce(json_agg(json_build_object('incident_id', incident_id, 'version', version, 'entry', entry)), '[]') FROM incident_timeline
                          WHERE cardinality($4::text[]) > 0 AND entry::text LIKE ANY ($5::text[])),
              'watches', (${watchesLoaded('$1::uuid[]')}))`,
      params: [
        unique(incidentEvents.map((event) => event.data.incidentId)),
        unique(batch.filter(isSourceEvent).map(sourceIdOf)),
        unique(incidentEvents.flatMap(incidentsNamedIn)),
        erased,
        erased.map((sourceId) => `%${wordsOfPattern(sourceId)}%`),
      ],
    };
  },

  fold(batch, loaded) {
    const { views: viewRows, names: nameRows, titles: titleRows, quoting, watches } = loaded as Loaded;
    const views = StreamRows.of(viewRows, (row) => row.incident_id, (row) => row.version);
    const names = sourceNames(nameRows, titleRows);
    // Each entry once, by incident and version: one told now, or one told before that quotes a source erased now.
    const entries = new Map<string, EntryRow>();
    const keep = (row: EntryRow) => entries.set(`${row.incident_id}/${row.version}`, row);
    // Every event folded now, for the watchers' alerts.
    const told: Told[] = [];
    // A split opens its new incident in the same change as the old one's IncidentSplit, and
    // after it: the old one's headline names it by the title it was opened with.
    for (const recorded of batch) {
      if (recorded.type !== 'IncidentOpened') continue;
      const { incidentId, title } = recorded.data as { incidentId: string; title: string };
      if (!names.titles.has(incidentId)) names.titles.set(incidentId, title);
    }
    for (const recorded of batch) {
      if (isSourceEvent(recorded)) {
        names.apply(recorded);
        if (recorded.type === 'SourceErased') {
          const sourceId = sourceIdOf(recorded);
          views.rewrite((row) => {
            const view = withSourceErased(row.view, sourceId);
            return view === row.view ? row : { ...row, view };
          });
          for (const row of quoting) if (!entries.has(`${row.incident_id}/${row.version}`)) keep(row);
          for (const row of entries.values()) keep({ ...row, entry: entryWithSourceErased(row.entry, sourceId) });
        }
        continue;
      }
      const event = storedIncidentEvent(recorded);
      const before = views.get(event.data.incidentId)?.view ?? null;
      views.apply(event.data.incidentId, recorded, () => {
        const after = evolveView(before, event);
        const entry = timelineEntry(event, before, after, { ...byReference, incident: names.incident });
        keep({ incident_id: after.id, version: after.version, entry });
        told.push({ eventId: recorded.id, position: recorded.position, event, before, after, entry });
        names.titles.set(after.id, after.title);
        return { incident_id: after.id, version: after.version, view: after };
      });
    }
    return [
      ...rowsWritten(
        `INSERT INTO incident_views (incident_id, version, view)
         SELECT incident_id, version, view FROM jsonb_to_recordset($1::jsonb) AS changed (incident_id uuid, version integer, view jsonb)
         ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
        views.changed(),
      ),
      ...rowsWritten(
        `INSERT INTO incident_timeline (incident_id, version, entry) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, version integer, entry jsonb)
         ON CONFLICT (incident_id, version) DO UPDATE SET entry = EXCLUDED.entry`,
        [...entries.values()],
      ),
      ...rowsWritten(
        `INSERT INTO incident_source_names (source_id, version, name, kind, confidential)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (source_id uuid, version integer, name text, kind text, confidential boolean)
         ON CONFLICT (source_id) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name, kind = EXCLUDED.kind, confidential = EXCLUDED.confidential`,
        names.rows.changed(),
      ),
      ...alertsWritten(watches, told),
    ] satisfies Statement[];
  },
};

interface EntryRow {
  incident_id: string;
  version: number;
  entry: TimelineEntry;
}

interface Loaded {
  views: { incident_id: string; version: number; view: IncidentView }[];
  names: SourceName[];
  titles: { incident_id: string; title: string }[];
  quoting: EntryRow[];
  watches: Watch[];
}

/** Sources as timeline entries store them: by reference, worded when read. */
const byReference = { source: sourceReference, words: wordsReference };

/** The sources' names the projection keeps, and the incidents' titles headlines name, moved on event by event. */
function sourceNames(nameRows: SourceName[], titleRows: Loaded['titles']) {
  const rows = StreamRows.of(nameRows, (row) => row.source_id, (row) => row.version);
  const titles = new Map(titleRows.map(({ incident_id: id, title }) => [id, title]));
  return {
    rows,
    titles,
    incident: (incidentId: string) => titles.get(incidentId),
    /** Applies a source's event (one applied before is passed over). */
    apply(recorded: RecordedEvent): void {
      // SourceRegistered names the source; SourceRevised carries only the fields it changed;
      // once SourceErased, it has nothing left to hide.
      const erased = recorded.type === 'SourceErased';
      const { name, kind, confidential } = recorded.data as Partial<SourceRegisteredData>;
      rows.apply(sourceIdOf(recorded), recorded, (row) => ({
        source_id: sourceIdOf(recorded),
        version: recorded.revision,
        name: erased ? ERASED_SOURCE_NAME : (name ?? row?.name ?? ''),
        kind: kind ?? row?.kind ?? '',
        confidential: erased ? false : (confidential ?? row?.confidential ?? false),
      }));
    },
  };
}

function isSourceEvent(recorded: RecordedEvent): boolean {
  return (SOURCE_EVENT_TYPES as readonly string[]).includes(recorded.type);
}

function sourceIdOf(recorded: RecordedEvent): string {
  return (recorded.data as { sourceId: string }).sourceId;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
