import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerOf, type MaybeAuthenticatedRequest } from '../auth/api-key.guard.js';
import type { ApiKeys, Principal } from '../auth/api-keys.js';
import { roleAllows } from '../auth/roles.js';
import { etag, isNotModified } from './write-request.js';

/** A read's answer, held in memory: the JSON to send, and the version its ETag names, if it has one. */
export interface HeldAnswer {
  body: Buffer;
  version?: number;
  /**
   * The ETag when the version alone does not tell the answer: one that names confidential
   * sources differs by who asks, and changes when a source is made confidential.
   */
  tag?: string;
}

/** A GET route whose answers are held in memory: the one it holds for this request, if any. */
export interface EarlyRead {
  /** The route's pattern, as Fastify matched it. */
  route: string;
  /** `principal` holds a key that may read: an answer may depend on its role. */
  answer(request: FastifyRequest, principal: Principal): Promise<HeldAnswer | undefined>;
}

/**
 * The most read routes, answered before Nest's pipeline (guards, pipes, interceptors: most
 * of what a read costs once its answer is in memory; docs/performance.md) when everything is
 * in order: a key that may read, and an answer held for the request. Anything else goes on to
 * the route, which answers it as every route does (401, 400, 404, …): one answer per case.
 */
export function answerReadsEarly(fastify: FastifyInstance, keys: ApiKeys, reads: readonly EarlyRead[]): void {
  const byRoute = new Map(reads.map((read) => [read.route, read]));
  fastify.addHook('onRequest', async (request: MaybeAuthenticatedRequest, reply) => {
    const read = request.method === 'GET' ? byRoute.get(request.routeOptions.url ?? '') : undefined;
    if (!read) return;
    const bearer = bearerOf(request.headers.authorization);
    const principal = bearer === undefined ? undefined : keys.principalFor(bearer);
    if (!principal || !roleAllows(principal.role, 'reader')) return;
    // Should reading it fail (the database gone), the route meets the same fault and answers
    // it as every route does: 503 problem+json, not Fastify's bare 500.
    const held = await read.answer(request, principal).catch(() => undefined);
    if (!held) return;
    request.principal = principal;
    return sendHeld(request, reply, held);
  });
}

/** Sends an answer held in memory: its ETag, or 304 when If-None-Match names it. */
export function sendHeld(request: FastifyRequest, reply: FastifyReply, { body, version, tag }: HeldAnswer): FastifyReply {
  keptToTheKey(reply);
  if (version !== undefined) {
    const sent = tag ?? etag(version);
    void reply.header('etag', sent);
    if (isNotModified(request.headers['if-none-match'], sent)) return reply.status(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(body);
}

/** For an answer that depends on who asks (confidential sources): no cache may hand it to another key. */
export function keptToTheKey(reply: FastifyReply): FastifyReply {
  return reply.header('vary', 'authorization').header('cache-control', 'private, no-cache');
}
