import { z } from 'zod';
import { cursorParam } from '../../http/cursor.js';
import { queryInteger } from '../../http/query-integer.js';
import { countryCode, dateOrInstant, text, uuid } from '../../http/schema.js';
import { INCIDENT_LIMITS as LIMIT } from '../domain/incident.commands.js';
import { boundsOf } from '../projections/incident-search/occurred-bounds.js';
import { INCIDENT_SORTS, SearchCursor, type IncidentSearch } from '../queries/search-incidents/search-incidents.handler.js';

/** The filters of GET /incidents, also taken by the exports. */
export const INCIDENT_FILTER_PARAMS = {
  country: countryCode.optional().describe('ISO-3166 alpha-2, e.g. ML.'),
  region: text(LIMIT.region).optional().describe('The location’s region, e.g. Kidal; case does not matter.'),
  tag: text(LIMIT.tag).optional().describe('Incidents carrying this tag.'),
  claimant: uuid.optional().describe('A source id: incidents in which it made a claim (retracted ones too).'),
  from: dateOrInstant.optional().describe('Incidents that may have happened on or after this date (the whole day) or instant.'),
  to: dateOrInstant.optional().describe('Incidents that may have happened on or before this date (the whole day) or instant.'),
  q: text(200).optional().describe('Free text over titles, descriptions and claim summaries (English stemming; "quoted phrase", or, -excluded).'),
};

/** GET /incidents' query parameters as clients send them (also their OpenAPI description). */
export const SearchIncidentsParams = z.strictObject({
  ...INCIDENT_FILTER_PARAMS,
  sort: z
    .enum(INCIDENT_SORTS)
    .default('-updatedAt')
    .describe(
      'relevance needs q. Each page continues after the last item of the page before, so incidents opened during a walk never ' +
        'make it repeat or skip one that existed. An incident changed mid-walk moves: under -updatedAt to the front, where this ' +
        'walk does not meet it (again); under updatedAt to the end, where it is met again.',
    ),
  limit: queryInteger(1, 100).prefault(20),
  cursor: cursorParam(SearchCursor).optional().describe('The nextCursor of the previous page, with the same filters and sort.'),
});

/** The parameters as the search query takes them: instants for the range, the cursor decoded. */
export const SearchIncidentsRequest = SearchIncidentsParams.transform(({ from, to, cursor, ...search }, context): IncidentSearch => {
  const range = rangeOf(from, to, context);
  if (search.sort === 'relevance' && search.q === undefined) context.addIssue({ code: 'custom', path: ['sort'], message: 'relevance needs q', input: search.sort });
  if (cursor && cursor.sort !== search.sort) context.addIssue({ code: 'custom', path: ['cursor'], message: `was made for sort=${cursor.sort}`, input: cursor.sort });
  return { ...search, ...range, after: cursor };
});

/** `from` and `to` as the instants they bound (a date is the whole day); `to` before `from` is an issue. */
export function rangeOf(from: string | undefined, to: string | undefined, context: z.RefinementCtx): { from?: string; to?: string } {
  const range = { from: from && boundsOf(from, 'time').from, to: to && boundsOf(to, 'time').to };
  if (range.from && range.to && range.from > range.to) context.addIssue({ code: 'custom', path: ['to'], message: 'is before from', input: to });
  return range;
}
