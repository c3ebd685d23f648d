import type { EntityManager } from 'typeorm';
import type { Projection } from '../../../projections/projection.js';
import { INCIDENT_EVENT_TYPES } from '../../domain/incident.events.js';
import { storedIncidentEvent, type StoredIncidentEvent } from '../../read-model/stored-incident-event.js';
import { isNextRevision } from '../stream-order.js';
import { occurredBounds } from './occurred-bounds.js';

/**
 * The full-text configuration of the search document and of the queries against it.
 * 'english': titles, descriptions and claim summaries are the desk's English, so
 * stemming lets "killed" find "kill" and "soldiers" find "soldier"; proper names
 * (Tinzaouaten, JNIM) pass through the stemmer unchanged or stem the same way in the
 * query. Quotes in their original languages are not in the document.
 */
export const SEARCH_CONFIG = 'english';

/**
 * Incident search (PRODUCT.md §4): one row per incident with what the filters, sorts and
 * full-text search read. It takes every incident event, so that version and updated_at
 * match the incident view's; the claims' claimants and summaries come from
 * incident_search_claims. A retracted claim still counts: its claimant made it.
 */
export const incidentSearchProjection: Projection = {
  name: 'incident-search',
  eventTypes: INCIDENT_EVENT_TYPES,
  tables: ['incident_search', 'incident_search_claims'],
  async apply(recorded, manager) {
    const event = storedIncidentEvent(recorded);
    const [row] = await manager.query<{ version: number }[]>('SELECT version FROM incident_search WHERE id = $1', [event.data.incidentId]);
    if (!isNextRevision(recorded.streamId, event.revision, row?.version)) return;
    await applyChange(event, manager);
    await manager.query(
      `UPDATE incident_search SET
         version = $2,
         updated_at = $3,
         claimant_ids = claims.claimant_ids,
         search = setweight(to_tsvector($4::regconfig, title), 'A')
               || setweight(to_tsvector($4::regconfig, coalesce(description, '')), 'B')
               || setweight(to_tsvector($4::regconfig, claims.summaries), 'C')
       FROM (
         SELECT coalesce(array_agg(DISTINCT claimant_id ORDER BY claimant_id), '{}') AS claimant_ids,
                coalesce(string_agg(summary, ' ' ORDER BY claim_id), '') AS summaries
           FROM incident_search_claims WHERE incident_id = $1
       ) claims
       WHERE id = $1`,
      [event.data.incidentId, event.revision, event.recordedAt, SEARCH_CONFIG],
    );
  },
};

// The event's own change; the UPDATE above then derives claimant_ids and the document.
async function applyChange(event: StoredIncidentEvent, manager: EntityManager): Promise<void> {
  switch (event.type) {
    case 'IncidentOpened': {
      const { incidentId, title, description, location, occurred, tags } = event.data;
      const bounds = occurredBounds(occurred);
      await manager.query(
        `INSERT INTO incident_search (id, version, title, description, location, occurred, occurred_from, occurred_to, tags, claimant_ids, search, opened_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9::text[], '{}', '', $10, $10)`,
        [incidentId, event.revision, title, description ?? null, JSON.stringify(location), JSON.stringify(occurred), bounds.from, bounds.to, tags, event.recordedAt],
      );
      return;
    }
    case 'IncidentRevised': {
      // A revision carries only the fields it changed, each replacing the old value whole.
      const { incidentId, title, description, location, occurred, tags } = event.data;
      const bounds = occurred && occurredBounds(occurred);
      await manager.query(
        `UPDATE incident_search SET
           title = coalesce($2, title),
           description = coalesce($3, description),
           location = coalesce($4::jsonb, location),
           occurred = coalesce($5::jsonb, occurred),
           occurred_from = coalesce($6, occurred_from),
           occurred_to = coalesce($7, occurred_to),
           tags = coalesce($8::text[], tags)
         WHERE id = $1`,
        [incidentId, title ?? null, description ?? null, jsonOrNull(location), jsonOrNull(occurred), bounds?.from ?? null, bounds?.to ?? null, tags ?? null],
      );
      return;
    }
    case 'ClaimReported': {
      const { incidentId, claimId, claimantId, summary } = event.data;
      await manager.query('INSERT INTO incident_search_claims (incident_id, claim_id, claimant_id, summary) VALUES ($1, $2, $3, $4)', [incidentId, claimId, claimantId, summary]);
      return;
    }
    case 'ClaimAmended':
    case 'ClaimCorrected': {
      const { incidentId, claimId, summary } = event.data;
      const claimantId = event.type === 'ClaimCorrected' ? event.data.claimantId : undefined;
      await manager.query(
        'UPDATE incident_search_claims SET summary = coalesce($3, summary), claimant_id = coalesce($4, claimant_id) WHERE incident_id = $1 AND claim_id = $2',
        [incidentId, claimId, summary ?? null, claimantId ?? null],
      );
      return;
    }
    case 'IncidentsLinked':
    case 'SourceStatementRecorded':
    case 'ClaimRetracted':
    case 'ClaimAssessed':
      return;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

function jsonOrNull(value: object | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
