import { useSyncExternalStore } from 'react';
import { withQuery } from './api';

// The desk's locations live in the URL fragment (`#/incidents/<id>`): the service's own
// paths (`/incidents/<id>`) belong to the API, and the fragment never reaches the server.
// What a page shows is in it too, so that a link shares it and a reload keeps it: the
// search's filters (`#/?tag=ambush&country=ML`) and the timeline's step
// (`#/incidents/<id>?version=3`, `#/incidents/<id>?asOf=2024-07-29T12:00:00.000Z`), named
// as the API names them.

/** Where an incident's timeline stands when not at the latest version: a version, or what the desk had recorded by an instant. */
export type TimelinePosition = { version: number } | { asOf: string };

export type Route =
  | { page: 'search'; /** The filters, as the URL's query text. */ query: string }
  | { page: 'incident'; incidentId: string; at?: TimelinePosition }
  | { page: 'sources' }
  | { page: 'source'; sourceId: string }
  | { page: 'source-access-log'; sourceId: string }
  | { page: 'ledger' }
  | { page: 'alerts' }
  | { page: 'subscriptions' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const fragment = hash.replace(/^#/, '');
  const queryStart = fragment.indexOf('?');
  const path = (queryStart === -1 ? fragment : fragment.slice(0, queryStart)) || '/';
  const query = new URLSearchParams(queryStart === -1 ? '' : fragment.slice(queryStart + 1));
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'incidents')) return { page: 'search', query: query.toString() };
  if (parts.length === 2 && parts[0] === 'incidents') return { page: 'incident', incidentId: decodeURIComponent(parts[1]), at: timelinePosition(query) };
  if (parts.length === 1 && parts[0] === 'sources') return { page: 'sources' };
  if (parts.length === 2 && parts[0] === 'sources') return { page: 'source', sourceId: decodeURIComponent(parts[1]) };
  if (parts.length === 3 && parts[0] === 'sources' && parts[2] === 'access-log') return { page: 'source-access-log', sourceId: decodeURIComponent(parts[1]) };
  if (parts.length === 1 && parts[0] === 'ledger') return { page: 'ledger' };
  if (parts.length === 1 && parts[0] === 'alerts') return { page: 'alerts' };
  if (parts.length === 1 && parts[0] === 'subscriptions') return { page: 'subscriptions' };
  return { page: 'not-found', path };
}

/** A malformed step reads as none: the page then shows the latest version. */
function timelinePosition(query: URLSearchParams): TimelinePosition | undefined {
  const version = query.get('version');
  if (version !== null && /^\d+$/.test(version)) return { version: Number(version) };
  const asOf = query.get('asOf');
  if (asOf !== null && !Number.isNaN(Date.parse(asOf))) return { asOf: new Date(asOf).toISOString() };
  return undefined;
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
  incident: (incidentId: string, at?: TimelinePosition) => withQuery(`#/incidents/${encodeURIComponent(incidentId)}`, at),
  sources: () => '#/sources',
  source: (sourceId: string) => `#/sources/${encodeURIComponent(sourceId)}`,
  sourceAccessLog: (sourceId: string) => `#/sources/${encodeURIComponent(sourceId)}/access-log`,
  ledger: () => '#/ledger',
  alerts: () => '#/alerts',
  subscriptions: () => '#/subscriptions',
};

/**
 * To `href`, as a new entry of the browser's history; with `replace`, in place of the current
 * one (a timeline dragged step by step is one place to go back from, not twenty).
 */
export function navigate(href: string, { replace = false } = {}): void {
  if (!replace) {
    window.location.hash = href;
    return;
  }
  if (href === window.location.hash) return;
  window.history.replaceState(window.history.state, '', href);
  // replaceState is silent: tell the desk, as a change of the hash would.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
