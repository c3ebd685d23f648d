import type { RecordedEvent } from '../../../event-store/event-store.js';
import { INCIDENT_EVENT_TYPES } from '../../../incidents/domain/incident.events.js';
import { asOwn, storedIncidentEvent, type StoredIncidentEvent } from '../../../incidents/read-model/stored-incident-event.js';
import type { Projection, Statement } from '../../../projections/projection.js';
import { StreamRows } from '../../../projections/stream-rows.js';
import { rowsWritten } from '../../../projections/write-rows.js';
import { SOURCE_EVENT_TYPES, type SourceEvent } from '../../domain/source.events.js';
import { ERASED_SOURCE_NAME } from '../../erasure/identifying-fields.js';

/**
 * The source view of PRODUCT.md §4: each source as its stream describes it, and the
 * rows its track record is counted from (claims, statements, stances), read from every
 * incident stream. Each stream's progress is kept (source_view.version,
 * source_view_incidents.version), so a redelivered event is skipped whole.
 *
 */
export const sourceViewProjection: Projection = {
  name: 'source-view',
  eventTypes: [...SOURCE_EVENT_TYPES, ...INCIDENT_EVENT_TYPES],
  tables: ['source_view', 'source_view_incidents', 'source_view_claims', 'source_view_statements', 'source_view_stances'],

  load(batch) {
    const sourceIds = batch.filter(isSourceEvent).map((recorded) => (recorded.data as { sourceId: string }).sourceId);
    const incidentIds = batch.filter((recorded) => !isSourceEvent(recorded)).map((recorded) => storedIncidentEvent(recorded).data.incidentId);
    return {
      sql: `SELECT json_build_object(
              'sources', (SELECT coalesce(json_agg(sources), '[]') FROM source_view sources WHERE id = ANY($1::uuid[])),
              'progress', (SELECT coalesce(json_agg(progress), '[]') FROM source_view_incidents progress WHERE incident_id = ANY($2::uuid[])),
              'claims', (SELECT coalesce(json_agg(claims), '[]') FROM source_view_claims claims WHERE incident_id = ANY($2::uuid[])))`,
      params: [[...new Set(sourceIds)], [...new Set(incidentIds)]],
    };
  },

  fold(batch, loaded) {
    const { sources, progress, claims } = loaded as { sources: SourceRow[]; progress: { incident_id: string; version: number }[]; claims: ClaimRow[] };
    // Source events and incident events touch separate tables: each kind is folded on its own, in ledger order.
    return [...foldSourceEvents(batch.filter(isSourceEvent), sources), ...foldIncidentEvents(batch.filter((recorded) => !isSourceEvent(recorded)), progress, claims)];
  },
};

function isSourceEvent(recorded: RecordedEvent): boolean {
  return (SOURCE_EVENT_TYPES as readonly string[]).includes(recorded.type);
}

interface SourceRow {
  id: string;
  version: number;
  name: string;
  kind: string;
  aliases: string[];
  country: string | null;
  description: string | null;
  confidential: boolean;
  erased: boolean;
  registered_at: string;
  updated_at: string;
}

function foldSourceEvents(batch: RecordedEvent[], rows: SourceRow[]): Statement[] {
  const sources = StreamRows.of(rows, (row) => row.id, (row) => row.version);
  for (const recorded of batch) {
    // The write side checked the data against its event type before appending it.
    const event = { type: recorded.type, data: recorded.data } as unknown as SourceEvent;
    const { recordedAt } = recorded.metadata;
    if (typeof recordedAt !== 'string') throw new Error(`${recorded.streamId}@${recorded.revision}: ${recorded.type} lacks recordedAt`);
    sources.apply(event.data.sourceId, recorded, (row) => sourceAfter(event, row, recorded.revision, recordedAt));
  }
  return rowsWritten(
    `INSERT INTO source_view (id, version, name, kind, aliases, country, description, confidential, erased, registered_at, updated_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (
       id uuid, version integer, name text, kind text, aliases text[], country text, description text, confidential boolean, erased boolean,
       registered_at timestamptz, updated_at timestamptz)
     ON CONFLICT (id) DO UPDATE SET
       version = EXCLUDED.version, name = EXCLUDED.name, kind = EXCLUDED.kind, aliases = EXCLUDED.aliases, country = EXCLUDED.country,
       description = EXCLUDED.description, confidential = EXCLUDED.confidential, erased = EXCLUDED.erased,
       registered_at = EXCLUDED.registered_at, updated_at = EXCLUDED.updated_at`,
    sources.changed(),
  );
}

