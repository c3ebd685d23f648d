import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../../common/domain-error.js';
import { type CurrentView, CurrentViews } from './current-views.js';

/** The incident view now, as the incident-view projection has it. */
export class GetCurrentIncidentQuery extends Query<CurrentView> {
  constructor(readonly incidentId: string) {
    super();
  }
}

@QueryHandler(GetCurrentIncidentQuery)
export class GetCurrentIncidentHandler implements IQueryHandler<GetCurrentIncidentQuery> {
  constructor(private readonly views: CurrentViews) {}

  async execute({ incidentId }: GetCurrentIncidentQuery): Promise<CurrentView> {
    const view = await this.views.read(incidentId);
    if (view === null) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record.`);
    return view;
  }
}
