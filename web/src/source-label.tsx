import { Fragment } from 'react';
import { identifiesConfidentialSources, type Source } from './api-types';
import { useDesk } from './desk-context';

// A source's name wherever the desk shows one. "erased source" and "Confidential source" are
// the service's stand-ins, not names: they are set apart by style so that nobody reads (or
// prints) one as a source called that. A confidential source whose name this key is shown
// carries a badge, the reminder that the name is not for print.

/** `source` as the desk knows it (a list's row, or the desk's own list of sources); `name` as the answer being shown names it. */
export function SourceTag({ source, name }: { source: Source | undefined; name: string }) {
  const { session } = useDesk();
  if (source?.erased) return <span className="source-tag source-erased">{name}</span>;
  if (!source?.confidential) return <>{name}</>;
  if (!identifiesConfidentialSources(session.role)) return <span className="source-tag source-confidential">{name}</span>;
  return (
    <>
      {name} <span className="badge badge-confidential">confidential</span>
    </>
  );
}

/** The source `id` by the desk's list of sources; `name` when the answer being shown names it itself. */
export function SourceLabel({ id, name }: { id: string; name?: string }) {
  const { source, sourceName } = useDesk();
  return <SourceTag source={source(id)} name={name ?? sourceName(id)} />;
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
