import type { IncidentView } from '../../read-model/incident-view.js';
import type { ShownSource } from '../../read-model/source-references.js';

/** A source as incident views and timelines name it: a row of incident_source_names. */
export interface SourceName {
  source_id: string;
  version: number;
  name: string;
  kind: string;
  confidential: boolean;
}

/**
 * How a source is named to the readers of incident views and timelines: a confidential one
 * by that fact only (PRODUCT.md §3). The one place this rule is written.
 */
export function publicSourceName({ name, confidential }: Pick<SourceName, 'name' | 'confidential'>): string {
  return confidential ? 'Confidential source' : name;
}

/**
 * How readers of the timeline are shown a source its entries refer to (source-references.ts):
 * named by the rule above, and a confidential one's words withheld, as they could identify it.
 */
export function shownSource(source: Pick<SourceName, 'name' | 'confidential'>): ShownSource {
  return { name: publicSourceName(source), wordsShown: !source.confidential };
}

/** A source an incident view names, as GET /incidents/{id} lists it. */
export interface InvolvedSource {
  id: string;
  /** Null while the source is not yet projected. */
  name: string | null;
  kind: string | null;
}

/** GET /incidents/{id}: the view, with its sources named. */
export type IncidentViewResponse = IncidentView & { sources: InvolvedSource[] };

/** Each of a view's `sourceIds`, in its order, named from `known` by the rule above. */
export function involvedSources(sourceIds: readonly string[], known: readonly Omit<SourceName, 'version'>[]): InvolvedSource[] {
  const byId = new Map(known.map((source) => [source.source_id, source]));
  return sourceIds.map((id) => {
    const source = byId.get(id);
    return source ? { id, name: publicSourceName(source), kind: source.kind } : { id, name: null, kind: null };
  });
}
