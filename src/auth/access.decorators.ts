import { SetMetadata } from '@nestjs/common';
import type { Role } from '../config/config.js';

export const REQUIRED_ROLE = 'incident-ledger:required-role';
export const PUBLIC_ROUTE = 'incident-ledger:public';
export const METRICS_TOKEN_ACCEPTED = 'incident-ledger:metrics-token';

/** The least role a route needs. Routes with neither this nor @Public() are closed. */
export const RequiresRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
/** Opens the route to METRICS_TOKEN too, beside the role @RequiresRole names: a scraper needs no API key. */
export const AcceptsMetricsToken = () => SetMetadata(METRICS_TOKEN_ACCEPTED, true);
