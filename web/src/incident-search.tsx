import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, type FieldError, type Query } from './api';
import { INCIDENT_SORTS, type IncidentSearchItem, type IncidentSort, type Page } from './api-types';
import { useDesk } from './desk-context';
import { ExportDownloads } from './export-downloads';
import { formatOccurred, formatWhen, placeText } from './format';
import { FieldScope } from './forms/form-shell';
import { OpenIncidentForm } from './forms/incident-forms';
import { EnumSelect, SourceSelect, TextInput } from './forms/inputs';
import { PageHeading } from './page-heading';
import { hashQuery, hrefTo, navigate, useHash } from './route';
import { SourceLabels } from './source-label';
import { TagLinks } from './tag-links';

// Find an incident: the filters of GET /incidents, a page at a time.

interface Filters {
  q: string;
  country: string;
  region: string;
  tag: string;
  claimant: string;
  from: string;
  to: string;
  sort: IncidentSort;
}

const NO_FILTERS: Filters = { q: '', country: '', region: '', tag: '', claimant: '', from: '', to: '', sort: '-updatedAt' };
const PAGE_SIZE = 20;

const SORT_LABELS: Record<IncidentSort, string> = {
  '-updatedAt': 'last changed first',
  updatedAt: 'last changed last',
  '-occurredFrom': 'latest to happen first',
  occurredFrom: 'earliest to happen first',
  relevance: 'best match to the words',
};

// The walk survives a visit to an incident and back.
let lastWalk: { filters: Filters; cursors: (string | undefined)[] } = { filters: NO_FILTERS, cursors: [undefined] };

export function IncidentSearch() {
  const { api, mayWrite } = useDesk();
  // A tag's link (`#/?tag=…`) asks for the incidents carrying it, whatever was searched before.
  const tagInUrl = hashQuery(useHash()).get('tag');
  const walk = tagInUrl === null ? lastWalk : { filters: { ...NO_FILTERS, tag: tagInUrl }, cursors: [undefined] };
  const [draft, setDraft] = useState(walk.filters);
  const [filters, setFilters] = useState(walk.filters);
  const [cursors, setCursors] = useState(walk.cursors);
  const [askedTag, setAskedTag] = useState(tagInUrl);
  if (tagInUrl !== askedTag) {
    setAskedTag(tagInUrl);
    setDraft(walk.filters);
    setFilters(walk.filters);
    setCursors(walk.cursors);
  }
  // On a phone the filters wait behind a button, so that the results come first.
  const [showingFilters, setShowingFilters] = useState(false);
  const filtersSet = Object.entries(filters).filter(([name, value]) => name !== 'sort' && value !== '').length;
  const [page, setPage] = useState<Page<IncidentSearchItem> | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const set = (change: Partial<Filters>) => setDraft((current) => ({ ...current, ...change }));

  useEffect(() => {
    lastWalk = { filters, cursors };
    let current = true;
    api
      .get<Page<IncidentSearchItem>>('/incidents', { ...filters, limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] })
      .then(
        (answer) => {
          if (!current) return;
          setPage(answer);
          setErrors([]);
          setProblem(null);
        },
        (error: unknown) => {
          if (!current) return;
          setPage(null);
          setErrors(error instanceof ApiError ? (error.problem.errors ?? []) : []);
          setProblem(error instanceof Error ? error.message : String(error));
        },
      );
    return () => {
      current = false;
    };
  }, [api, filters, cursors]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ ...draft, sort: draft.sort === 'relevance' && !draft.q.trim() ? '-updatedAt' : draft.sort });
    setCursors([undefined]);
  };

  const clear = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setCursors([undefined]);
  };

  return (
    <>
      <div className="section-head">
        <PageHeading>Incidents</PageHeading>
        {mayWrite && (
          <button type="button" className="toggle" aria-expanded={opening} onClick={() => setOpening(!opening)}>
            Open an incident
          </button>
        )}
        <button type="button" className="toggle filters-toggle" aria-expanded={showingFilters} aria-controls="search-filters" onClick={() => setShowingFilters(!showingFilters)}>
          Filters{filtersSet > 0 && ` (${filtersSet} set)`}
        </button>
      </div>
      {mayWrite && opening && <OpenIncidentForm onOpened={(id) => navigate(hrefTo.incident(id))} onCancel={() => setOpening(false)} />}

      <form id="search-filters" role="search" aria-label="Search incidents" className={showingFilters ? 'filters showing' : 'filters'} onSubmit={search} noValidate>
        <FieldScope formId="search" errors={errors}>
          <div className="row">
            <TextInput name="query.q" label="Words" hint="title, description, claim summaries" value={draft.q} onChange={(q) => set({ q })} />
            <TextInput name="query.country" label="Country" hint="ISO code, e.g. ML" value={draft.country} onChange={(country) => set({ country: country.toUpperCase() })} />
            <TextInput name="query.region" label="Region" value={draft.region} onChange={(region) => set({ region })} />
            <TextInput name="query.tag" label="Tag" value={draft.tag} onChange={(tag) => set({ tag })} />
          </div>
          <div className="row">
            <SourceSelect name="query.claimant" label="Claimant" value={draft.claimant} onChange={(claimant) => set({ claimant })} includeErased />
            <TextInput name="query.from" label="Happened from" type="date" value={draft.from} onChange={(from) => set({ from })} />
            <TextInput name="query.to" label="Happened to" type="date" value={draft.to} onChange={(to) => set({ to })} />
            <EnumSelect name="query.sort" label="Order" options={INCIDENT_SORTS} value={draft.sort} onChange={(sort) => set({ sort })} labels={SORT_LABELS} />
          </div>
        </FieldScope>
        <div className="form-actions">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={clear}>
            Clear filters
          </button>
        </div>
      </form>

      <section aria-labelledby="results-heading" aria-live="polite">
        <h2 id="results-heading">{page ? `Page ${cursors.length}: ${page.items.length} incident${page.items.length === 1 ? '' : 's'}` : 'Results'}</h2>
        {problem && <p role="alert">{problem}</p>}
        {page?.items.length === 0 && <p className="empty">No incident matches these filters.</p>}
        <ol className="results">
          {page?.items.map((item) => (
            <li key={item.id}>
              <a href={hrefTo.incident(item.id)} className="result-title">
                {item.title}
              </a>
              <p className="meta">
                {placeText(item.location)} · {formatOccurred(item.occurred)} · version {item.version} · changed {formatWhen(item.updatedAt)}
              </p>
              {item.claimantIds.length > 0 && (
                <p className="meta">
                  Claims by <SourceLabels ids={item.claimantIds} separator=", " />
                </p>
              )}
              <TagLinks tags={item.tags} />
            </li>
          ))}
        </ol>
        {page !== null && page.items.length > 0 && <ExportDownloads query={exportedFilters(filters)} label="Download every match" />}
        <nav className="pager" aria-label="Result pages">
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
            Next page
          </button>
        </nav>
      </section>
    </>
  );
}

/** The filters the exports take: all of the search's but its order. */
function exportedFilters({ sort: _sort, ...filters }: Filters): Query {
  return filters;
}
