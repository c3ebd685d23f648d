import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { Principal } from '../../../auth/api-keys.js';
import { identifiesConfidentialSources } from '../../../auth/confidentiality.js';
import { SourceAccessLog } from '../../../sources/source-access-log.js';
import { DomainError } from '../../../common/domain-error.js';
import { EVENT_STORE, type EventStore } from '../../../event-store/event-store.js';
import { incidentStreamId } from '../../domain/incident.streams.js';
import { foldViewAsOf } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { type IncidentViewResponse, involvedSources, type SourceName, withWordsWithheldUnlessPublic } from '../../projections/incident-view/source-name.js';

/** The moment to look from: at least one of these (now is GetCurrentIncidentQuery). */
export interface TimeTravel {
  /** What had been recorded by this instant. */
  asOf?: string;
  /** What the stream held up to this revision. */
  version?: number;
  /** Only what had been stated by this instant (see foldView). */
  statedBefore?: string;
}

export class GetIncidentQuery extends Query<IncidentViewResponse> {
  constructor(
    readonly incidentId: string,
    readonly then: TimeTravel,
    /** Who asks: what they are shown depends on it (identifiesConfidentialSources). */
    readonly viewer: Principal,
  ) {
    super();
  }
}

/** The view as it was: folded from the stream itself, as the projection folds it, with its sources' current names. */
@QueryHandler(GetIncidentQuery)
export class GetIncidentHandler implements IQueryHandler<GetIncidentQuery> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly accessLog: SourceAccessLog,
  ) {}

  async execute({ incidentId, then: { asOf, version, statedBefore }, viewer }: GetIncidentQuery): Promise<IncidentViewResponse> {
    const recorded = await this.store.readStream(incidentStreamId(incidentId), { maxCount: version === undefined ? undefined : version + 1 });
    const view = foldViewAsOf(recorded.map(storedIncidentEvent), asOf, { statedBefore });
    if (view === null) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record at the time asked for.`);
    const named = await this.dataSource.query<SourceName[]>('SELECT source_id, name, kind, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])', [view.sourceIds]);
    const confidential = named.filter((source) => source.confidential).map((source) => source.source_id);
    const identified = identifiesConfidentialSources(viewer.role);
    if (identified) await this.accessLog.record(viewer, confidential, 'GET /incidents/{incidentId} (as of a time or version)');
    const shown = identified ? view : withWordsWithheldUnlessPublic(view, new Set(named.filter((source) => !source.confidential).map((source) => source.source_id)));
    return { ...shown, sources: involvedSources(view.sourceIds, named, identified) };
  }
}
