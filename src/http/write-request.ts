import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { WriteRequest, WriteResult } from '../event-store/handle-command.js';
import type { IdempotentRequest } from './idempotency.js';
import { RequestValidationError } from './problem.js';

/**
 * `@Write() request: WriteRequest` — who writes (the API key's principal), the expected
 * version from If-Match, the ids that tie the appended events to this request, and the
 * Idempotency-Key it was claimed under (which fixes the ids the write makes).
 */
export const Write = createParamDecorator((_: unknown, context: ExecutionContext): WriteRequest => {
  const request = context.switchToHttp().getRequest<IdempotentRequest>();
  const requestId = String(request.id);
  return {
    expectedVersion: expectedVersion(request.headers['if-match']),
    recordedBy: request.principal.name,
    correlationId: correlationId(request.headers['x-correlation-id']) ?? requestId,
    causationId: requestId,
    retryKey: request.idempotency && `${request.idempotency.principal}\n${request.idempotency.key}\n${request.idempotency.requestHash}`,
    retried: request.idempotency?.retried,
  };
});

/** Each request's id: a UUID, so that events can name the request that caused them. */
export const requestIdFactory = (): string => uuidv7();

/** `If-Match: "5"` or `If-Match: 5` → 5. */
export function expectedVersion(header: string | string[] | undefined): number | undefined {
  const value = singleHeader(header);
  if (value === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (!match) {
    throw new RequestValidationError([{ field: 'header.if-match', code: 'invalid_version', message: 'must be an entity version such as "5"' }]);
  }
  return Number(match[1]);
}

/** `X-Correlation-Id` goes into every appended event's metadata: a token such as a UUID or a trace id, nothing else. */
function correlationId(header: string | string[] | undefined): string | undefined {
  const value = singleHeader(header);
  if (value !== undefined && !/^[\x21-\x7e]{1,200}$/.test(value)) {
    throw new RequestValidationError([{ field: 'header.x-correlation-id', code: 'invalid_correlation_id', message: 'must be 1 to 200 visible ASCII characters' }]);
  }
  return value;
}

function singleHeader(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * 201 with the new version when events were appended; 200 when the outcome already held.
 * `ids` names what the write created inside the entity (e.g. `{ claimId }`).
 */
export function sendWrite(reply: FastifyReply, result: WriteResult, ids: Record<string, string> = {}): void {
  void reply
    .status(result.appended ? 201 : 200)
    .header('etag', etag(result.version))
    .send({ id: result.id, ...ids, version: result.version });
}

/** Reads of one entity carry its version as ETag. */
export function etag(version: number): string {
  return `"${version}"`;
}

/** Whether If-None-Match names `version` (or any version, `*`): the client holds it already. */
export function isNotModified(ifNoneMatch: string | undefined, version: number | string): boolean {
  if (ifNoneMatch === undefined) return false;
  const held = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return held.includes('*') || held.includes(typeof version === 'number' ? etag(version) : version);
}
