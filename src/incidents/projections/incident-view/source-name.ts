import { CONFIDENTIAL_SOURCE_NAME } from '../../../auth/confidentiality.js';
import type { IncidentView, StatementView } from '../../read-model/incident-view.js';
import { type ShownSource, WORDS_WITHHELD } from '../../read-model/source-references.js';

/** A source as incident views and timelines name it: a row of incident_source_names. */
export interface SourceName {
  source_id: string;
  version: number;
  name: string;
  kind: string;
  confidential: boolean;
}

// How incident views and timelines name sources, by the rule of src/auth/confidentiality.ts.

/** How a source is named to those not shown who confidential sources are: a confidential one by that fact only. */
export function publicSourceName({ name, confidential }: Pick<SourceName, 'name' | 'confidential'>): string {
  return confidential ? CONFIDENTIAL_SOURCE_NAME : name;
}

/** A source's name as shown to a role that does (`identified`) or does not identify confidential sources. */
export function shownName(source: Pick<SourceName, 'name' | 'confidential'>, identified: boolean): string {
  return identified ? source.name : publicSourceName(source);
}

/**
 * A view's statements as those not shown who confidential sources are may see them: the
 * quote, translation and url (any of them can identify a source) only of statements whose
 * source and conduits are all known to be public; withheld otherwise, a source not yet
 * known included.
 */
export function withWordsWithheldUnlessPublic<View extends Pick<IncidentView, 'statements'>>(view: View, publicIds: ReadonlySet<string>): View {
  const isPublic = (statement: StatementView) => [statement.sourceId, ...statement.via].every((id) => publicIds.has(id));
  if (view.statements.every(isPublic)) return view;
  const withheld = (statement: StatementView): StatementView => {
    if (isPublic(statement)) return statement;
    const { quote: _quote, translation: _translation, url: _url, ...rest } = statement;
    return { ...rest, quote: WORDS_WITHHELD };
  };
  return { ...view, statements: view.statements.map(withheld) };
}


/** How the timeline shows a source its entries refer to (source-references.ts), by the rule above. */
export function shownSource(source: Pick<SourceName, 'name' | 'confidential'>, identified: boolean): ShownSource {
  return { name: shownName(source, identified), wordsShown: identified || !source.confidential };
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
export function involvedSources(sourceIds: readonly string[], known: readonly Omit<SourceName, 'version'>[], identified: boolean): InvolvedSource[] {
  const byId = new Map(known.map((source) => [source.source_id, source]));
  return sourceIds.map((id) => {
    const source = byId.get(id);
    return source ? { id, name: shownName(source, identified), kind: source.kind } : { id, name: null, kind: null };
  });
}
