import type { FastifyInstance } from 'fastify';
import { bearerOf, type MaybeAuthenticatedRequest } from '../../auth/api-key.guard.js';
import type { ApiKeys } from '../../auth/api-keys.js';
import { roleAllows } from '../../auth/roles.js';
import { uuid } from '../../http/schema.js';
import { etag, isNotModified } from '../../http/write-request.js';
import type { CurrentViews } from '../queries/get-incident/current-views.js';

const ROUTE = '/incidents/:incidentId';

/**
 * GET /incidents/{id} now — the most read route — answered before Nest's pipeline (guards,
 * pipes, interceptors: most of what the route costs once the view is in memory;
 * docs/performance.md). Only when everything is in order: a key that may read, a UUID, no
 * query, a view on record. Anything else goes on to the route, which answers it as every
 * route does (401, 400, 404, time travel), so that there is one answer for each case.
 */
export function answerCurrentViewsEarly(fastify: FastifyInstance, keys: ApiKeys, views: CurrentViews): void {
  fastify.addHook('onRequest', async (request: MaybeAuthenticatedRequest, reply) => {
    if (request.method !== 'GET' || request.routeOptions.url !== ROUTE || request.url.includes('?')) return;
    const bearer = bearerOf(request.headers.authorization);
    const principal = bearer === undefined ? undefined : keys.principalFor(bearer);
    const incidentId = uuid.safeParse((request.params as { incidentId: string }).incidentId);
    if (!principal || !roleAllows(principal.role, 'reader') || !incidentId.success) return;
    const view = await views.read(incidentId.data);
    if (!view) return;
    request.principal = principal;
    void reply.header('etag', etag(view.version));
    if (isNotModified(request.headers['if-none-match'], view.version)) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(view.body);
  });
}
