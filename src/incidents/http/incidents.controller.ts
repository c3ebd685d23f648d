import { Body, Controller, Get, Inject, NotFoundException, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RequiresRole } from '../../auth/access.decorators.js';
import type { AuthenticatedRequest } from '../../auth/api-key.guard.js';
import { type EventStore, STORED_EVENTS } from '../../event-store/event-store.js';
import { newId, type WriteRequest } from '../../event-store/handle-command.js';
import { ApiQueryParams } from '../../http/api-query-params.decorator.js';
import { EntityId } from '../../http/entity-id.pipe.js';
import { Valid } from '../../http/validation.js';
import { keptToTheKey, sendHeld } from '../../http/early-reads.js';
import { etag, sendWrite, Write } from '../../http/write-request.js';
import { WriteRoute } from '../../http/write-route.decorator.js';
import { toEventResponse } from '../../ledger/recorded-event.response.js';
import { ExecuteCrossIncidentCommand } from '../commands/execute-cross-incident-command.js';
import { ExecuteIncidentCommand } from '../commands/execute-incident-command.js';
import { incidentStreamId } from '../domain/incident.streams.js';
import type { IncidentCommand } from '../domain/incident.commands.js';
import { GetClaimReviewQuery, GetClaimReviewsQuery } from '../queries/get-claim-reviews/get-claim-reviews.handler.js';
import { DiffIncidentVersionsQuery } from '../queries/diff-incident-versions/diff-incident-versions.handler.js';
import { GetIncidentTimelineQuery } from '../queries/get-incident-timeline/get-incident-timeline.handler.js';
import { GetCurrentIncidentQuery, GetSurvivingIncidentQuery } from '../queries/get-incident/get-current-incident.handler.js';
import { GetIncidentQuery } from '../queries/get-incident/get-incident.handler.js';
import { CLAIM_REVIEW_SCHEMA } from './claim-review.openapi.js';
import {
  AmendClaimRequest,
  AssessClaimRequest,
  CorrectClaimRequest,
  IncidentDiffQuery,
  IncidentEventsQuery,
  IncidentTimelineQuery,
  IncidentViewQuery,
  LinkIncidentsRequest,
  MergeIncidentRequest,
  OpenIncidentRequest,
  RecordStatementRequest,
  ReportClaimRequest,
  RetractClaimRequest,
  ReviseIncidentRequest,
  SplitIncidentRequest,
} from './incident.requests.js';

type Body<T extends z.ZodType> = z.output<T>;

/** JSON-LD, so that a consumer's JSON-LD processor knows to read `@context`. */
const JSON_LD = 'application/ld+json; charset=utf-8';

