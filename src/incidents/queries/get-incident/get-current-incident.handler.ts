import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Principal } from '../../../auth/api-keys.js';
import { DomainError } from '../../../common/domain-error.js';
import { type CurrentView, CurrentViews } from './current-views.js';

/** The incident view now, as the incident-view projection has it. */
export class GetCurrentIncidentQuery extends Query<CurrentView> {
  constructor(
    readonly incidentId: string,
    /** Who asks: what they are shown depends on it (CurrentViews.read). */
    readonly viewer: Principal,
  ) {
    super();
  }
}

@QueryHandler(GetCurrentIncidentQuery)
export class GetCurrentIncidentHandler implements IQueryHandler<GetCurrentIncidentQuery> {
  constructor(private readonly views: CurrentViews) {}

  async execute({ incidentId, viewer }: GetCurrentIncidentQuery): Promise<CurrentView> {
    const view = await this.views.read(incidentId, viewer);
    if (view === null) throw new DomainError('not_found', 'incident_not_found', `No incident ${incidentId} was on record.`);
    return view;
  }
}

/** The incident that holds a merged incident's claims now: the last of its chain of merges. */
export class GetSurvivingIncidentQuery extends Query<string> {
  constructor(readonly incidentId: string) {
    super();
  }
}

/**
 * Merges form no cycle (the domain merges only incidents that were never merged), so the
 * chain ends; the bound only stops a read model a rebuild is rewriting from looping.
 */
const LONGEST_CHAIN = 100;

@QueryHandler(GetSurvivingIncidentQuery)
export class GetSurvivingIncidentHandler implements IQueryHandler<GetSurvivingIncidentQuery> {
  constructor(private readonly views: CurrentViews) {}

  async execute({ incidentId }: GetSurvivingIncidentQuery): Promise<string> {
    let survivor = incidentId;
    for (let hops = 0; hops < LONGEST_CHAIN; hops++) {
      const next = (await this.views.read(survivor))?.mergedInto;
      if (next === undefined) return survivor;
      survivor = next;
    }
    return survivor;
  }
}
