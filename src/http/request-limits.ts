import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerOf } from '../auth/api-key.guard.js';
import type { ApiKeys } from '../auth/api-keys.js';
import { keyHash } from '../config/config.js';
import { sendProblem } from './problem.filter.js';
import { HttpProblem } from './problem.js';

/** Requests a minute; 0 for no limit (RATE_LIMIT_* in the configuration). */
export interface RequestLimits {
  perKey: number;
  perAddress: number;
  /** Requests presenting a key the service does not know, from one address. */
  failedAuth: number;
}

const WINDOW_MS = 60_000;
/** Probes and scrapers call these on a schedule of their own, and /metrics takes a token that is no API key. */
const UNLIMITED_ROUTES = new Set(['/health', '/metrics']);

type Bucket = (request: FastifyRequest, options?: { increment: boolean }) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

/**
 * Request rates, counted by this process (@fastify/rate-limit's store in memory) in windows
 * of a minute, before anything else answers (so before the reads held in memory, too): per
 * address for every request; per key for requests with a key the service knows; and, far
 * stricter, per address for requests presenting a key it does not know. An address past
 * that limit is refused whatever key it presents, so guessing goes no faster with a right
 * guess among the refusals. Each refusal is a 429 problem with Retry-After.
 */
export async function limitRequests(fastify: FastifyInstance, keys: ApiKeys, limits: RequestLimits): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const bucket = (max: number, keyGenerator: (request: FastifyRequest) => string): Bucket | undefined =>
    max > 0 ? (fastify.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator }) as Bucket) : undefined;
  const perAddress = bucket(limits.perAddress, (request) => request.ip);
  // Counted by the key's hash: the key itself is never held (api-keys.ts).
  const perKey = bucket(limits.perKey, (request) => keyHash(bearerOf(request.headers.authorization) ?? ''));
  const failedAuth = bucket(limits.failedAuth, (request) => request.ip);

  fastify.addHook('onRequest', async (request, reply) => {
    if (UNLIMITED_ROUTES.has(request.routeOptions.url ?? '')) return;
    const bearer = bearerOf(request.headers.authorization);
    const known = bearer !== undefined && keys.principalFor(bearer) !== undefined;
    if (await refused(reply, perAddress?.(request), 'this address')) return reply;
    if (bearer !== undefined && (await refused(reply, failedAuth?.(request, { increment: !known }), 'this address, for keys it does not know'))) return reply;
    if (known && (await refused(reply, perKey?.(request), 'this API key'))) return reply;
  });
}

async function refused(reply: FastifyReply, counted: ReturnType<Bucket> | undefined, whose: string): Promise<boolean> {
  const result = await counted;
  // Read without counting (a known key after failed ones), a window past its limit refuses too.
  if (result === undefined || result.isAllowed || !result.isExceeded) return false;
  const seconds = String(Math.max(1, result.ttlInSeconds ?? 1));
  sendProblem(reply, new HttpProblem(429, 'rate_limited', `Too many requests from ${whose}: try again in ${seconds} s.`, { 'retry-after': seconds }));
  return true;
}
