import type { Projection } from '../../../projections/projection.js';
import { writeRows } from '../../../projections/write-rows.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { evolveView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { isNextRevision } from '../stream-order.js';

/** The incident view of PRODUCT.md §4, one row per incident: what evolveView makes of its stream. */
export const incidentViewProjection: Projection = {
  name: 'incident-view',
  eventTypes: INCIDENT_EVENT_TYPES,
  tables: ['incident_views'],
  async apply(batch, manager) {
    // The batch's incidents are read once, folded in memory and written once.
    const events = batch.map((recorded) => ({ streamId: recorded.streamId, event: storedIncidentEvent(recorded) }));
    const rows = await manager.query<{ incident_id: string; version: number; view: IncidentView }[]>(
      'SELECT incident_id, version, view FROM incident_views WHERE incident_id = ANY($1::uuid[])',
      [[...new Set(events.map(({ event }) => event.data.incidentId))]],
    );
    const views = new Map(rows.map((row) => [row.incident_id, row]));
    const changed = new Set<string>();
    for (const { streamId, event } of events) {
      const incidentId = event.data.incidentId;
      const row = views.get(incidentId);
      if (!isNextRevision(streamId, event.revision, row?.version)) continue;
      const view = evolveView(row?.view ?? null, event);
      views.set(incidentId, { incident_id: incidentId, version: view.version, view });
      changed.add(incidentId);
    }
    await writeRows(
      manager,
      `INSERT INTO incident_views (incident_id, version, view)
       SELECT incident_id, version, view FROM jsonb_to_recordset($1::jsonb) AS changed (incident_id uuid, version integer, view jsonb)
       ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
      [...changed].flatMap((incidentId) => views.get(incidentId) ?? []),
    );
  },
};
