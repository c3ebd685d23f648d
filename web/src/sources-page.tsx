import { useEffect, useState } from 'react';
import type { Page, Source, SourceKind } from './api-types';
import { SOURCE_KINDS } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen, words } from './format';
import { RegisterSourceForm, ReviseSourceForm } from './forms/source-forms';
import { PageHeading } from './page-heading';

// Sources: the claimants and conduits the desk knows, and (for editors) registering and
// revising them.

const PAGE_SIZE = 25;

export function SourcesPage() {
  const { api, mayWrite, sources: known } = useDesk();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<SourceKind | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page<Source> | null>(null);
  const [registering, setRegistering] = useState(false);
  const [revising, setRevising] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api
        .get<Page<Source>>('/sources', { q: q.trim() || undefined, kind: kind || undefined, limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] })
        .then((answer) => current && setPage(answer))
        .catch(() => current && setPage({ items: [], nextCursor: null }));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `known` changes when a source is registered or revised: show it.
  }, [api, q, kind, cursors, known]);

  return (
    <>
      <div className="section-head">
        <PageHeading>Sources</PageHeading>
        {mayWrite && (
          <button type="button" className="toggle" aria-expanded={registering} onClick={() => setRegistering(!registering)}>
            Register a source
          </button>
        )}
      </div>
      {mayWrite && registering && <RegisterSourceForm onDone={() => undefined} />}

      <div className="filters row" role="search" aria-label="Filter sources">
        <div className="field">
          <label htmlFor="sources-q">Name or alias</label>
          <input id="sources-q" value={q} onChange={(event) => (setQ(event.target.value), setCursors([undefined]))} />
        </div>
        <div className="field">
          <label htmlFor="sources-kind">Kind</label>
          <select id="sources-kind" value={kind} onChange={(event) => (setKind(event.target.value as SourceKind | ''), setCursors([undefined]))}>
            <option value="">any</option>
            {SOURCE_KINDS.map((option) => (
              <option key={option} value={option}>
                {words(option)}
              </option>
            ))}
          </select>
        </div>
      </div>

      <ul className="sources" aria-label="Sources">
        {page?.items.map((source) => (
          <li key={source.id} className="source">
            <h2>
              {source.name} {source.confidential && <span className="badge badge-confidential">confidential</span>}
            </h2>
            <p className="meta">
              {words(source.kind)}
              {source.country && ` · ${source.country}`}
              {source.aliases.length > 0 && ` · also ${source.aliases.join(', ')}`} · registered {formatWhen(source.registeredAt, 'day')} · version {source.version}
            </p>
            {source.description && <p>{source.description}</p>}
            {mayWrite && (
              <>
                <button type="button" className="toggle" aria-expanded={revising === source.id} onClick={() => setRevising(revising === source.id ? null : source.id)}>
                  Revise {source.name}
                </button>
                {revising === source.id && <ReviseSourceForm source={source} onDone={() => setRevising(null)} />}
              </>
            )}
          </li>
        ))}
      </ul>
      {page?.items.length === 0 && <p className="empty">No source matches.</p>}
      <nav className="pager" aria-label="Source pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </nav>
    </>
  );
}
