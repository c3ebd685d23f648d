import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../common/domain-error.js';
import type { Principal } from '../../../auth/api-keys.js';
import { identifiesConfidentialSources } from '../../../auth/confidentiality.js';
import { SourceAccessLog } from '../../source-access-log.js';
import { SOURCE_COLUMNS, type SourceRow, sourceAsSeenBy, tellsAConfidentialIdentity } from '../source-response.js';
import { type IncidentRole, type SourceWithTrackRecord, type TrackRecordClaim, trackRecord } from './track-record.js';

export class GetSourceQuery extends Query<SourceWithTrackRecord> {
  constructor(
    readonly sourceId: string,
    readonly viewer: Principal,
  ) {
    super();
  }
}

type ClaimRow = { incident_id: string; claim_id: string; status: TrackRecordClaim['status']; amended: boolean; grade: TrackRecordClaim['grade']; stances: TrackRecordClaim['stances'] };

@QueryHandler(GetSourceQuery)
export class GetSourceHandler implements IQueryHandler<GetSourceQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: SourceAccessLog,
  ) {}

  async execute(query: GetSourceQuery): Promise<SourceWithTrackRecord> {
    const source = await this.read(query);
    if (tellsAConfidentialIdentity(source) && identifiesConfidentialSources(query.viewer.role)) await this.accessLog.record(query.viewer, [source.id], 'GET /sources/{sourceId}');
    return source;
  }

  // One snapshot for the three reads, so the counts match the source's rows as of one batch.
  private read({ sourceId, viewer }: GetSourceQuery): Promise<SourceWithTrackRecord> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [source] = await manager.query<SourceRow[]>(`SELECT ${SOURCE_COLUMNS} FROM source_view WHERE id = $1`, [sourceId]);
      if (!source) throw new DomainError('not_found', 'source_not_found', `No source ${sourceId} is registered.`);
      const claimRows = await manager.query<ClaimRow[]>(
        `SELECT c.incident_id, c.claim_id, c.status, c.amended, c.grade, coalesce(others.stances, '[]') AS stances
           FROM source_view_claims c
           LEFT JOIN LATERAL (
             SELECT json_agg(json_build_object('sourceId', st.source_id, 'stance', x.stance, 'statementId', x.statement_id) ORDER BY x.statement_id) AS stances
               FROM source_view_stances x JOIN source_view_statements st USING (incident_id, statement_id)
              WHERE x.incident_id = c.incident_id AND x.claim_id = c.claim_id AND st.source_id <> c.claimant_id
           ) others ON true
          WHERE c.claimant_id = $1
          ORDER BY c.incident_id, c.claim_id`,
        [sourceId],
      );
      const incidents = await manager.query<{ incidentId: string; roles: IncidentRole[] }[]>(
        `SELECT incident_id AS "incidentId", array_agg(DISTINCT role ORDER BY role) AS roles FROM (
           SELECT incident_id, 'claimant'::text AS role FROM source_view_claims WHERE claimant_id = $1
           UNION ALL SELECT incident_id, 'conduit' FROM source_view_claims WHERE via @> ARRAY[$1]::uuid[]
           UNION ALL SELECT incident_id, 'statement_source' FROM source_view_statements WHERE source_id = $1
           UNION ALL SELECT incident_id, 'conduit' FROM source_view_statements WHERE via @> ARRAY[$1]::uuid[]
         ) involvement
         GROUP BY incident_id ORDER BY incident_id`,
        [sourceId],
      );
      const claims = claimRows.map((row) => ({ incidentId: row.incident_id, claimId: row.claim_id, status: row.status, amended: row.amended, grade: row.grade, stances: row.stances }));
      return { ...sourceAsSeenBy(source, viewer.role), trackRecord: trackRecord(claims, incidents) };
    });
  }
}