// Routes → command or query bus, nothing else: the rules are in domain/incident.decide.ts,
// the read side's answers in queries/.
@ApiTags('incidents')
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    /** The raw event stream is the events as stored and signed (src/sources/erasure/), for auditors to check. */
    @Inject(STORED_EVENTS) private readonly storedEvents: EventStore,
  ) {}

  @Post()
  @WriteRoute('Open an incident: begin tracking it.', OpenIncidentRequest)
  async open(@Body(new Valid(OpenIncidentRequest)) body: Body<typeof OpenIncidentRequest>, @Write() request: WriteRequest, @Res() reply: FastifyReply) {
    const { id = newId(request, 'incident'), ...data } = body;
    await this.execute(reply, { type: 'OpenIncident', data: { incidentId: id, ...data } }, request);
  }

  @Patch(':incidentId')
  @WriteRoute('Revise an incident’s title, description, location, occurred time or tags, with a reason.', ReviseIncidentRequest)
  async revise(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(ReviseIncidentRequest)) body: Body<typeof ReviseIncidentRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.execute(reply, { type: 'ReviseIncident', data: { incidentId, ...body } }, request);
  }

  @Post(':incidentId/links')
  @WriteRoute('Link this incident to another (e.g. the ambush `follows` the battle).', LinkIncidentsRequest)
  async link(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(LinkIncidentsRequest)) body: Body<typeof LinkIncidentsRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    sendWrite(reply, await this.commands.execute(new ExecuteCrossIncidentCommand({ type: 'LinkIncidents', data: { incidentId, ...body } }, request)));
  }

  @Post(':incidentId/merge')
  @WriteRoute(
    'Merge this incident, a duplicate, into another: its statements and claims (each keeping its ids and original incident id) join that incident, and this one takes no more writes; GET of it answers 308 to the survivor.',
    MergeIncidentRequest,
  )
  async merge(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(MergeIncidentRequest)) body: Body<typeof MergeIncidentRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    sendWrite(reply, await this.commands.execute(new ExecuteCrossIncidentCommand({ type: 'MergeIncident', data: { incidentId, ...body } }, request)));
  }

  @Post(':incidentId/split')
  @WriteRoute(
    'Split claims and statements conflated into this incident off into a new incident (opened with the details given, and linked to this one); each keeps its id and the record of where it came from.',
    SplitIncidentRequest,
  )
  async split(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(SplitIncidentRequest)) body: Body<typeof SplitIncidentRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    const { claims: claimIds, statements: statementIds, ...opening } = body;
    const newIncidentId = newId(request, 'incident');
    const command = { type: 'SplitIncident' as const, data: { incidentId, newIncidentId, claimIds, statementIds, ...opening } };
    sendWrite(reply, await this.commands.execute(new ExecuteCrossIncidentCommand(command, request)), { newIncidentId });
  }

  @Post(':incidentId/statements')
  @WriteRoute('Record a source’s own words, with the stances they take on claims.', RecordStatementRequest)
  async recordStatement(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(RecordStatementRequest)) body: Body<typeof RecordStatementRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    const { statementId = newId(request, 'statement'), ...data } = body;
    await this.execute(reply, { type: 'RecordStatement', data: { incidentId, statementId, ...data } }, request, { statementId });
  }

  @Post(':incidentId/claims')
  @WriteRoute('Report a claim: who asserted what, through whom, with structured figures.', ReportClaimRequest)
  async reportClaim(
    @Param('incidentId', EntityId) incidentId: string,
    @Body(new Valid(ReportClaimRequest)) body: Body<typeof ReportClaimRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    const { claimId = newId(request, 'claim'), ...data } = body;
    await this.execute(reply, { type: 'ReportClaim', data: { incidentId, claimId, ...data } }, request, { claimId });
  }

  @Post(':incidentId/claims/:claimId/amendments')
  @WriteRoute('Record that the claimant changed its claim (e.g. raised a toll).', AmendClaimRequest)
  async amendClaim(
    @Param('incidentId', EntityId) incidentId: string,
    @Param('claimId', EntityId) claimId: string,
    @Body(new Valid(AmendClaimRequest)) body: Body<typeof AmendClaimRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.execute(reply, { type: 'AmendClaim', data: { incidentId, claimId, ...body } }, request, { claimId });
  }

  @Post(':incidentId/claims/:claimId/retractions')
  @WriteRoute('Record that the claimant (or its conduit) withdrew the claim. A repeated retraction answers 200 and changes nothing.', RetractClaimRequest)
  async retractClaim(
    @Param('incidentId', EntityId) incidentId: string,
    @Param('claimId', EntityId) claimId: string,
    @Body(new Valid(RetractClaimRequest)) body: Body<typeof RetractClaimRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.execute(reply, { type: 'RetractClaim', data: { incidentId, claimId, ...body } }, request, { claimId });
  }

  @Post(':incidentId/claims/:claimId/corrections')
  @WriteRoute('Fix the desk’s own logging mistake in a claim (a typo in a figure, the wrong claimant), with a reason.', CorrectClaimRequest)
  async correctClaim(
    @Param('incidentId', EntityId) incidentId: string,
    @Param('claimId', EntityId) claimId: string,
    @Body(new Valid(CorrectClaimRequest)) body: Body<typeof CorrectClaimRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.execute(reply, { type: 'CorrectClaim', data: { incidentId, claimId, ...body } }, request, { claimId });
  }

  @Post(':incidentId/claims/:claimId/assessments')
  @WriteRoute('Grade a claim, with the desk’s rationale.', AssessClaimRequest)
  async assessClaim(
    @Param('incidentId', EntityId) incidentId: string,
    @Param('claimId', EntityId) claimId: string,
    @Body(new Valid(AssessClaimRequest)) body: Body<typeof AssessClaimRequest>,
    @Write() request: WriteRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.execute(reply, { type: 'AssessClaim', data: { incidentId, claimId, ...body } }, request, { claimId });
  }

  @Get(':incidentId')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The incident view: details, links, statements, claims (status, figures, grade, stances, changes) and the casualty summary; now, or then.',
    description:
      'Without parameters, the current view from the incident-view projection. With `asOf`, `version` and/or `statedBefore` (combinable), ' +
      'the view is folded from the event stream itself: the events recorded by `asOf` and up to `version`, keeping only what had been stated by `statedBefore`. ' +
      '`sources` names each of `sourceIds` with its current name and kind (null while the source is not yet projected). ' +
      'To readers and auditors a confidential source is named “Confidential source” and its statements’ quote reads “words withheld” (no translation or url); editors and admins see them. The ETag is the view’s version; ' +
      'with `If-None-Match` naming it, the answer is 304 (and the names a client holds stay as they were until the incident changes). ' +
      'A merged incident answers 308 to the incident that holds its claims now (the last of a chain of merges; as of `asOf`, the one it was merged into), with the same query, ' +
      'unless `redirect=false` or a `version` is asked for (a version of this incident’s own stream).',
  })
  @ApiQueryParams(IncidentViewQuery)
  @ApiResponse({ status: 200, description: 'The incident view with `sources: [{ id, name, kind }]`.' })
  @ApiResponse({ status: 304, description: 'Unchanged since the version If-None-Match names.' })
  @ApiResponse({ status: 308, description: 'Merged: `Location` and `Link` (rel="canonical") name the surviving incident; the body is `{ id, mergedInto, survivor }`.' })
  @ApiResponse({ status: 400, description: 'A malformed instant or a negative version; the field is named in `errors`.' })
  @ApiResponse({ status: 404, description: 'No such incident, or none on record at the time asked for.' })
  async view(
    @Param('incidentId', EntityId) incidentId: string,
    @Query(new Valid(IncidentViewQuery, 'query')) query: Body<typeof IncidentViewQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { redirect = true, ...then } = query;
    const { principal } = request as AuthenticatedRequest;
    if (then.asOf !== undefined || then.version !== undefined || then.statedBefore !== undefined) {
      const view = await this.queries.execute(new GetIncidentQuery(incidentId, then, principal));
      // A version names a point of this incident's own stream, which no other incident shares:
      // it is answered here. As of a time, the merge of then is followed one step at a time,
      // since a later merge of the survivor had not happened yet.
      if (view.mergedInto !== undefined && redirect && then.version === undefined) return this.redirectTo(incidentId, view.mergedInto, view.mergedInto, request, reply);
      return void keptToTheKey(reply).header('etag', etag(view.version)).send(view);
    }
    const view = await this.queries.execute(new GetCurrentIncidentQuery(incidentId, principal));
    if (view.mergedInto !== undefined && redirect) {
      // Now: straight to the last incident of the chain of merges.
      return this.redirectTo(incidentId, view.mergedInto, await this.queries.execute(new GetSurvivingIncidentQuery(view.mergedInto)), request, reply);
    }
    void sendHeld(request, reply, view);
  }

  /** 308 to `survivor`, with the query as asked. */
  private redirectTo(incidentId: string, mergedInto: string, survivor: string, request: FastifyRequest, reply: FastifyReply): void {
    const query = request.url.indexOf('?');
    const location = `/incidents/${survivor}${query === -1 ? '' : request.url.slice(query)}`;
    void reply.status(308).header('location', location).header('link', `</incidents/${survivor}>; rel="canonical"`).send({ id: incidentId, mergedInto, survivor });
  }

  @Get(':incidentId/timeline')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The narrative timeline: one entry per event, oldest first, with a one-sentence headline and the changes it made to the view.',
    description: 'Entries are `{ version, type, recordedAt, statedAt?, recordedBy, headline, changes }`; page on with `fromVersion` = `nextFromVersion`.',
  })
  @ApiQueryParams(IncidentTimelineQuery)
  @ApiResponse({ status: 200, description: '`{ incidentId, version, entries, nextFromVersion }`; the ETag is `version`.' })
  @ApiResponse({ status: 404, description: 'No such incident.' })
  async timeline(
    @Param('incidentId', EntityId) incidentId: string,
    @Query(new Valid(IncidentTimelineQuery, 'query')) query: Body<typeof IncidentTimelineQuery>,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.queries.execute(new GetIncidentTimelineQuery(incidentId, query.fromVersion, query.limit, request.principal));
    void keptToTheKey(reply).header('etag', etag(page.version));
    return page;
  }

  @Get(':incidentId/diff')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'What changed between two versions: incident fields, sources, claims (added, removed, changed fields and stances), casualty ranges, statements, links.',
  })
  @ApiQueryParams(IncidentDiffQuery)
  @ApiResponse({ status: 200, description: '`{ fromVersion, toVersion, fields, sources, claims, casualties, statements, links }`.' })
  @ApiResponse({ status: 400, description: '`from` after `to`, or `to` beyond the incident’s version.' })
  @ApiResponse({ status: 404, description: 'No such incident.' })
  async diff(@Param('incidentId', EntityId) incidentId: string, @Query(new Valid(IncidentDiffQuery, 'query')) query: Body<typeof IncidentDiffQuery>) {
    return this.queries.execute(new DiffIncidentVersionsQuery(incidentId, query.from, query.to));
  }

  @Get(':incidentId/claim-reviews')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The desk’s grades as schema.org ClaimReview JSON-LD: one for each graded claim of the incident, in the order the claims were reported.',
    description:
      'Each review gives the claim’s summary (`claimReviewed`), the claim with its claimant and when it was stated (`itemReviewed`; a confidential claimant is named “Confidential source”), ' +
      'the grade on a 1–5 `reviewRating` (discounted 1, contested 2, unverified 3, corroborated 4, confirmed 5), the newsroom as `author` (NEWSROOM_NAME, NEWSROOM_URL) and when the desk graded it (`datePublished`). ' +
      'Read from the current incident view.',
  })
  @ApiResponse({
    status: 200,
    description: 'A JSON array of ClaimReview objects, each with its `@context`; empty when no claim is graded.',
    content: { 'application/ld+json': { schema: { type: 'array', items: CLAIM_REVIEW_SCHEMA } } },
  })
  @ApiResponse({ status: 404, description: 'No such incident.' })
  async claimReviews(@Param('incidentId', EntityId) incidentId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.type(JSON_LD);
    return this.queries.execute(new GetClaimReviewsQuery(incidentId));
  }

  @Get(':incidentId/claims/:claimId/claim-review')
  @RequiresRole('reader')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'One graded claim’s schema.org ClaimReview JSON-LD, as GET /incidents/{id}/claim-reviews gives it.' })
  @ApiResponse({ status: 200, description: 'A ClaimReview object with its `@context`.', content: { 'application/ld+json': { schema: CLAIM_REVIEW_SCHEMA } } })
  @ApiResponse({ status: 404, description: 'No such incident (`incident_not_found`), no such claim in it (`claim_not_found`), or a claim not graded yet (`claim_not_graded`).' })
  async claimReview(@Param('incidentId', EntityId) incidentId: string, @Param('claimId', EntityId) claimId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.type(JSON_LD);
    return this.queries.execute(new GetClaimReviewQuery(incidentId, claimId));
  }

  @Get(':incidentId/events')
  @RequiresRole('auditor')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The incident’s raw event stream, oldest first, with each event’s metadata.' })
  @ApiQueryParams(IncidentEventsQuery)
  async events(
    @Param('incidentId', EntityId) incidentId: string,
    @Query(new Valid(IncidentEventsQuery, 'query')) query: Body<typeof IncidentEventsQuery>,
    @Res() reply: FastifyReply,
  ) {
    const streamId = incidentStreamId(incidentId);
    const [last] = await this.storedEvents.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    if (!last) throw new NotFoundException(`No incident ${incidentId} has been opened.`);
    const events = await this.storedEvents.readStream(streamId, { fromRevision: query.fromVersion, maxCount: query.limit });
    const next = events.length && events[events.length - 1].revision < last.revision ? events[events.length - 1].revision + 1 : null;
    void reply.header('etag', etag(last.revision)).send({ version: last.revision, events: events.map(toEventResponse), nextFromVersion: next });
  }

  private async execute(reply: FastifyReply, command: IncidentCommand, request: WriteRequest, ids: Record<string, string> = {}): Promise<void> {
    sendWrite(reply, await this.commands.execute(new ExecuteIncidentCommand(command, request)), ids);
  }
}
