import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import type { Projection } from '../../../projections/projection.js';
import { writeRows } from '../../../projections/write-rows.js';
import { SOURCE_EVENT_TYPES, type SourceRegisteredData } from '../../../sources/domain/source.events.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { timelineEntry, type TimelineEntry } from '../../read-model/headline.js';
import { evolveView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent, type StoredIncidentEvent } from '../../read-model/stored-incident-event.js';
import { isNextRevision } from '../stream-order.js';

/**
 * The narrative timeline of PRODUCT.md §4: per incident event, its headline and the
 * changes it made. It keeps its own last view of each incident and its own source
 * names, so it never waits on another projection; a headline names sources and linked
 * incidents as they were named when its event was recorded.
 *
 * A batch is read once, told in memory in ledger order (a source renamed mid-batch is
 * named by its new name only in the entries after the rename) and written once.
 */
export const incidentTimelineProjection: Projection = {
  name: 'incident-timeline',
  eventTypes: [...INCIDENT_EVENT_TYPES, ...SOURCE_EVENT_TYPES],
  tables: ['incident_timeline', 'incident_timeline_state', 'incident_source_names'],
  async apply(batch, manager) {
    const steps = await foldIncidents(batch, manager);
    const sourceEvents = batch.filter(isSourceEvent);
    const names = await namesFor(steps, sourceEvents, manager);

    const entries: { incident_id: string; version: number; entry: TimelineEntry }[] = [];
    const renamed = new Set<string>();
    for (const [index, recorded] of batch.entries()) {
      if (isSourceEvent(recorded)) {
        if (names.apply(recorded)) renamed.add(sourceIdOf(recorded));
        continue;
      }
      const step = steps.get(index);
      if (!step) continue; // applied before
      entries.push({ incident_id: step.after.id, version: step.after.version, entry: timelineEntry(step.event, step.before, step.after, names) });
      names.titles.set(step.after.id, step.after.title);
    }

    await writeRows(
      manager,
      'INSERT INTO incident_timeline (incident_id, version, entry) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, version integer, entry jsonb) ON CONFLICT DO NOTHING',
      entries,
    );
    const latest = new Map([...steps.values()].map(({ after }) => [after.id, { incident_id: after.id, version: after.version, view: after }]));
    await writeRows(
      manager,
      `INSERT INTO incident_timeline_state (incident_id, version, view) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, version integer, view jsonb)
       ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
      [...latest.values()],
    );
    await writeRows(
      manager,
      `INSERT INTO incident_source_names (source_id, version, name, kind, confidential)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (source_id uuid, version integer, name text, kind text, confidential boolean)
       ON CONFLICT (source_id) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name, kind = EXCLUDED.kind, confidential = EXCLUDED.confidential`,
      [...renamed].flatMap((sourceId) => names.rows.get(sourceId) ?? []),
    );
  },
};

/**
 * How headlines and incident views name a source: a confidential one by that fact only,
 * since the timeline and the incident view are read by every role (PRODUCT.md §3).
 * publicSourceName is the same rule, for names held in memory.
 */
export const PUBLIC_SOURCE_NAME = "CASE WHEN confidential THEN 'Confidential source' ELSE name END";

function publicSourceName({ name, confidential }: SourceNameRow): string {
  return confidential ? 'Confidential source' : name;
}

interface Step {
  event: StoredIncidentEvent;
  before: IncidentView | null;
  after: IncidentView;
}

/** By place in the batch, what each incident event did to its incident's view; redelivered events are left out. */
async function foldIncidents(batch: readonly RecordedEvent[], manager: EntityManager): Promise<Map<number, Step>> {
  const events = [...batch.entries()].filter(([, recorded]) => !isSourceEvent(recorded)).map(([index, recorded]) => ({ index, recorded, event: storedIncidentEvent(recorded) }));
  const states = await manager.query<{ incident_id: string; version: number; view: IncidentView }[]>(
    'SELECT incident_id, version, view FROM incident_timeline_state WHERE incident_id = ANY($1::uuid[])',
    [[...new Set(events.map(({ event }) => event.data.incidentId))]],
  );
  const views = new Map(states.map((state) => [state.incident_id, state]));
  const steps = new Map<number, Step>();
  for (const { index, recorded, event } of events) {
    const state = views.get(event.data.incidentId);
    if (!isNextRevision(recorded.streamId, event.revision, state?.version)) continue;
    const before = state?.view ?? null;
    const after = evolveView(before, event);
    views.set(after.id, { incident_id: after.id, version: after.version, view: after });
    steps.set(index, { event, before, after });
  }
  return steps;
}

interface SourceNameRow {
  source_id: string;
  version: number;
  name: string;
  kind: string;
  confidential: boolean;
}

/**
 * The names the batch's headlines and changes may need (the views' sources and linked
 * incidents) as they stand before the batch, to be moved on event by event.
 */
async function namesFor(steps: Map<number, Step>, sourceEvents: RecordedEvent[], manager: EntityManager) {
  const views = [...steps.values()].flatMap(({ before, after }) => (before ? [before, after] : [after]));
  const sourceIds = new Set([...views.flatMap((view) => view.sourceIds), ...sourceEvents.map(sourceIdOf)]);
  const incidentIds = new Set(views.flatMap((view) => view.links.map((link) => link.incidentId)));
  const sources = await manager.query<SourceNameRow[]>('SELECT source_id, version, name, kind, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])', [
    [...sourceIds],
  ]);
  const incidents = await manager.query<{ id: string; title: string }[]>(
    "SELECT incident_id AS id, view->>'title' AS title FROM incident_timeline_state WHERE incident_id = ANY($1::uuid[])",
    [[...incidentIds]],
  );
  const rows = new Map(sources.map((row) => [row.source_id, row]));
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
    /** Applies a SourceRegistered or SourceRevised; false when it was applied before. */
    apply(recorded: RecordedEvent): boolean {
      const sourceId = sourceIdOf(recorded);
      const row = rows.get(sourceId);
      if (!isNextRevision(recorded.streamId, recorded.revision, row?.version)) return false;
      // SourceRegistered names the source; SourceRevised carries only the fields it changed.
      const { name, kind, confidential } = recorded.data as Partial<SourceRegisteredData>;
      rows.set(sourceId, {
        source_id: sourceId,
        version: recorded.revision,
        name: name ?? row?.name ?? '',
        kind: kind ?? row?.kind ?? '',
        confidential: confidential ?? row?.confidential ?? false,
      });
      return true;
    },
  };
}

function isSourceEvent(recorded: RecordedEvent): boolean {
  return (SOURCE_EVENT_TYPES as readonly string[]).includes(recorded.type);
}

function sourceIdOf(recorded: RecordedEvent): string {
  return (recorded.data as { sourceId: string }).sourceId;
}
