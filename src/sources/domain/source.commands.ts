import type { SourceErasedData, SourceRegisteredData, SourceRevisedData } from './source.events.js';

// A command asks for exactly the event it would record, so each command's data is its
// event's data. The caller generates the sourceId and fills defaults (no aliases, not
// confidential) before deciding.
export type RegisterSourceData = SourceRegisteredData;
export type ReviseSourceData = SourceRevisedData;
export type EraseSourceData = SourceErasedData;

export interface RegisterSource { type: 'RegisterSource'; data: RegisterSourceData }
export interface ReviseSource { type: 'ReviseSource'; data: ReviseSourceData }
export interface EraseSource { type: 'EraseSource'; data: EraseSourceData }

export type SourceCommand = RegisterSource | ReviseSource | EraseSource;

/** What a revision may change; it must change at least one. */
export const SOURCE_REVISABLE_FIELDS = [
  'name',
  'kind',
  'aliases',
  'country',
  'description',
  'confidential',
] as const satisfies readonly (keyof ReviseSourceData)[];

/** Size limits the HTTP schemas enforce (text lengths in characters, `aliases` an item count). */
export const SOURCE_LIMITS = {
  name: 200,
  aliases: 20,
  alias: 200,
  description: 10_000,
  reason: 2_000,
} as const;
