import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../common/domain-error.js';
import type { TimelineEntry, TimelinePage } from '../../read-model/headline.js';

export class GetIncidentTimelineQuery extends Query<TimelinePage> {
  constructor(
    readonly incidentId: string,
    readonly fromVersion: number,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(GetIncidentTimelineQuery)
export class GetIncidentTimelineHandler implements IQueryHandler<GetIncidentTimelineQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ incidentId, fromVersion, limit }: GetIncidentTimelineQuery): Promise<TimelinePage> {
    // One statement, so that the version and the entries come from one snapshot.
    const rows = await this.dataSource.query<{ version: number; entry: TimelineEntry | null }[]>(
      `SELECT view.version, page.entry
         FROM incident_views view
         LEFT JOIN LATERAL (
           SELECT version, entry FROM incident_timeline
            WHERE incident_id = view.incident_id AND version >= $2
            ORDER BY version LIMIT $3
         ) page ON true
        WHERE view.incident_id = $1
        ORDER BY page.version`,
      [incidentId, fromVersion, limit],
    );
    if (rows.length === 0) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record.`);
    const version = rows[0].version;
    const entries = rows.flatMap((row) => (row.entry === null ? [] : [row.entry]));
    const last = entries.at(-1);
    return { incidentId, version, entries, nextFromVersion: last !== undefined && last.version < version ? last.version + 1 : null };
  }
}
