import { SetMetadata } from '@nestjs/common';
import type { Role } from '../config/config.js';

export const REQUIRED_ROLE = 'incident-ledger:required-role';
export const PUBLIC_ROUTE = 'incident-ledger:public';

/** The least role a route needs. Routes with neither this nor @Public() are closed. */
export const RequiresRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
