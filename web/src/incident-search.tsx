import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, type FieldError, type Query } from './api';
import { INCIDENT_SORTS, type IncidentSearchItem, type IncidentSort, type Page } from './api-types';
import { useDesk } from './desk-context';
import { ExportDownloads } from './export-downloads';
import { formatOccurred, formatWhen, placeText, utcInstant } from './format';
import { DateTimeInput } from './forms/date-time';
import { FieldScope } from './forms/form-shell';
import { OpenIncidentForm } from './forms/incident-forms';
import { EnumSelect, SourceSelect, TextInput } from './forms/inputs';
import { PageHeading } from './page-heading';
import { hrefTo, navigate } from './route';
import { SourceLabels } from './source-label';
import { TagLinks } from './tag-links';

// Find an incident: the filters of GET /incidents, a page at a time. The filters searched
// for are the URL's (`#/?tag=ambush&country=ML`, named as the API names them), so that a
// search can be shared, bookmarked and reloaded, and Back returns to the one before.

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

/** The filters a search URL names; one it leaves out is unset, and an order the API does not offer is the default. */
function filtersOf(query: string): Filters {
  const params = new URLSearchParams(query);
  const named = (name: keyof Filters) => params.get(name) ?? '';
  const sort = INCIDENT_SORTS.find((candidate) => candidate === params.get('sort')) ?? NO_FILTERS.sort;
  return { q: named('q'), country: named('country'), region: named('region'), tag: named('tag'), claimant: named('claimant'), from: named('from'), to: named('to'), sort };
}

/** A date filter as the API takes it: a day as it is (`to` a day takes the whole day), a time as a UTC instant. */
function asAsked(when: string): string {
  return when.includes('T') ? (utcInstant(when) ?? when) : when;
}

/** The search's URL: unset filters and the default order left out. */
function searchHref(filters: Filters): string {
  return hrefTo.search({ ...filters, sort: filters.sort === NO_FILTERS.sort ? undefined : filters.sort });
}

// The pages walked through survive a visit to an incident and back to the same search.
let lastWalk: { query: string; cursors: (string | undefined)[] } = { query: '', cursors: [undefined] };

export function IncidentSearch({ query }: { query: string }) {
  const { api, mayWrite } = useDesk();
  const filters = useMemo(() => filtersOf(query), [query]);
  const [draft, setDraft] = useState(filters);
  const [cursors, setCursors] = useState(() => (lastWalk.query === query ? lastWalk.cursors : [undefined]));
  // On a phone the filters wait behind a button, so that the results come first.
  const [showingFilters, setShowingFilters] = useState(false);
  const filtersSet = Object.entries(filters).filter(([name, value]) => name !== 'sort' && value !== '').length;
  const [page, setPage] = useState<Page<IncidentSearchItem> | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const set = (change: Partial<Filters>) => setDraft((current) => ({ ...current, ...change }));

  // Another search in the URL: from its first page. Unless this form asked for it (it came by a
  // tag's link, or Back), its filters go in the form; the editor's own are there already, and
  // may have been typed on since.
  const [searched, setSearched] = useState(query);
  const [asked, setAsked] = useState<string | null>(null);
  if (searched !== query) {
    setSearched(query);
    setCursors([undefined]);
    if (query !== asked) setDraft(filters);
    setAsked(null);
  }

  useEffect(() => {
    lastWalk = { query, cursors };
    // The answer to a search the editor has since changed is abandoned, not just ignored.
    const request = new AbortController();
    api
      .within(request.signal)
      .get<Page<IncidentSearchItem>>('/incidents', { ...filters, from: asAsked(filters.from), to: asAsked(filters.to), limit: PAGE_SIZE, cursor: cursors[cursors.length - 1] })
      .then(
        (answer) => {
          if (request.signal.aborted) return;
          setPage(answer);
          setErrors([]);
          setProblem(null);
        },
        (error: unknown) => {
          if (request.signal.aborted) return;
          setPage(null);
          setErrors(error instanceof ApiError ? (error.problem.errors ?? []) : []);
          setProblem(error instanceof Error ? error.message : String(error));
        },
      );
    return () => request.abort();
  }, [api, query, filters, cursors]);

  /** The search for `next`: a new place to go back from; the same search again asks again, from its first page. */
  const searchFor = (next: Filters) => {
    const href = searchHref(next);
    const nextQuery = new URLSearchParams(href.split('?')[1]).toString();
    if (nextQuery === query) return setCursors([undefined]);
    setAsked(nextQuery);
    navigate(href);
  };

  const search = (event: FormEvent) => {
    event.preventDefault();
    searchFor({ ...draft, sort: draft.sort === 'relevance' && !draft.q.trim() ? '-updatedAt' : draft.sort });
  };

  const clear = () => {
    setDraft(NO_FILTERS);
    searchFor(NO_FILTERS);
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
            <DateTimeInput name="query.from" label="Happened from" value={draft.from} onChange={(from) => set({ from })} />
            <DateTimeInput name="query.to" label="Happened to" value={draft.to} onChange={(to) => set({ to })} notBefore={{ value: draft.from, label: 'Happened from' }} />
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
