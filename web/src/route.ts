import { useSyncExternalStore } from 'react';

// The desk's locations live in the URL fragment (`#/incidents/<id>`): the service's own
// paths (`/incidents/<id>`) belong to the API, and the fragment never reaches the server.

export type Route =
  | { page: 'search' }
  | { page: 'incident'; incidentId: string }
  | { page: 'sources' }
  | { page: 'source-access-log'; sourceId: string }
  | { page: 'ledger' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = routePath(hash);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'incidents')) return { page: 'search' };
  if (parts.length === 2 && parts[0] === 'incidents') return { page: 'incident', incidentId: decodeURIComponent(parts[1]) };
  if (parts.length === 1 && parts[0] === 'sources') return { page: 'sources' };
  if (parts.length === 3 && parts[0] === 'sources' && parts[2] === 'access-log') return { page: 'source-access-log', sourceId: decodeURIComponent(parts[1]) };
  if (parts.length === 1 && parts[0] === 'ledger') return { page: 'ledger' };
  return { page: 'not-found', path };
}

export const hrefTo = {
  search: () => '#/',
  /** The search for the incidents carrying `tag`: the search page reads its tag filter from the fragment's query. */
  taggedWith: (tag: string) => `#/?${new URLSearchParams({ tag })}`,
  incident: (incidentId: string) => `#/incidents/${encodeURIComponent(incidentId)}`,
  sources: () => '#/sources',
  sourceAccessLog: (sourceId: string) => `#/sources/${encodeURIComponent(sourceId)}/access-log`,
  ledger: () => '#/ledger',
};

/** `#/?tag=Sahel` → `/`: the page, without the query that some pages read their state from. */
function routePath(hash: string): string {
  return hash.replace(/^#/, '').split('?')[0] || '/';
}

/** The fragment's query (`#/?tag=Sahel`). */
export function hashQuery(hash: string): URLSearchParams {
  const query = hash.indexOf('?');
  return new URLSearchParams(query === -1 ? '' : hash.slice(query + 1));
}

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
