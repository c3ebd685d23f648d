import { z } from 'zod';
import { LANGUAGE_TAG, WEB_PROTOCOL } from '../../common/input-formats.js';
import { MAX_VERSION, queryInteger } from '../../http/query-integer.js';
import { countryCode, dateOrInstant, instant, text, uuid } from '../../http/schema.js';
import { COORDINATES, INCIDENT_LIMITS as LIMIT } from '../domain/incident.commands.js';
import {
  CLAIM_GRADES,
  CLAIM_KINDS,
  FIGURE_OUTCOMES,
  FIGURE_QUALIFIERS,
  LINK_RELATIONS,
  LOCATION_PRECISIONS,
  OCCURRED_PRECISIONS,
  RETRACTED_BY,
  STANCES,
  STATEMENT_MEDIUMS,
} from '../domain/incident.events.js';

// The shapes of the incident write requests. Unknown fields are refused (strict objects),
// so a typo is a 400 rather than silently dropped. Rules that need the incident's state
// (or relate fields, such as a figure's value and qualifier) live in the domain.

const location = z.strictObject({
  place: text(LIMIT.place),
  region: text(LIMIT.region).optional(),
  country: countryCode,
  lat: z.number().min(COORDINATES.lat.min).max(COORDINATES.lat.max).optional(),
  lon: z.number().min(COORDINATES.lon.min).max(COORDINATES.lon.max).optional(),
  precision: z.enum(LOCATION_PRECISIONS),
});

const occurred = z.strictObject({
  from: dateOrInstant,
  to: dateOrInstant.optional(),
  precision: z.enum(OCCURRED_PRECISIONS),
});

const tags = z.array(text(LIMIT.tag)).max(LIMIT.tags);
const via = z.array(uuid).max(LIMIT.via);

// Not range-checked here: the domain answers negative, fractional or missing values with
// the figure rule they break (figure_value_invalid, figure_value_required, ...).
const figure = z.strictObject({
  party: text(LIMIT.party),
  outcome: z.enum(FIGURE_OUTCOMES),
  qualifier: z.enum(FIGURE_QUALIFIERS),
  value: z.number().optional(),
  originalText: text(LIMIT.originalText),
});
const figures = z.array(figure).max(LIMIT.figures);

export const OpenIncidentRequest = z.strictObject({
  id: uuid.optional().describe('Supply your own id to make the call safe to retry; otherwise the server chooses one.'),
  title: text(LIMIT.title),
  description: text(LIMIT.description).optional(),
  location,
  occurred,
  tags: tags.default([]),
});

export const ReviseIncidentRequest = z.strictObject({
  title: text(LIMIT.title).optional(),
  description: text(LIMIT.description).optional(),
  location: location.optional(),
  occurred: occurred.optional(),
  tags: tags.optional(),
  reason: text(LIMIT.reason),
});

export const LinkIncidentsRequest = z.strictObject({
  otherIncidentId: uuid,
  relation: z.enum(LINK_RELATIONS).describe('Read as "this incident <relation> the other".'),
});

export const MergeIncidentRequest = z.strictObject({
  into: uuid.describe('The incident this one duplicates, which absorbs its statements and claims.'),
  reason: text(LIMIT.reason),
});

export const SplitIncidentRequest = z.strictObject({
  // No client-chosen id for the new incident: its stream must be new when the split lands,
  // which only an id nobody else knows guarantees on EventStoreDB. An Idempotency-Key makes
  // a retry choose the same one.
  claims: z.array(uuid).max(LIMIT.moved).default([]).describe('The claims to move to the new incident.'),
  statements: z.array(uuid).max(LIMIT.moved).default([]).describe('The statements to move; a claim moves with the statements it cites or that take a stance on it.'),
  title: text(LIMIT.title),
  description: text(LIMIT.description).optional(),
  location,
  occurred,
  tags: tags.default([]),
  reason: text(LIMIT.reason),
});

export const RecordStatementRequest = z.strictObject({
  statementId: uuid.optional(),
  sourceId: uuid,
  via: via.default([]),
  medium: z.enum(STATEMENT_MEDIUMS),
  quote: text(LIMIT.quote).describe('The source’s words in the original language.'),
  language: z.string().max(LIMIT.language).regex(LANGUAGE_TAG.pattern, LANGUAGE_TAG.message),
  translation: text(LIMIT.translation).optional(),
  statedAt: instant,
  publishedAt: instant.optional(),
  retrievedAt: instant.optional(),
  url: z.url({ protocol: WEB_PROTOCOL }).max(LIMIT.url).optional(),
  stances: z.array(z.strictObject({ claimId: uuid, stance: z.enum(STANCES) })).max(LIMIT.stances).default([]),
});

export const ReportClaimRequest = z.strictObject({
  claimId: uuid.optional(),
  claimantId: uuid,
  via: via.default([]),
  statementId: uuid.optional(),
  summary: text(LIMIT.summary),
  kind: z.enum(CLAIM_KINDS),
  figures: figures.default([]),
  statedAt: instant,
});

export const AmendClaimRequest = z.strictObject({
  summary: text(LIMIT.summary).optional(),
  figures: figures.optional(),
  statementId: uuid.optional(),
  statedAt: instant,
  reason: text(LIMIT.reason),
});

export const RetractClaimRequest = z.strictObject({
  reason: text(LIMIT.reason),
  statementId: uuid.optional(),
  statedAt: instant,
  retractedBy: z.enum(RETRACTED_BY).default('claimant'),
});

export const CorrectClaimRequest = z.strictObject({
  claimantId: uuid.optional(),
  via: via.optional(),
  statementId: uuid.optional(),
  summary: text(LIMIT.summary).optional(),
  kind: z.enum(CLAIM_KINDS).optional(),
  figures: figures.optional(),
  statedAt: instant.optional(),
  reason: text(LIMIT.reason),
});

export const AssessClaimRequest = z.strictObject({
  grade: z.enum(CLAIM_GRADES),
  rationale: text(LIMIT.rationale),
});

export const IncidentEventsQuery = z.strictObject({
  fromVersion: queryInteger(0, MAX_VERSION).prefault(0),
  limit: queryInteger(1, 1000).prefault(100),
});

// Any of these makes GET /incidents/{id} answer from the stream rather than the projection.
export const IncidentViewQuery = z.strictObject({
  redirect: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('For a merged incident: `false` answers its own view as it was frozen (with `mergedInto`) instead of 308 to the incident it was merged into.'),
  asOf: instant.optional().describe('What the desk had recorded by this instant.'),
  version: queryInteger(0, MAX_VERSION).optional().describe('The incident as of this version; a later one than the incident has reads as its latest.'),
  statedBefore: instant.optional().describe('Only what sources had stated by this instant.'),
});

// The timeline pages through an incident's versions as the raw stream does.
export const IncidentTimelineQuery = IncidentEventsQuery;

// The handler checks that `from` is at most `to`, and `to` at most the incident's version.
export const IncidentDiffQuery = z.strictObject({
  from: queryInteger(0, MAX_VERSION),
  to: queryInteger(0, MAX_VERSION).describe('At least `from`, at most the incident’s version.'),
});
