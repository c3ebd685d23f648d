import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../common/domain-error.js';
import { EVENT_STORE, type EventStore } from '../../../event-store/event-store.js';
import type { SourceKind } from '../../../sources/domain/source.events.js';
import { incidentStreamId } from '../../commands/execute-incident-command.js';
import { foldView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { PUBLIC_SOURCE_NAME } from '../../projections/incident-timeline/incident-timeline.projection.js';
import { IncidentViewCache } from './incident-view-cache.js';

/** The moment to look from; all absent means now. */
export interface TimeTravel {
  /** What had been recorded by this instant. */
  asOf?: string;
  /** What the stream held up to this revision. */
  version?: number;
  /** Only what had been stated by this instant (see foldView). */
  statedBefore?: string;
}

export interface InvolvedSource {
  id: string;
  /** Null while the source is not yet projected. */
  name: string | null;
  kind: SourceKind | null;
}

export type IncidentViewResponse = IncidentView & { sources: InvolvedSource[] };

export class GetIncidentQuery extends Query<IncidentViewResponse> {
  constructor(
    readonly incidentId: string,
    readonly then: TimeTravel = {},
  ) {
    super();
  }
}

/** Now: the incident-view projection's row. Then: the stream itself, through the same fold. */
@QueryHandler(GetIncidentQuery)
export class GetIncidentHandler implements IQueryHandler<GetIncidentQuery> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly cache: IncidentViewCache,
  ) {}

  async execute({ incidentId, then }: GetIncidentQuery): Promise<IncidentViewResponse> {
    const isNow = then.asOf === undefined && then.version === undefined && then.statedBefore === undefined;
    const view = isNow ? await this.cache.read(incidentId, () => this.current(incidentId)) : await this.historical(incidentId, then);
    if (view === null) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record${isNow ? '' : ' at the time asked for'}.`);
    return view;
  }

  /** The projection's row and its sources' names, in one round trip: this is the most read route. */
  private async current(incidentId: string): Promise<IncidentViewResponse | null> {
    const [row] = await this.dataSource.query<{ view: IncidentView; sources: InvolvedSource[] }[]>(
      `SELECT view,
              (SELECT coalesce(json_agg(json_build_object('id', source_id, 'name', ${PUBLIC_SOURCE_NAME}, 'kind', kind)), '[]')
                 FROM incident_source_names
                WHERE source_id = ANY(ARRAY(SELECT jsonb_array_elements_text(view->'sourceIds'))::uuid[])) AS sources
         FROM incident_views WHERE incident_id = $1`,
      [incidentId],
    );
    return row ? withSources(row.view, row.sources) : null;
  }

  private async historical(incidentId: string, { asOf, version, statedBefore }: TimeTravel): Promise<IncidentViewResponse | null> {
    const recorded = await this.store.readStream(incidentStreamId(incidentId), { maxCount: version === undefined ? undefined : version + 1 });
    const events = recorded.map(storedIncidentEvent);
    // A prefix of the stream, cut at the first event recorded after asOf: the fold must
    // never see a change without the events it builds on, whatever the clocks said.
    const late = asOf === undefined ? -1 : events.findIndex((event) => Date.parse(event.recordedAt) > Date.parse(asOf));
    const view = foldView(late === -1 ? events : events.slice(0, late), { statedBefore });
    if (view === null) return null;
    const sources = await this.dataSource.query<InvolvedSource[]>(`SELECT source_id AS id, ${PUBLIC_SOURCE_NAME} AS name, kind FROM incident_source_names WHERE source_id = ANY($1::uuid[])`, [
      view.sourceIds,
    ]);
    return withSources(view, sources);
  }
}

/** Names each of the view's sources, in the view's order; null while a source is not yet projected. */
function withSources(view: IncidentView, named: InvolvedSource[]): IncidentViewResponse {
  const known = new Map(named.map((source) => [source.id, source]));
  return { ...view, sources: view.sourceIds.map((id) => known.get(id) ?? { id, name: null, kind: null }) };
}
