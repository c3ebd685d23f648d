import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { RequiresRole } from '../auth/access.decorators.js';
import type { Role } from '../auth/role-names.js';
import { openApi } from './schema.js';

const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

/** A write (an editor's, unless `role` says whose): its role, body schema, the write headers and answers, for OpenAPI. */
export function WriteRoute(summary: string, body: z.ZodType, role: Role = 'editor') {
  return applyDecorators(
    RequiresRole(role),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiBody({ schema: openApi(body) }),
    ApiHeader({ name: 'If-Match', required: false, description: 'The version you last read, e.g. "5": the write fails with 412 if the entity changed since.' }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key and body replays the first response instead of writing again.' }),
    ApiResponse({ status: 201, description: 'Recorded: the id and the new version (also the ETag).' }),
    ApiResponse({ status: 200, description: 'Already so (e.g. a retried retraction): nothing appended, the unchanged version.' }),
    ApiResponse({ status: 400, description: 'Invalid fields, listed in `errors`.', ...problem }),
    ApiResponse({ status: 404, description: 'The incident or claim does not exist.', ...problem }),
    ApiResponse({ status: 409, description: 'The change contradicts the record (e.g. amending a retracted claim).', ...problem }),
    ApiResponse({ status: 412, description: 'If-Match names an older version.', ...problem }),
    ApiResponse({ status: 422, description: 'A rule of the record is broken (e.g. an unregistered source).', ...problem }),
  );
}
