import { useEffect, useState } from 'react';
import type { Page, Source, SourceKind } from './api-types';
import { SOURCE_KINDS } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen, words } from './format';
import { EraseSourceForm, RegisterSourceForm, ReviseSourceForm } from './forms/source-forms';
import { PageHeading } from './page-heading';
import { hrefTo } from './route';
import { SourceTag } from './source-label';

// Sources: the claimants and conduits the desk knows, and (for editors) registering and
// revising them; admins erase them and read who was shown a confidential one.

const PAGE_SIZE = 25;

export function SourcesPage() {
  const { api, mayWrite, sources: known } = useDesk();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<SourceKind | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page<Source> | null>(null);
  const [registering, setRegistering] = useState(false);
  const [open, setOpen] = useState<{ sourceId: string; panel: Panel } | null>(null);

  useEffect(() => {
    // A request for the filters typed before is abandoned, not just ignored.
    const request = new AbortController();
    const timer = setTimeout(() => {
      api
        .within(request.signal)
        .get<Page<Source>>('/sources', { q: q.trim() || undefined, kind: kind || undefined, limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] })
        .then((answer) => request.signal.aborted || setPage(answer))
        .catch(() => request.signal.aborted || setPage({ items: [], nextCursor: null }));
    }, 200);
    return () => {
      request.abort();
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
          <SourceItem key={source.id} source={source} open={open?.sourceId === source.id ? open.panel : null} onOpen={(panel) => setOpen(panel && { sourceId: source.id, panel })} />
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

type Panel = 'revise' | 'erase';

function SourceItem({ source, open, onOpen }: { source: Source; open: Panel | null; onOpen: (panel: Panel | null) => void }) {
  const { mayWrite, mayAdminister } = useDesk();
  const toggle = (panel: Panel, label: string) => (
    <button type="button" className="toggle" aria-expanded={open === panel} onClick={() => onOpen(open === panel ? null : panel)}>
      {label}
    </button>
  );
  // Nothing more is recorded of an erased source, and its name is gone: it is not revised or erased again.
  const writable = !source.erased;
  return (
    <li className="source" data-source-id={source.id}>
      <h2>
        <SourceTag id={source.id} source={source} name={source.name} />
      </h2>
      <p className="meta">
        {words(source.kind)}
        {source.country && ` · ${source.country}`}
        {source.aliases.length > 0 && ` · also ${source.aliases.join(', ')}`} · registered {formatWhen(source.registeredAt, 'day')} · version {source.version}
      </p>
      {source.description && <p>{source.description}</p>}
      {source.erased && <p className="erased-note">Erased: its name, aliases, description and the words of its statements are gone, for everyone.</p>}
      <div className="source-actions">
        {mayWrite && writable && toggle('revise', `Revise ${source.name}`)}
        {mayAdminister && writable && toggle('erase', `Erase ${source.name}…`)}
        {mayAdminister && source.confidential && <a href={hrefTo.sourceAccessLog(source.id)}>Access log of {source.name}</a>}
      </div>
      {open === 'revise' && mayWrite && writable && <ReviseSourceForm source={source} onDone={() => onOpen(null)} />}
      {open === 'erase' && mayAdminister && writable && <EraseSourceForm source={source} onDone={() => onOpen(null)} />}
    </li>
  );
}
