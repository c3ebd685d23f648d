import type { Projection } from '../../../projections/projection.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { evolveView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { isNextRevision } from '../stream-order.js';

/** The incident view of PRODUCT.md §4, one row per incident: what evolveView makes of its stream. */
export const incidentViewProjection: Projection = {
  name: 'incident-view',
  eventTypes: INCIDENT_EVENT_TYPES,
  tables: ['incident_views'],
  async apply(recorded, manager) {
    const event = storedIncidentEvent(recorded);
    const incidentId = event.data.incidentId;
    const [row] = await manager.query<{ version: number; view: IncidentView }[]>('SELECT version, view FROM incident_views WHERE incident_id = $1', [incidentId]);
    if (!isNextRevision(recorded.streamId, event.revision, row?.version)) return;
    const view = evolveView(row?.view ?? null, event);
    await manager.query(
      `INSERT INTO incident_views (incident_id, version, view) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view`,
      [incidentId, view.version, JSON.stringify(view)],
    );
  },
};
