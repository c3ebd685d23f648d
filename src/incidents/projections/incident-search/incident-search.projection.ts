import type { Projection } from '../../../projections/projection.js';
import { StreamRows } from '../../../projections/stream-rows.js';
import { rowsWritten } from '../../../projections/write-rows.js';
import { INCIDENT_EVENT_TYPES, type Location, type Occurred } from '../../domain/incident.events.js';
import { asOwn, storedIncidentEvent, type StoredIncidentEvent } from '../../read-model/stored-incident-event.js';
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
 * match the incident view's; the claims' claimants and summaries are kept in
 * incident_search_claims, and written into the row. A retracted claim still counts: its
 * claimant made it.
 */
export const incidentSearchProjection: Projection = {
  name: 'incident-search',
  eventTypes: INCIDENT_EVENT_TYPES,
  tables: ['incident_search', 'incident_search_claims'],

  load(batch) {
    return {
      sql: `SELECT json_build_object(
              'rows', (SELECT coalesce(json_agg(json_build_object(
                         'id', id, 'version', version, 'title', title, 'description', description, 'location', location, 'occurred', occurred,
                         'occurred_from', occurred_from, 'occurred_to', occurred_to, 'tags', tags, 'merged_into', merged_into, 'merged_at', merged_at, 'opened_at', opened_at, 'updated_at', updated_at)), '[]')
                         FROM incident_search WHERE id = ANY($1::uuid[])),
              'claims', (SELECT coalesce(json_agg(json_build_object('incident_id', incident_id, 'claim_id', claim_id, 'claimant_id', claimant_id, 'summary', summary)), '[]')
                           FROM incident_search_claims WHERE incident_id = ANY($1::uuid[])))`,
      params: [[...new Set(batch.map((recorded) => storedIncidentEvent(recorded).data.incidentId))]],
    };
  },

  fold(batch, loaded) {
    const { rows, claims: claimRows } = loaded as { rows: SearchRow[]; claims: ClaimRow[] };
    const incidents = StreamRows.of(rows, (row) => row.id, (row) => row.version);
    const claims = new Map(claimRows.map((claim) => [claimKey(claim.incident_id, claim.claim_id), claim]));
    const changedClaims = new Set<string>();
    const movedClaims: ClaimRow[] = [];
    for (const recorded of batch) {
      const event = storedIncidentEvent(recorded);
      incidents.apply(event.data.incidentId, recorded, (row) => {
        const changed = applyChange(event, row, claims);
        for (const key of changed.claimKeys ?? []) changedClaims.add(key);
        for (const key of changed.movedOut ?? []) {
          movedClaims.push(claims.get(key)!);
          claims.delete(key);
          changedClaims.delete(key);
        }
        return { ...changed.row, version: event.revision, updated_at: event.recordedAt };
      });
    }
    // What the row keeps of its claims: who made them, and their summaries for the full text.
    const byIncident = new Map<string, ClaimRow[]>();
    for (const claim of claims.values()) byIncident.set(claim.incident_id, [...(byIncident.get(claim.incident_id) ?? []), claim]);
    const written = incidents.changed().map((row) => {
      const own = (byIncident.get(row.id) ?? []).sort((a, b) => compare(a.claim_id, b.claim_id));
      return { ...row, claimant_ids: [...new Set(own.map((claim) => claim.claimant_id))].sort(compare), summaries: own.map((claim) => claim.summary).join(' ') };
    });
    return [
      ...rowsWritten(
        `DELETE FROM incident_search_claims USING jsonb_to_recordset($1::jsonb) AS moved (incident_id uuid, claim_id uuid)
          WHERE incident_search_claims.incident_id = moved.incident_id AND incident_search_claims.claim_id = moved.claim_id`,
        movedClaims,
      ),
      ...rowsWritten(
        `INSERT INTO incident_search_claims (incident_id, claim_id, claimant_id, summary)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS claim (incident_id uuid, claim_id uuid, claimant_id uuid, summary text)
         ON CONFLICT (incident_id, claim_id) DO UPDATE SET claimant_id = EXCLUDED.claimant_id, summary = EXCLUDED.summary`,
        [...changedClaims].flatMap((key) => claims.get(key) ?? []),
      ),
      ...rowsWritten(
        `INSERT INTO incident_search (id, version, title, description, location, occurred, occurred_from, occurred_to, tags, merged_into, merged_at, claimant_ids, search, opened_at, updated_at)
         SELECT row.id, row.version, row.title, row.description, row.location, row.occurred, row.occurred_from, row.occurred_to, row.tags, row.merged_into, row.merged_at, row.claimant_ids,
                setweight(to_tsvector($2::regconfig, row.title), 'A')
                  || setweight(to_tsvector($2::regconfig, coalesce(row.description, '')), 'B')
                  || setweight(to_tsvector($2::regconfig, row.summaries), 'C'),
                row.opened_at, row.updated_at
           FROM jsonb_to_recordset($1::jsonb) AS row (
                  id uuid, version integer, title text, description text, location jsonb, occurred jsonb, occurred_from timestamptz, occurred_to timestamptz,
                  tags text[], merged_into uuid, merged_at timestamptz, claimant_ids uuid[], summaries text, opened_at timestamptz, updated_at timestamptz)
         ON CONFLICT (id) DO UPDATE SET
           version = EXCLUDED.version, title = EXCLUDED.title, description = EXCLUDED.description, location = EXCLUDED.location,
           occurred = EXCLUDED.occurred, occurred_from = EXCLUDED.occurred_from, occurred_to = EXCLUDED.occurred_to, tags = EXCLUDED.tags, merged_into = EXCLUDED.merged_into, merged_at = EXCLUDED.merged_at,
           claimant_ids = EXCLUDED.claimant_ids, search = EXCLUDED.search, opened_at = EXCLUDED.opened_at, updated_at = EXCLUDED.updated_at`,
        written,
        SEARCH_CONFIG,
      ),
    ];
  },
};

