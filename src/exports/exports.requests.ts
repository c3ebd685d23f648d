import { z } from 'zod';
import { INCIDENT_FILTER_PARAMS, rangeOf } from '../incidents/http/incident-search.requests.js';
import type { IncidentFilters } from '../incidents/queries/search-incidents/search-incidents.handler.js';

/** The exports' query parameters: GET /incidents' filters, and HXL's hashtag row for the CSVs. */
export const ExportParams = z.strictObject({
  ...INCIDENT_FILTER_PARAMS,
  format: z.enum(['hxl']).optional().describe('hxl: a row of HXL hashtags under the CSV header, for humanitarian data tools (CSV only).'),
});

export interface ExportOptions {
  filters: IncidentFilters;
  hxl: boolean;
}

export const ExportRequest = ExportParams.transform(({ from, to, format, ...filters }, context): ExportOptions => ({
  filters: { ...filters, ...rangeOf(from, to, context) },
  hxl: format === 'hxl',
}));
