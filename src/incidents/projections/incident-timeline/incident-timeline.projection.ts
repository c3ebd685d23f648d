import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import type { Projection } from '../../../projections/projection.js';
import { SOURCE_EVENT_TYPES, type SourceRevisedData } from '../../../sources/domain/source.events.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { timelineEntry, type Names } from '../../read-model/headline.js';
import { evolveView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { isNextRevision } from '../stream-order.js';

/**
 * The narrative timeline of PRODUCT.md §4: per incident event, its headline and the
 * changes it made. It keeps its own last view of each incident and its own source
 * names, so it never waits on another projection; a headline names sources and linked
 * incidents as they were named when its event was recorded.
 */
export const incidentTimelineProjection: Projection = {
  name: 'incident-timeline',
  eventTypes: [...INCIDENT_EVENT_TYPES, ...SOURCE_EVENT_TYPES],
  tables: ['incident_timeline', 'incident_timeline_state', 'incident_source_names'],
  async apply(recorded, manager) {
    if ((SOURCE_EVENT_TYPES as readonly string[]).includes(recorded.type)) await applySourceEvent(recorded, manager);
    else await applyIncidentEvent(recorded, manager);
  },
};

async function applyIncidentEvent(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  const event = storedIncidentEvent(recorded);
  const incidentId = event.data.incidentId;
  const [state] = await manager.query<{ version: number; view: IncidentView }[]>('SELECT version, view FROM incident_timeline_state WHERE incident_id = $1', [
    incidentId,
  ]);
  if (!isNextRevision(recorded.streamId, event.revision, state?.version)) return;
  const before = state?.view ?? null;
  const after = evolveView(before, event);
  const entry = timelineEntry(event, before, after, await namesIn([before, after], manager));
  await manager.query('INSERT INTO incident_timeline (incident_id, version, entry) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING', [
    incidentId,
    entry.version,
    JSON.stringify(entry),
  ]);
  await manager.query(
    `INSERT INTO incident_timeline_state (incident_id, version, view) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
    [incidentId, after.version, JSON.stringify(after)],
  );
}

async function applySourceEvent(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  // SourceRegistered names the source; SourceRevised carries only the fields it changed.
  const { sourceId, name, kind, confidential } = recorded.data as Pick<SourceRevisedData, 'sourceId' | 'name' | 'kind' | 'confidential'>;
  const [row] = await manager.query<{ version: number }[]>('SELECT version FROM incident_source_names WHERE source_id = $1', [sourceId]);
  if (!isNextRevision(recorded.streamId, recorded.revision, row?.version)) return;
  if (recorded.type === 'SourceRegistered') {
    await manager.query('INSERT INTO incident_source_names (source_id, version, name, kind, confidential) VALUES ($1, $2, $3, $4, $5)', [
      sourceId,
      recorded.revision,
      name,
      kind,
      confidential,
    ]);
  } else {
    await manager.query(
      'UPDATE incident_source_names SET version = $2, name = COALESCE($3, name), kind = COALESCE($4, kind), confidential = COALESCE($5, confidential) WHERE source_id = $1',
      [sourceId, recorded.revision, name ?? null, kind ?? null, confidential ?? null],
    );
  }
}

/**
 * How headlines and incident views name a source: a confidential one by that fact only,
 * since the timeline and the incident view are read by every role (PRODUCT.md §3).
 */
export const PUBLIC_SOURCE_NAME = "CASE WHEN confidential THEN 'Confidential source' ELSE name END";

/** The names the headline and changes of an event may need: the views' sources and linked incidents. */
async function namesIn(views: (IncidentView | null)[], manager: EntityManager): Promise<Names> {
  const known = views.filter((view) => view !== null);
  const sourceIds = [...new Set(known.flatMap((view) => view.sourceIds))];
  const incidentIds = [...new Set(known.flatMap((view) => view.links.map((link) => link.incidentId)))];
  const sources = await manager.query<{ id: string; name: string }[]>(
    `SELECT source_id AS id, ${PUBLIC_SOURCE_NAME} AS name FROM incident_source_names WHERE source_id = ANY($1::uuid[])`,
    [sourceIds],
  );
  const incidents = await manager.query<{ id: string; title: string }[]>(
    "SELECT incident_id AS id, view->>'title' AS title FROM incident_timeline_state WHERE incident_id = ANY($1::uuid[])",
    [incidentIds],
  );
  const sourceNames = new Map(sources.map(({ id, name }) => [id, name]));
  const titles = new Map(incidents.map(({ id, title }) => [id, title]));
  return {
    // Never missing in ledger order, as the write side refuses unregistered sources.
    source: (sourceId) => sourceNames.get(sourceId) ?? `source ${sourceId}`,
    incident: (incidentId) => titles.get(incidentId),
  };
}
