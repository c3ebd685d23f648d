import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources/sources.module.js';
import { ExecuteCrossIncidentCommandHandler } from './commands/execute-cross-incident-command.js';
import { ExecuteIncidentCommandHandler } from './commands/execute-incident-command.js';
import { IncidentsController } from './http/incidents.controller.js';
import { DiffIncidentVersionsHandler } from './queries/diff-incident-versions/diff-incident-versions.handler.js';
import { GetClaimReviewHandler, GetClaimReviewsHandler } from './queries/get-claim-reviews/get-claim-reviews.handler.js';
import { GetIncidentTimelineHandler } from './queries/get-incident-timeline/get-incident-timeline.handler.js';
import { GetIncidentHandler } from './queries/get-incident/get-incident.handler.js';
import { CurrentViews } from './queries/get-incident/current-views.js';
import { TimelineWording } from './queries/timeline-wording.js';
import { GetCurrentIncidentHandler, GetSurvivingIncidentHandler } from './queries/get-incident/get-current-incident.handler.js';

@Module({
  imports: [SourcesModule],
  controllers: [IncidentsController],
  providers: [ExecuteIncidentCommandHandler, ExecuteCrossIncidentCommandHandler, GetCurrentIncidentHandler, GetSurvivingIncidentHandler, CurrentViews, GetIncidentHandler, GetIncidentTimelineHandler, DiffIncidentVersionsHandler, GetClaimReviewsHandler, GetClaimReviewHandler, TimelineWording],
  exports: [TimelineWording],
})
export class IncidentsModule {}
