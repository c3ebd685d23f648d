import { useEffect, useState } from 'react';
import type { SourceAccessPage } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen } from './format';
import { PageHeading } from './page-heading';
import { hrefTo } from './route';
import { SourceTag } from './source-label';

// For admins: who was shown who a confidential source is, through which route and when
// (GET /sources/{id}/access-log), newest first, a page at a time. The source is named from the
// desk's own list: reading it again here would itself be logged.

const PAGE_SIZE = 50;

export function SourceAccessLogPage({ sourceId }: { sourceId: string }) {
  const { api, source } = useDesk();
  const known = source(sourceId);
  // Each page's `before`: the first page has none, each older one the last entry's id above it.
  const [befores, setBefores] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<SourceAccessPage | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const before = befores[befores.length - 1];

  useEffect(() => {
    let current = true;
    setPage(null);
    setProblem(null);
    api.get<SourceAccessPage>(`/sources/${sourceId}/access-log`, { limit: PAGE_SIZE, before }).then(
      (answer) => current && setPage(answer),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [api, sourceId, before]);

  return (
    <>
      <PageHeading>Access log of {known ? <SourceTag id={sourceId} source={known} name={known.name} /> : `source …${sourceId.slice(-6)}`}</PageHeading>
      <p className="lead">
        Each time an answer named this confidential source to an editor or an admin: who, when and through which route, newest first. Entries are only ever added.
      </p>
      <p>
        <a href={hrefTo.sources()}>Back to the sources</a>
      </p>
      <section aria-labelledby="access-log-heading">
        <h2 id="access-log-heading">Shown to, page {befores.length}</h2>
        {problem && <p role="alert">{problem}</p>}
        {!page && !problem && <p role="status">Loading…</p>}
        {page && page.entries.length === 0 && <p className="empty">{befores.length === 1 ? 'No one has been shown who this source is.' : 'No older entries.'}</p>}
        {page && page.entries.length > 0 && (
          <table className="access-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who (API key)</th>
                <th scope="col">Route</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <time dateTime={entry.shownAt}>{formatWhen(entry.shownAt, 'second')}</time>
                  </td>
                  <td>{entry.principal}</td>
                  <td>
                    <code>{entry.route}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav className="pager" aria-label="Access log pages">
          <button type="button" disabled={befores.length === 1} onClick={() => setBefores(befores.slice(0, -1))}>
            Newer entries
          </button>
          <button type="button" disabled={!page?.nextBefore} onClick={() => page?.nextBefore && setBefores([...befores, page.nextBefore])}>
            Older entries
          </button>
        </nav>
      </section>
    </>
  );
}
