import { HttpException, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { EventStoreUnavailableError, InvalidPositionError, WrongExpectedRevisionError } from '../event-store/event-store.js';
import type { FieldError, Problem } from './problem-document.js';
import { isPostgresUnavailable } from '../database/unavailable.js';

// Every error the API answers is an RFC 9457 problem: this file is the one map from what
// went wrong to its status, code and fields.

export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
}

/** The Problem shape, for the OpenAPI document. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'a URI naming the kind of problem: urn:incident-ledger:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'what went wrong, for a person' },
    code: { type: 'string', description: 'what went wrong, for a program (e.g. claim_retracted, version_mismatch)' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'code', 'message'],
        properties: { field: { type: 'string', example: 'figures[0].value' }, code: { type: 'string', example: 'figure_value_required' }, message: { type: 'string' } },
      },
    },
    mergedInto: { type: 'string', description: 'on incident_merged: the incident it was merged into, where the write belongs' },
    movedTo: { type: 'string', description: 'on claim_moved or statement_moved: the incident it was split off to' },
  },
};

/** Bad request input: 400 with one entry per field. */
export class RequestValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** A problem the HTTP layer itself decides (e.g. an Idempotency-Key reused with another body). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const DOMAIN_STATUS = { not_found: 404, invalid: 422, conflict: 409 } as const;

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

const NEST_CODES: Record<number, string> = {
  401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 413: 'body_too_large', 415: 'unsupported_media_type',
};

const logger = new Logger('Problem');

export function toProblem(error: unknown): ProblemResponse {
  if (error instanceof RequestValidationError) {
    return problem(400, 'validation_failed', 'The request has invalid fields; see errors.', error.errors);
  }
  if (error instanceof DomainError) {
    const fields = error.field ? [error.field] : error.anyOf;
    const errors = fields.map((field) => ({ field, code: error.code, message: error.message }));
    const answer = problem(DOMAIN_STATUS[error.kind], error.code, error.message, errors.length > 0 ? errors : undefined);
    return { ...answer, problem: { ...answer.problem, ...error.extensions } };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return problem(412, 'version_mismatch', `The entity is at version ${error.actual}, not ${String(error.expected)}: reload it and apply your change again.`);
  }
  if (error instanceof InvalidPositionError) {
    // Routes that take a position name where it came from (readingFromClientPosition).
    return problem(400, 'invalid_position', error.message);
  }
  if (error instanceof EventStoreUnavailableError) {
    // A write that timed out may still have been stored (EventStoreDB can commit after the
    // deadline): a retry with the same Idempotency-Key or client-chosen id is safe either way.
    return problem(503, 'event_store_unavailable', 'The event store did not answer; the write may or may not have been recorded. Retry with the same Idempotency-Key.', undefined, { 'retry-after': '5' });
  }
  if (isPostgresUnavailable(error)) {
    // The read models, idempotency keys and (by default) the events live there: a restart,
    // a failover or a dropped connection, to be retried shortly.
    return problem(503, 'database_unavailable', 'The database did not answer; try again shortly. A write may or may not have been recorded: retry it with the same Idempotency-Key.', undefined, {
      'retry-after': '1',
    });
  }
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, undefined, error.headers);
  if (error instanceof HttpException) {
    // Nest wraps Fastify's own errors (body parsing, size, content type) in an HttpException.
    const fastify = fastifyError(error.cause);
    if (fastify) return fastify;
    const status = error.getStatus();
    return problem(status, NEST_CODES[status] ?? `http_${status}`, error.message, undefined, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return problem(500, 'internal_error', 'Something went wrong on our side; nothing you sent is to blame.');
}

/** Errors Fastify raises before a route runs: body parsing, size, content type. */
function fastifyError(error: unknown): ProblemResponse | undefined {
  const { statusCode, code, message } = (error ?? {}) as { statusCode?: number; code?: string; message?: string };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem(413, 'body_too_large', 'The request body is larger than the service accepts.');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(415, 'unsupported_media_type', 'Send JSON: Content-Type: application/json.');
  if (statusCode === 400) {
    return problem(400, 'malformed_json', 'The request body is not valid JSON.', [{ field: 'body', code: 'malformed_json', message: message ?? 'invalid JSON' }]);
  }
  return problem(statusCode, NEST_CODES[statusCode] ?? `http_${statusCode}`, message ?? TITLES[statusCode] ?? 'Request error');
}

function problem(status: number, code: string, detail: string, errors?: FieldError[], headers: Record<string, string> = {}): ProblemResponse {
  return {
    problem: { type: `urn:incident-ledger:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...(errors ? { errors } : {}) },
    headers,
  };
}
