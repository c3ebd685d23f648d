import { incidentViewProjection } from './incidents/projections/incident-view/incident-view.projection.js';
import { incidentSearchProjection } from './incidents/projections/incident-search/incident-search.projection.js';
import type { Projection } from './projections/projection.js';
import { sourceViewProjection } from './sources/projections/source-view/source-view.projection.js';

// Every projection the runner keeps up to date, rebuilds and reports on.
export const PROJECTIONS: Projection[] = [incidentViewProjection, incidentSearchProjection, sourceViewProjection];
