import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/domain-error.js';
import { EVENT_STORE, type EventStore } from '../../../event-store/event-store.js';
import { RequestValidationError } from '../../../http/problem.js';
import { incidentStreamId } from '../../domain/incident.streams.js';
import { foldView, type IncidentView } from '../../read-model/incident-view.js';
import { storedIncidentEvent } from '../../read-model/stored-incident-event.js';
import { diffViews, type ViewDiff } from '../../read-model/view-diff.js';

export class DiffIncidentVersionsQuery extends Query<ViewDiff> {
  constructor(
    readonly incidentId: string,
    readonly from: number,
    readonly to: number,
  ) {
    super();
  }
}

/** Both versions are folded from the stream itself, as time travel does. */
@QueryHandler(DiffIncidentVersionsQuery)
export class DiffIncidentVersionsHandler implements IQueryHandler<DiffIncidentVersionsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ incidentId, from, to }: DiffIncidentVersionsQuery): Promise<ViewDiff> {
    if (from > to) throw new RequestValidationError([{ field: 'query.from', code: 'from_after_to', message: 'must not be greater than to' }]);
    const recorded = await this.store.readStream(incidentStreamId(incidentId), { maxCount: to + 1 });
    if (recorded.length === 0) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record.`);
    if (recorded.length <= to) {
      const message = `is beyond the incident's version, ${recorded.length - 1}`;
      throw new RequestValidationError([{ field: 'query.to', code: 'version_out_of_range', message }]);
    }
    const events = recorded.map(storedIncidentEvent);
    // A stream opens with IncidentOpened, so every prefix of it folds to a view.
    const viewAt = (version: number) => foldView(events.slice(0, version + 1)) as IncidentView;
    return diffViews(viewAt(from), viewAt(to));
  }
}