/** An incident_search row as the projection reads and writes it (claimant_ids and search are derived on writing). Times as JSON gives them. */
interface SearchRow {
  id: string;
  version: number;
  title: string;
  description: string | null;
  location: Location;
  occurred: Occurred;
  occurred_from: string;
  occurred_to: string;
  tags: string[];
  merged_into: string | null;
  merged_at: string | null;
  opened_at: string;
  updated_at: string;
}

interface ClaimRow {
  incident_id: string;
  claim_id: string;
  claimant_id: string;
  summary: string;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function claimKey(incidentId: string, claimId: string): string {
  return `${incidentId}/${claimId}`;
}

interface Change {
  row: SearchRow;
  /** Claims of the row reported or changed. */
  claimKeys?: string[];
  /** Claims of the row moved to another incident. */
  movedOut?: string[];
}

/** The event's own change to its incident's row and claims; the write then derives claimant_ids and the document. */
function applyChange(event: StoredIncidentEvent, row: SearchRow | undefined, claims: Map<string, ClaimRow>): Change {
  if (event.type === 'IncidentOpened') {
    const { incidentId, title, description, location, occurred, tags } = event.data;
    const bounds = occurredBounds(occurred);
    return {
      row: {
        id: incidentId,
        version: event.revision,
        title,
        description: description ?? null,
        location,
        occurred,
        occurred_from: bounds.from,
        occurred_to: bounds.to,
        tags,
        merged_into: null,
        merged_at: null,
        opened_at: event.recordedAt,
        updated_at: event.recordedAt,
      },
    };
  }
  // StreamRows lets nothing but IncidentOpened through to an incident without a row: it comes first.
  if (!row) throw new Error(`${event.type} on incident ${event.data.incidentId} before IncidentOpened`);
  switch (event.type) {
    case 'IncidentRevised': {
      // A revision carries only the fields it changed, each replacing the old value whole.
      const { title, description, location, occurred, tags } = event.data;
      const bounds = occurred && occurredBounds(occurred);
      return {
        row: {
          ...row,
          title: title ?? row.title,
          description: description ?? row.description,
          location: location ?? row.location,
          occurred: occurred ?? row.occurred,
          occurred_from: bounds?.from ?? row.occurred_from,
          occurred_to: bounds?.to ?? row.occurred_to,
          tags: tags ?? row.tags,
        },
      };
    }
    case 'ClaimReported': {
      const { incidentId, claimId, claimantId, summary } = event.data;
      const key = claimKey(incidentId, claimId);
      claims.set(key, { incident_id: incidentId, claim_id: claimId, claimant_id: claimantId, summary });
      return { row, claimKeys: [key] };
    }
    case 'ClaimAmended':
    case 'ClaimCorrected': {
      const { incidentId, claimId, summary } = event.data;
      const claimantId = event.type === 'ClaimCorrected' ? event.data.claimantId : undefined;
      const key = claimKey(incidentId, claimId);
      const claim = claims.get(key);
      if (!claim) return { row };
      claims.set(key, { ...claim, summary: summary ?? claim.summary, claimant_id: claimantId ?? claim.claimant_id });
      return { row, claimKeys: [key] };
    }
    case 'IncidentMerged':
      return { row: { ...row, merged_into: event.data.into, merged_at: event.recordedAt } };
    case 'IncidentSplit':
      return { row, movedOut: event.data.claimIds.map((claimId) => claimKey(row.id, claimId)).filter((key) => claims.has(key)) };
    // Carried claims become this incident's, as if reported here.
    case 'IncidentAbsorbed':
    case 'IncidentSplitFrom': {
      const claimKeys = event.data.events.flatMap((carried) => applyChange(asOwn(carried, row.id), row, claims).claimKeys ?? []);
      return { row, claimKeys };
    }
    case 'IncidentsLinked':
    case 'IncidentLinkedFrom':
    case 'SourceStatementRecorded':
    case 'ClaimRetracted':
    case 'ClaimAssessed':
      return { row };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}