function sourceAfter(event: SourceEvent, row: SourceRow | undefined, revision: number, recordedAt: string): SourceRow {
  switch (event.type) {
    case 'SourceRegistered': {
      const { sourceId, name, kind, aliases, country, description, confidential } = event.data;
      return {
        id: sourceId,
        version: revision,
        name,
        kind,
        aliases,
        country: country ?? null,
        description: description ?? null,
        confidential,
        erased: false,
        registered_at: recordedAt,
        updated_at: recordedAt,
      };
    }
    case 'SourceRevised': {
      // StreamRows lets nothing but SourceRegistered through to a source without a row: it comes first.
      if (!row) throw new Error(`SourceRevised on source ${event.data.sourceId} before SourceRegistered`);
      // A revision carries only the fields it changed.
      const { name, kind, aliases, country, description, confidential } = event.data;
      return {
        ...row,
        version: revision,
        updated_at: recordedAt,
        name: name ?? row.name,
        kind: kind ?? row.kind,
        aliases: aliases ?? row.aliases,
        country: country ?? row.country,
        description: description ?? row.description,
        confidential: confidential ?? row.confidential,
      };
    }
    case 'SourceErased': {
      if (!row) throw new Error(`SourceErased on source ${event.data.sourceId} before SourceRegistered`);
      // As the events read once the key is gone (identifying-fields.ts), so that a rebuild agrees.
      return { ...row, version: revision, updated_at: recordedAt, name: ERASED_SOURCE_NAME, aliases: [], description: null, erased: true };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled source event ${JSON.stringify(unhandled)}`);
    }
  }
}

interface ClaimRow {
  incident_id: string;
  claim_id: string;
  claimant_id: string;
  via: string[];
  /** As the incident view has it; amended stays true once the claimant amended the claim. */
  status: 'active' | 'amended' | 'retracted';
  amended: boolean;
  grade: string | null;
}

function foldIncidentEvents(batch: RecordedEvent[], progress: { incident_id: string; version: number }[], claimRows: ClaimRow[]): Statement[] {
  const incidents = StreamRows.of(progress, (row) => row.incident_id, (row) => row.version);
  const claims = new Map(claimRows.map((claim) => [`${claim.incident_id}/${claim.claim_id}`, claim]));
  const changedClaims = new Set<string>();
  const statements: { incident_id: string; statement_id: string; source_id: string; via: string[] }[] = [];
  const stances: { incident_id: string; statement_id: string; claim_id: string; stance: string }[] = [];
  // A merge or split moves claims and statements to the incident that now holds them: rows
  // of the incident they left are deleted after the batch's inserts (no event adds to a
  // merged incident, nor brings a moved claim back).
  const merged: string[] = [];
  const movedOut: { incident_id: string; id: string }[] = [];
  const apply = (event: StoredIncidentEvent, incidentId: string): void => {
    const updateClaim = (claimId: string, change: (claim: ClaimRow) => Partial<ClaimRow>) => {
      const key = `${incidentId}/${claimId}`;
      const claim = claims.get(key);
      if (!claim) return;
      claims.set(key, { ...claim, ...change(claim) });
      changedClaims.add(key);
    };
    switch (event.type) {
      case 'SourceStatementRecorded': {
        const { statementId, sourceId, via } = event.data;
        statements.push({ incident_id: incidentId, statement_id: statementId, source_id: sourceId, via });
        stances.push(...event.data.stances.map(({ claimId, stance }) => ({ incident_id: incidentId, statement_id: statementId, claim_id: claimId, stance })));
        break;
      }
      case 'ClaimReported': {
        const { claimId, claimantId, via } = event.data;
        claims.set(`${incidentId}/${claimId}`, { incident_id: incidentId, claim_id: claimId, claimant_id: claimantId, via, status: 'active', amended: false, grade: null });
        changedClaims.add(`${incidentId}/${claimId}`);
        break;
      }
      case 'ClaimAmended':
        updateClaim(event.data.claimId, () => ({ status: 'amended', amended: true }));
        break;
      case 'ClaimRetracted':
        updateClaim(event.data.claimId, () => ({ status: 'retracted' }));
        break;
      case 'ClaimCorrected': {
        // The desk's fix of a wrong claimant or conduit moves the claim to the right record.
        const { claimantId, via } = event.data;
        updateClaim(event.data.claimId, (claim) => ({ claimant_id: claimantId ?? claim.claimant_id, via: via ?? claim.via }));
        break;
      }
      case 'ClaimAssessed':
        updateClaim(event.data.claimId, () => ({ grade: event.data.grade }));
        break;
      case 'IncidentMerged':
        merged.push(incidentId);
        break;
      case 'IncidentSplit':
        movedOut.push(...[...event.data.claimIds, ...event.data.statementIds].map((id) => ({ incident_id: incidentId, id })));
        for (const claimId of event.data.claimIds) changedClaims.delete(`${incidentId}/${claimId}`);
        break;
      case 'IncidentAbsorbed':
      case 'IncidentSplitFrom':
        for (const carried of event.data.events) apply(asOwn(carried, incidentId), incidentId);
        break;
      case 'IncidentOpened':
      case 'IncidentRevised':
      case 'IncidentsLinked':
      case 'IncidentLinkedFrom':
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
      }
    }
  };
  for (const recorded of batch) {
    const event = storedIncidentEvent(recorded);
    const incidentId = event.data.incidentId;
    incidents.apply(incidentId, recorded, () => {
      apply(event, incidentId);
      return { incident_id: incidentId, version: event.revision };
    });
  }
  // The deletes below see the tables as they were before the batch: what the batch itself
  // added for an incident it then merged, or for a claim or statement it then moved, must not
  // be written in the first place.
  const stays = (incidentId: string, id: string) => !merged.includes(incidentId) && !movedOut.some((moved) => moved.incident_id === incidentId && moved.id === id);
  return [
    ...rowsWritten(
      'INSERT INTO source_view_statements (incident_id, statement_id, source_id, via) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, statement_id uuid, source_id uuid, via uuid[])',
      statements.filter((row) => stays(row.incident_id, row.statement_id)),
    ),
    ...rowsWritten(
      'INSERT INTO source_view_stances (incident_id, statement_id, claim_id, stance) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, statement_id uuid, claim_id uuid, stance text)',
      stances.filter((row) => stays(row.incident_id, row.statement_id)),
    ),
    ...rowsWritten(
      `INSERT INTO source_view_claims (incident_id, claim_id, claimant_id, via, status, amended, grade)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, claim_id uuid, claimant_id uuid, via uuid[], status text, amended boolean, grade text)
       ON CONFLICT (incident_id, claim_id) DO UPDATE SET
         claimant_id = EXCLUDED.claimant_id, via = EXCLUDED.via, status = EXCLUDED.status, amended = EXCLUDED.amended, grade = EXCLUDED.grade`,
      [...changedClaims].flatMap((key) => claims.get(key) ?? []).filter((row) => stays(row.incident_id, row.claim_id)),
    ),
    ...rowsWritten(
      `INSERT INTO source_view_incidents (incident_id, version) SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (incident_id uuid, version integer)
       ON CONFLICT (incident_id) DO UPDATE SET version = EXCLUDED.version`,
      incidents.changed(),
    ),
    ...[
      'DELETE FROM source_view_claims WHERE incident_id = ANY($1::uuid[])',
      'DELETE FROM source_view_statements WHERE incident_id = ANY($1::uuid[])',
      'DELETE FROM source_view_stances WHERE incident_id = ANY($1::uuid[])',
    ].flatMap((sql) => (merged.length > 0 ? [{ sql, params: [merged] }] : [])),
    ...[
      'DELETE FROM source_view_claims t USING jsonb_to_recordset($1::jsonb) AS m (incident_id uuid, id uuid) WHERE t.incident_id = m.incident_id AND t.claim_id = m.id',
      'DELETE FROM source_view_statements t USING jsonb_to_recordset($1::jsonb) AS m (incident_id uuid, id uuid) WHERE t.incident_id = m.incident_id AND t.statement_id = m.id',
      'DELETE FROM source_view_stances t USING jsonb_to_recordset($1::jsonb) AS m (incident_id uuid, id uuid) WHERE t.incident_id = m.incident_id AND t.statement_id = m.id',
    ].flatMap((sql) => rowsWritten(sql, movedOut)),
  ];
}
