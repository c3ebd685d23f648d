import { Fragment } from 'react';
import { identifiesConfidentialSources, type Source } from './api-types';
import { useDesk } from './desk-context';
import { hrefTo } from './route';

// A source's name wherever the desk shows one, linked to the source's page and its track
// record. "erased source" and "Confidential source" are the service's stand-ins, not names:
// they are set apart by style so that nobody reads (or prints) one as a source called that,
// and link to the page all the same, which shows what this key's role may see of it. A
// confidential source whose name this key is shown carries a badge, the reminder that the
// name is not for print.

/**
 * Source `id` as the desk knows it (`source`: a list's row, or the desk's own list of
 * sources); `name` as the answer being shown names it. `linked={false}` on its own page.
 */
export function SourceTag({ id, source, name, linked = true }: { id: string; source: Source | undefined; name: string; linked?: boolean }) {
  const { session } = useDesk();
  const standIn = source?.erased ? 'source-erased' : source?.confidential && !identifiesConfidentialSources(session.role) ? 'source-confidential' : undefined;
  const named = standIn ? <span className={`source-tag ${standIn}`}>{name}</span> : name;
  return (
    <>
      {linked ? (
        <a href={hrefTo.source(id)} className="source-link">
          {named}
        </a>
      ) : (
        named
      )}
      {!standIn && source?.confidential && (
        <>
          {' '}
          <span className="badge badge-confidential">confidential</span>
        </>
      )}
    </>
  );
}

/** The source `id` by the desk's list of sources; `name` when the answer being shown names it itself. */
export function SourceLabel({ id, name }: { id: string; name?: string }) {
  const { source, sourceName } = useDesk();
  return <SourceTag id={id} source={source(id)} name={name ?? sourceName(id)} />;
}

/** Several sources, in order: conduits (`, then `) or those involved (`, `). */
export function SourceLabels({ ids, separator }: { ids: readonly string[]; separator: string }) {
  return ids.map((id, index) => (
    <Fragment key={`${index}-${id}`}>
      {index > 0 && separator}
      <SourceLabel id={id} />
    </Fragment>
  ));
}
