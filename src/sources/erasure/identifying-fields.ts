import type { JsonObject } from '../../event-store/event-store.js';

// What identifies a source in the ledger (PRODUCT.md §3): its name, aliases and description,
// and the words (quote, translation, url) of the statements it made or relayed. These are
// stored sealed with a key made of the keys of all the sources they identify
// (sealing-event-store.ts) and read back through the one map below, so that destroying any
// of those keys erases them everywhere at once (crypto-shredding, docs/audit.md).

/** What an erased source is called, on every route and to every role. */
export const ERASED_SOURCE_NAME = 'erased source';

/** What an erased source's statements read as. */
export const ERASED_WORDS = 'words of an erased source';

/** By event type, the identifying fields; each event names its source in `sourceId` (and a statement its conduits in `via`). */
const IDENTIFYING_FIELDS: Readonly<Record<string, readonly string[]>> = {
  SourceRegistered: ['name', 'aliases', 'description'],
  SourceRevised: ['name', 'aliases', 'description'],
  SourceStatementRecorded: ['quote', 'translation', 'url'],
};

/** Events that carry other events (a merge, a split) in `events`, each with its own type and data. */
const CARRYING_EVENT_TYPES: readonly string[] = ['IncidentAbsorbed', 'IncidentSplitFrom'];

/**
 * What is left of an identifying field once its source is erased: a stand-in for the name
 * and the quote, which the record cannot do without; nothing for the rest (the field, or
 * the alias, is dropped). Read models scrubbed on SourceErased use the same, so that they
 * agree with a rebuild.
 */
export function erasedValue(field: string): string | undefined {
  if (field === 'name') return ERASED_SOURCE_NAME;
  if (field === 'quote') return ERASED_WORDS;
  return undefined;
}

/**
 * One identifying text, of `field`, mapped to what it becomes (undefined: dropped).
 * `sourceIds` are the sources it identifies: the source itself, or a statement's speaker
 * and then its conduits, in the order the words travelled.
 */
export type FieldMap = (sourceIds: readonly string[], field: string, value: string) => string | undefined;

/** An event's data with each identifying text mapped, carried events' included; `data` itself when it has none. */
export function withIdentifyingFields(type: string, data: JsonObject, map: FieldMap): JsonObject {
  if (CARRYING_EVENT_TYPES.includes(type)) {
    const events = data.events as { type: string; data: JsonObject }[];
    return { ...data, events: events.map((carried) => ({ ...carried, data: withIdentifyingFields(carried.type, carried.data, map) })) };
  }
  const fields = IDENTIFYING_FIELDS[type];
  if (fields === undefined) return data;
  const sourceIds = identifiedBy(data);
  const mapped: JsonObject = { ...data };
  for (const field of fields) {
    const value = data[field];
    if (value === undefined) continue;
    const after = Array.isArray(value) ? (value as string[]).flatMap((item) => map(sourceIds, field, item) ?? []) : map(sourceIds, field, value as string);
    if (after === undefined) delete mapped[field];
    else mapped[field] = after;
  }
  return mapped;
}

/** The sources whose keys seal an event's identifying fields. */
export function sourcesIdentifiedIn(type: string, data: JsonObject): string[] {
  if (CARRYING_EVENT_TYPES.includes(type)) return (data.events as { type: string; data: JsonObject }[]).flatMap((carried) => sourcesIdentifiedIn(carried.type, carried.data));
  return IDENTIFYING_FIELDS[type] === undefined ? [] : identifiedBy(data);
}

/** Words relayed through a conduit identify it too: whoever relays "Gao garrison sources say…" is known by it. */
function identifiedBy(data: JsonObject): string[] {
  return [data.sourceId as string, ...((data.via as string[] | undefined) ?? [])];
}

/** The additional data a field is sealed with: a sealed value opens only as the field of the sources it was sealed for. */
export function fieldOf(sourceIds: readonly string[], field: string): string {
  return `${sourceIds.join(',')}/${field}`;
}
