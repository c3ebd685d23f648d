import { useSyncExternalStore } from 'react';
import { withQuery } from './api';

// The desk's locations live in the URL fragment (`#/incidents/<id>`): the service's own
// paths (`/incidents/<id>`) belong to the API, and the fragment never reaches the server.
// What a page shows is in it too, so that a link shares it and a reload keeps it: the
// search's filters (`#/?tag=ambush&country=ML`), named as the API names them.

export type Route =
  | { page: 'search'; /** The filters, as the URL's query text. */ query: string }
  | { page: 'incident'; incidentId: string }
  | { page: 'sources' }
  | { page: 'source'; sourceId: string }
  | { page: 'source-access-log'; sourceId: string }
  | { page: 'ledger' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const fragment = hash.replace(/^#/, '');
  const queryStart = fragment.indexOf('?');
  const path = (queryStart === -1 ? fragment : fragment.slice(0, queryStart)) || '/';
  const query = new URLSearchParams(queryStart === -1 ? '' : fragment.slice(queryStart + 1));
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'incidents')) return { page: 'search', query: query.toString() };
  if (parts.length === 2 && parts[0] === 'incidents') return { page: 'incident', incidentId: decodeURIComponent(parts[1]) };
  if (parts.length === 1 && parts[0] === 'sources') return { page: 'sources' };
  if (parts.length === 2 && parts[0] === 'sources') return { page: 'source', sourceId: decodeURIComponent(parts[1]) };
  if (parts.length === 3 && parts[0] === 'sources' && parts[2] === 'access-log') return { page: 'source-access-log', sourceId: decodeURIComponent(parts[1]) };
  if (parts.length === 1 && parts[0] === 'ledger') return { page: 'ledger' };
  return { page: 'not-found', path };
}

/** The page a route shows, apart from what its query picks within it: a new search or another timeline step stays on the same page. */
export function pageOf(route: Route): string {
  switch (route.page) {
    case 'incident':
      return `incident/${route.incidentId}`;
    case 'source':
    case 'source-access-log':
      return `${route.page}/${route.sourceId}`;
    default:
      return route.page;
  }
}

export const hrefTo = {
  /** `#/?tag=ambush`: the search with these filters (empty ones left out). */
  search: (filters: Record<string, string | undefined> = {}) => withQuery('#/', filters),
  incident: (incidentId: string) => `#/incidents/${encodeURIComponent(incidentId)}`,
  sources: () => '#/sources',
  source: (sourceId: string) => `#/sources/${encodeURIComponent(sourceId)}`,
  sourceAccessLog: (sourceId: string) => `#/sources/${encodeURIComponent(sourceId)}/access-log`,
  ledger: () => '#/ledger',
};

export function navigate(href: string): void {
  window.location.hash = href;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
