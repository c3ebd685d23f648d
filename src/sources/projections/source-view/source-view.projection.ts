import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import { INCIDENT_EVENT_TYPES } from '../../../incidents/domain/incident.events.js';
import { isNextRevision } from '../../../incidents/projections/stream-order.js';
import { storedIncidentEvent } from '../../../incidents/read-model/stored-incident-event.js';
import type { Projection } from '../../../projections/projection.js';
import { SOURCE_EVENT_TYPES, type SourceEvent } from '../../domain/source.events.js';

/**
 * The source view of PRODUCT.md §4: each source as its stream describes it, and the
 * rows its track record is counted from (claims, statements, stances), read from every
 * incident stream. Each stream's progress is kept (source_view.version,
 * source_view_incidents.version), so a redelivered event is skipped whole.
 */
export const sourceViewProjection: Projection = {
  name: 'source-view',
  eventTypes: [...SOURCE_EVENT_TYPES, ...INCIDENT_EVENT_TYPES],
  tables: ['source_view', 'source_view_incidents', 'source_view_claims', 'source_view_statements', 'source_view_stances'],
  async apply(recorded, manager) {
    if ((SOURCE_EVENT_TYPES as readonly string[]).includes(recorded.type)) await applySourceEvent(recorded, manager);
    else await applyIncidentEvent(recorded, manager);
  },
};

async function applySourceEvent(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  // The write side checked the data against its event type before appending it.
  const event = { type: recorded.type, data: recorded.data } as unknown as SourceEvent;
  const [row] = await manager.query<{ version: number }[]>('SELECT version FROM source_view WHERE id = $1', [event.data.sourceId]);
  if (!isNextRevision(recorded.streamId, recorded.revision, row?.version)) return;
  const { recordedAt } = recorded.metadata;
  if (typeof recordedAt !== 'string') throw new Error(`${recorded.streamId}@${recorded.revision}: ${recorded.type} lacks recordedAt`);
  switch (event.type) {
    case 'SourceRegistered': {
      const { sourceId, name, kind, aliases, country, description, confidential } = event.data;
      await manager.query(
        `INSERT INTO source_view (id, version, name, kind, aliases, country, description, confidential, registered_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $9)`,
        [sourceId, recorded.revision, name, kind, aliases, country ?? null, description ?? null, confidential, recordedAt],
      );
      return;
    }
    case 'SourceRevised': {
      // A revision carries only the fields it changed.
      const { sourceId, name, kind, aliases, country, description, confidential } = event.data;
      await manager.query(
        `UPDATE source_view SET version = $2, updated_at = $3,
           name = coalesce($4, name), kind = coalesce($5, kind), aliases = coalesce($6::text[], aliases),
           country = coalesce($7, country), description = coalesce($8, description), confidential = coalesce($9, confidential)
         WHERE id = $1`,
        [sourceId, recorded.revision, recordedAt, name ?? null, kind ?? null, aliases ?? null, country ?? null, description ?? null, confidential ?? null],
      );
      return;
    }
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled source event ${JSON.stringify(unhandled)}`);
    }
  }
}

async function applyIncidentEvent(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
  const event = storedIncidentEvent(recorded);
  const incidentId = event.data.incidentId;
  const [row] = await manager.query<{ version: number }[]>('SELECT version FROM source_view_incidents WHERE incident_id = $1', [incidentId]);
  if (!isNextRevision(recorded.streamId, event.revision, row?.version)) return;
  const updateClaim = (claimId: string, set: string, values: unknown[] = []) =>
    manager.query(`UPDATE source_view_claims SET ${set} WHERE incident_id = $1 AND claim_id = $2`, [incidentId, claimId, ...values]);
  switch (event.type) {
    case 'SourceStatementRecorded': {
      const { statementId, sourceId, via, stances } = event.data;
      await manager.query('INSERT INTO source_view_statements (incident_id, statement_id, source_id, via) VALUES ($1, $2, $3, $4::uuid[])', [incidentId, statementId, sourceId, via]);
      await manager.query(
        `INSERT INTO source_view_stances (incident_id, statement_id, claim_id, stance)
         SELECT $1, $2, claim_id, stance FROM unnest($3::uuid[], $4::text[]) AS taken (claim_id, stance)`,
        [incidentId, statementId, stances.map((taken) => taken.claimId), stances.map((taken) => taken.stance)],
      );
      break;
    }
    case 'ClaimReported': {
      const { claimId, claimantId, via } = event.data;
      await manager.query(
        `INSERT INTO source_view_claims (incident_id, claim_id, claimant_id, via, status, amended) VALUES ($1, $2, $3, $4::uuid[], 'active', false)`,
        [incidentId, claimId, claimantId, via],
      );
      break;
    }
    case 'ClaimAmended':
      await updateClaim(event.data.claimId, `status = 'amended', amended = true`);
      break;
    case 'ClaimRetracted':
      await updateClaim(event.data.claimId, `status = 'retracted'`);
      break;
    case 'ClaimCorrected':
      // The desk's fix of a wrong claimant or conduit moves the claim to the right record.
      await updateClaim(event.data.claimId, 'claimant_id = coalesce($3, claimant_id), via = coalesce($4::uuid[], via)', [event.data.claimantId ?? null, event.data.via ?? null]);
      break;
    case 'ClaimAssessed':
      await updateClaim(event.data.claimId, 'grade = $3', [event.data.grade]);
      break;
    case 'IncidentOpened':
    case 'IncidentRevised':
    case 'IncidentsLinked':
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
  await manager.query(
    `INSERT INTO source_view_incidents (incident_id, version) VALUES ($1, $2)
     ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version`,
    [incidentId, event.revision],
  );
}
