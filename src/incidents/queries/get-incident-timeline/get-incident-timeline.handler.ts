import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { Principal } from '../../../auth/api-keys.js';
import { DomainError } from '../../../common/domain-error.js';
import type { TimelineEntry, TimelinePage } from '../../read-model/headline.js';
import { TimelineWording } from '../timeline-wording.js';

export class GetIncidentTimelineQuery extends Query<TimelinePage> {
  constructor(
    readonly incidentId: string,
    readonly fromVersion: number,
    readonly limit: number,
    /** Who asks: what they are shown depends on it (identifiesConfidentialSources). */
    readonly viewer: Principal,
  ) {
    super();
  }
}

@QueryHandler(GetIncidentTimelineQuery)
export class GetIncidentTimelineHandler implements IQueryHandler<GetIncidentTimelineQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wording: TimelineWording,
  ) {}

  async execute({ incidentId, fromVersion, limit, viewer }: GetIncidentTimelineQuery): Promise<TimelinePage> {
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
    const entries = await this.worded(rows.flatMap((row) => (row.entry === null ? [] : [row.entry])), viewer);
    const last = entries.at(-1);
    return { incidentId, version, entries, nextFromVersion: last !== undefined && last.version < version ? last.version + 1 : null };
  }

  /** The entries as the asker may be shown them (TimelineWording). */
  private async worded(entries: TimelineEntry[], viewer: Principal): Promise<TimelineEntry[]> {
    const wording = await this.wording.wordingFor(
      entries.flatMap((entry) => [entry.headline, ...entry.changes]),
      viewer,
      'GET /incidents/{incidentId}/timeline',
    );
    return entries.map((entry) => ({ ...entry, headline: wording(entry.headline), changes: entry.changes.map(wording) }));
  }

}
