import type { FastifyRequest } from 'fastify';

/** The pattern of the route that answered (`/incidents/:incidentId`), never the URL: ids would make a metric series per incident. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
