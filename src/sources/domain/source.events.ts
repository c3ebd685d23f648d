// The events of a `source-<uuid>` stream. Stored type names and field names are a
// contract (PRODUCT.md §3): never renamed; a changed meaning is a new event type.

// Exported once so the HTTP schemas validate against the same list.
export const SOURCE_KINDS = [
  'armed_group',
  'state_military',
  'government',
  'private_military_company',
  'monitoring_group',
  'news_agency',
  'news_outlet',
  'social_media',
  'anonymous',
  'ngo',
  'other',
] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceRegisteredData {
  sourceId: string;
  name: string;
  kind: SourceKind;
  aliases: string[];
  /** ISO-3166 alpha-2; omitted when the source belongs to no one country. */
  country?: string;
  description?: string;
  /** The source's identity is protected (e.g. an unnamed security source). */
  confidential: boolean;
}

/** Carries only the fields that changed, each replacing the previous value whole. */
export interface SourceRevisedData {
  sourceId: string;
  name?: string;
  kind?: SourceKind;
  aliases?: string[];
  country?: string;
  description?: string;
  confidential?: boolean;
  reason: string;
}

/**
 * The source's key was destroyed (crypto-shredding, src/sources/erasure/): what identifies it
 * in the ledger (its name, aliases, description, its statements' words) can no longer be
 * read, and it takes no more claims or statements. Recorded after the key is gone.
 */
export interface SourceErasedData {
  sourceId: string;
  reason: string;
}

export type SourceEvent =
  | { type: 'SourceRegistered'; data: SourceRegisteredData }
  | { type: 'SourceRevised'; data: SourceRevisedData }
  | { type: 'SourceErased'; data: SourceErasedData };

export type SourceEventType = SourceEvent['type'];

// A record keyed by the union makes a forgotten event type a compile error here.
const sourceEventTypes: Record<SourceEventType, true> = {
  SourceRegistered: true,
  SourceRevised: true,
  SourceErased: true,
};

export const SOURCE_EVENT_TYPES = Object.keys(sourceEventTypes) as readonly SourceEventType[];
