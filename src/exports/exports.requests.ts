import { z } from 'zod';
import { instant, uuid } from '../http/schema.js';
import { INCIDENT_FILTER_PARAMS, rangeOf } from '../incidents/http/incident-search.requests.js';
import type { IncidentFilters } from '../incidents/queries/search-incidents/search-incidents.handler.js';

/** The exports' query parameters: GET /incidents' filters, and HXL's hashtag row for the CSVs. */
export const ExportParams = z.strictObject({
  ...INCIDENT_FILTER_PARAMS,
  incidentId: uuid.optional().describe('One incident only (the desk’s download on an incident page).'),
  asOf: instant
    .optional()
    .describe('Each incident as the desk had it recorded by this instant (the filters pick incidents as they are now, among those opened by then).'),
  format: z.enum(['hxl']).optional().describe('hxl: a row of HXL hashtags under the CSV header, for humanitarian data tools (CSV only).'),
});

export interface ExportOptions {
  filters: IncidentFilters;
  incidentId?: string;
  asOf?: string;
  hxl: boolean;
}

export const ExportRequest = ExportParams.transform(({ from, to, incidentId, asOf, format, ...filters }, context): ExportOptions => ({
  filters: { ...filters, ...rangeOf(from, to, context) },
  incidentId,
  asOf,
  hxl: format === 'hxl',
}));
