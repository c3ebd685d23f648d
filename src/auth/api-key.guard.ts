import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../config/config.js';
import { METRICS_TOKEN_ACCEPTED, PUBLIC_ROUTE, REQUIRED_ROLE } from './access.decorators.js';
import { ApiKeys, type Principal } from './api-keys.js';
import { MetricsToken } from './metrics-token.js';
import { roleAllows } from './roles.js';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };
/** A public route's request: the principal when a key came with it (a wrong key is refused all the same). */
export type MaybeAuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Denied by default: a route opens only through @Public(), @RequiresRole(role) or @AcceptsMetricsToken(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    private readonly metricsToken: MetricsToken,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<MaybeAuthenticatedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      // Open to all; a key, when given, may show more (GET /health's detail, to admins).
      if (request.headers.authorization !== undefined) request.principal = this.authenticate(request.headers.authorization);
      return true;
    }

    const bearer = bearerOf(request.headers.authorization);
    const tokenAccepted = this.reflector.getAllAndOverride<boolean>(METRICS_TOKEN_ACCEPTED, targets);
    if (tokenAccepted && bearer !== undefined && this.metricsToken.matches(bearer)) return true;

    const principal = this.authenticate(request.headers.authorization);
    // Recorded before the role is checked: the request log names the key it refused, too.
    request.principal = principal;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (!required) throw new ForbiddenException('This route is closed: it declares no role.');
    if (!roleAllows(principal.role, required)) {
      throw new ForbiddenException(`This needs the ${required} role; the key "${principal.name}" has ${principal.role}.`);
    }
    return true;
  }

  private authenticate(header: string | undefined): Principal {
    const bearer = bearerOf(header);
    if (bearer === undefined) throw new UnauthorizedException('An API key is required: Authorization: Bearer <key>.');
    const principal = this.keys.principalFor(bearer);
    if (!principal) throw new UnauthorizedException('The API key is not valid.');
    return principal;
  }
}

/** The key in `Authorization: Bearer <key>`. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}
