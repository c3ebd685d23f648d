import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import type { Projection } from '../../../projections/projection.js';
import { StreamRows } from '../../../projections/stream-rows.js';
import { writeRows } from '../../../projections/write-rows.js';
import { SOURCE_EVENT_TYPES, type SourceRegisteredData } from '../../../sources/domain/source.events.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { timelineEntry, type TimelineEntry } from '../../read-model/headline.js';
import { evolveView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent, type StoredIncidentEvent } from '../../read-model/stored-incident-event.js';
import { publicSourceName, type SourceName } from './source-name.js';

/**
 * The incident view and the narrative timeline of PRODUCT.md §4, and the sources' names they
 * are read with: one row per incident (what evolveView makes of its stream), one timeline
 * entry per incident event (its headline and the changes it made, from the view before and
 * after it), one row per source. One fold per event serves both: the entry is told from the
 * very views the projection stores. A headline names sources and linked incidents as they
 * were named when its event was recorded.
 *
 * A batch is read once, told in memory in ledger order (a source renamed mid-batch is named
 * by its new name only in the entries after the rename) and written once per table.
 */
export const incidentViewProjection: Projection = {
  name: 'incident-view',
  eventTypes: [...INCIDENT_EVENT_TYPES, ...SOURCE_EVENT_TYPES],
  tables: ['incident_views', 'incident_timeline', 'incident_source_names'],
  async apply(batch, manager) {
    const incidentEvents = batch.filter((recorded) => !isSourceEvent(recorded)).map((recorded) => ({ recorded, event: storedIncidentEvent(recorded) }));
    const views = await StreamRows.load(
      incidentEvents.map(({ event }) => event.data.incidentId),
      (ids) => manager.query<ViewRow[]>('SELECT incident_id, version, view FROM incident_views WHERE incident_id = ANY($1::uuid[])', [ids]),
      (row) => row.incident_id,
      (row) => row.version,
    );
    const steps = fold(incidentEvents, views);
    const names = await namesFor(steps, batch.filter(isSourceEvent), manager);

    const entries: { incident_id: string; version: number; entry: TimelineEntry }[] = [];
    for (const recorded of batch) {
      if (isSourceEvent(recorded)) {
        names.apply(recorded);
        continue;
      }
      const step = steps.get(recorded);
      if (!step) continue; // applied before
      entries.push({ incident_id: step.after.id, version: step.after.version, entry: timelineEntry(step.event, step.before, step.after, names) });
      names.titles.set(step.after.id, step.after.title);
    }

    await writeRows(
      manager,
      `INSERT INTO incident_views (incident_id, version, view)
       SELECT incident_id, version, view FROM jsonb_to_recordset($1::jsonb) AS changed (incident_id uuid, version integer, view jsonb)
       ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
      views.changed(),
    );
    await writeRows(
      manager,
      'INSERT INTO incident_timeline (incident_id, version, entry) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, version integer, entry jsonb) ON CONFLICT DO NOTHING',
      entries,
    );
    await writeRows(
      manager,
      `INSERT INTO incident_source_names (source_id, version, name, kind, confidential)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (source_id uuid, version integer, name text, kind text, confidential boolean)
       ON CONFLICT (source_id) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name, kind = EXCLUDED.kind, confidential = EXCLUDED.confidential`,
      names.rows.changed(),
    );
  },
};

interface ViewRow {
  incident_id: string;
  version: number;
  view: IncidentView;
}

interface Step {
  event: StoredIncidentEvent;
  before: IncidentView | null;
  after: IncidentView;
}

/** What each incident event of the batch did to its incident's view, by event; redelivered events are left out. */
function fold(events: { recorded: RecordedEvent; event: StoredIncidentEvent }[], views: StreamRows<ViewRow>): Map<RecordedEvent, Step> {
  const steps = new Map<RecordedEvent, Step>();
  for (const { recorded, event } of events) {
    const before = views.get(event.data.incidentId)?.view ?? null;
    views.apply(event.data.incidentId, recorded, () => {
      const after = evolveView(before, event);
      steps.set(recorded, { event, before, after });
      return { incident_id: after.id, version: after.version, view: after };
    });
  }
  return steps;
}

/**
 * The names the batch's headlines and changes may need (the views' sources and linked
 * incidents) as they stand before the batch, to be moved on event by event.
 */
async function namesFor(steps: Map<RecordedEvent, Step>, sourceEvents: RecordedEvent[], manager: EntityManager) {
  const views = [...steps.values()].flatMap(({ before, after }) => (before ? [before, after] : [after]));
  const rows = await StreamRows.load(
    [...views.flatMap((view) => view.sourceIds), ...sourceEvents.map(sourceIdOf)],
    (ids) => manager.query<SourceName[]>('SELECT source_id, version, name, kind, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])', [ids]),
    (row) => row.source_id,
    (row) => row.version,
  );
  const linked = [...new Set(views.flatMap((view) => view.links.map((link) => link.incidentId)))];
  const incidents = linked.length
    ? await manager.query<{ id: string; title: string }[]>("SELECT incident_id AS id, view->>'title' AS title FROM incident_views WHERE incident_id = ANY($1::uuid[])", [linked])
    : [];
  const titles = new Map(incidents.map(({ id, title }) => [id, title]));
  return {
    rows,
    titles,
    // Never missing in ledger order, as the write side refuses unregistered sources.
    source: (sourceId: string) => {
      const row = rows.get(sourceId);
      return row ? publicSourceName(row) : `source ${sourceId}`;
    },
    incident: (incidentId: string) => titles.get(incidentId),
    /** Applies a SourceRegistered or SourceRevised (one applied before is passed over). */
    apply(recorded: RecordedEvent): void {
      // SourceRegistered names the source; SourceRevised carries only the fields it changed.
      const { name, kind, confidential } = recorded.data as Partial<SourceRegisteredData>;
      rows.apply(sourceIdOf(recorded), recorded, (row) => ({
        source_id: sourceIdOf(recorded),
        version: recorded.revision,
        name: name ?? row?.name ?? '',
        kind: kind ?? row?.kind ?? '',
        confidential: confidential ?? row?.confidential ?? false,
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
