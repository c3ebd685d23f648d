import { z } from 'zod';
import { cursorParam } from '../../http/cursor.js';
import { queryInteger } from '../../http/query-integer.js';
import { countryCode, text, uuid } from '../../http/schema.js';
import { SOURCE_LIMITS as LIMIT } from '../domain/source.commands.js';
import { SOURCE_KINDS } from '../domain/source.events.js';
import { SourceCursor, type SourceListing } from '../queries/list-sources/list-sources.handler.js';

export const RegisterSourceRequest = z.strictObject({
  id: uuid.optional().describe('Supply your own id to make the call safe to retry; otherwise the server chooses one.'),
  name: text(LIMIT.name),
  kind: z.enum(SOURCE_KINDS),
  aliases: z.array(text(LIMIT.alias)).max(LIMIT.aliases).default([]),
  country: countryCode.optional(),
  description: text(LIMIT.description).optional(),
  confidential: z.boolean().default(false).describe('The source’s identity is protected (e.g. an unnamed security source).'),
});

export const ReviseSourceRequest = z.strictObject({
  name: text(LIMIT.name).optional(),
  kind: z.enum(SOURCE_KINDS).optional(),
  aliases: z.array(text(LIMIT.alias)).max(LIMIT.aliases).optional(),
  country: countryCode.optional(),
  description: text(LIMIT.description).optional(),
  confidential: z.boolean().optional(),
  reason: text(LIMIT.reason),
});

export const EraseSourceRequest = z.strictObject({
  reason: text(LIMIT.reason).describe('Why the source is erased: kept in the ledger, so it must not name the source.'),
});

/** GET /sources' query parameters as clients send them (also their OpenAPI description). */
export const ListSourcesParams = z.strictObject({
  kind: z.enum(SOURCE_KINDS).optional(),
  q: text(LIMIT.name).optional().describe('Part of a name or an alias, in any case. Confidential sources’ names are not searched for readers.'),
  limit: queryInteger(1, 100).prefault(20),
  cursor: cursorParam(SourceCursor).optional().describe('The nextCursor of the previous page, with the same filters.'),
});

export const ListSourcesRequest = ListSourcesParams.transform(({ cursor, ...listing }): SourceListing => ({ ...listing, after: cursor }));

export const SourceAccessLogQuery = z.strictObject({
  limit: queryInteger(1, 1000).prefault(100),
  before: queryInteger(1, Number.MAX_SAFE_INTEGER).optional().describe('An entry id: the entries older than it (nextBefore of the page before).'),
});
