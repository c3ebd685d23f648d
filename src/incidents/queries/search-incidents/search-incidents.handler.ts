import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { cursorId, cursorInstant, cursorReal, encodeCursor } from '../../../http/cursor.js';
import type { Location, Occurred } from '../../domain/incident.events.js';
import { SEARCH_CONFIG } from '../../projections/incident-search/incident-search.projection.js';
import { HeldSearches } from './held-searches.js';

const TIME_SORTS = ['-updatedAt', 'updatedAt', '-occurredFrom', 'occurredFrom'] as const;
export const INCIDENT_SORTS = [...TIME_SORTS, 'relevance'] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];

/** What a page cursor holds: the sort it continues and its page's last sort key (a time, or a rank) and id. */
export const SearchCursor = z.union([
  z.strictObject({ sort: z.enum(TIME_SORTS), key: cursorInstant, id: cursorId }),
  z.strictObject({ sort: z.literal('relevance'), key: cursorReal, id: cursorId }),
]);
export type SearchCursor = z.output<typeof SearchCursor>;

/** Every filter is optional; those given must all hold. */
export interface IncidentFilters {
  country?: string;
  region?: string;
  tag?: string;
  /** A source id: incidents where it made a claim. */
  claimant?: string;
  /** Inclusive instants: incidents whose occurred span overlaps [from, to]. */
  from?: string;
  to?: string;
  /** Free text, as websearch_to_tsquery reads it ("quoted phrases", or, -not). */
  q?: string;
}

export interface IncidentSearch extends IncidentFilters {
  sort: IncidentSort;
  limit: number;
  /** Continue after this cursor's item; it was made for the same sort. */
  after?: SearchCursor;
}

export interface IncidentSearchItem {
  id: string;
  title: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
  claimantIds: string[];
  version: number;
  openedAt: string;
  updatedAt: string;
}

export interface IncidentSearchPage {
  items: IncidentSearchItem[];
  /** Pass back as `cursor` (with the same filters and sort) for the next page; null on the last. */
  nextCursor: string | null;
}

/** A search, answered as the JSON to send; `url` (path and query, as the client wrote them) names it among those held. */
export class SearchIncidentsQuery extends Query<Buffer> {
  constructor(
    readonly search: IncidentSearch,
    readonly url: string,
  ) {
    super();
  }
}

interface SearchRow {
  id: string;
  title: string;
  location: Location;
  occurred: Occurred;
  tags: string[];
  claimant_ids: string[];
  version: number;
  opened_at: Date;
  updated_at: Date;
  sort_key: Date | number;
}

/**
 * Keyset pagination: each page continues strictly after the previous page's last (key, id),
 * the id breaking ties, so a page never depends on how many rows came before it. While
 * incidents are written during a walk through the pages, then:
 * - a new incident sorting before the cursor is not in this walk, one sorting after it
 *   shows up in its place; nothing that existed when the walk began is repeated or skipped;
 * - an incident changed mid-walk moves when its sort key does. Under `-updatedAt` every
 *   write moves it to the front, behind the cursor: this walk never meets it again, nor
 *   at all if its page had not come yet (a new walk starts with what changed). Under
 *   `updatedAt` it is met again at the end: the order to follow changes in.
 */
@QueryHandler(SearchIncidentsQuery)
export class SearchIncidentsHandler implements IQueryHandler<SearchIncidentsQuery> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly held: HeldSearches,
  ) {}

  execute({ search, url }: SearchIncidentsQuery): Promise<Buffer> {
    return this.held.answer(url, () => this.search(search));
  }

  private async search(search: IncidentSearch): Promise<IncidentSearchPage> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const { where, rank } = filtersOf(search, param);
    // A merged incident is listed as the incident it was merged into, which holds its claims.
    where.push('merged_into IS NULL');
    const { key, keyType, descending } = sortKey(search.sort, rank);
    const direction = descending ? 'DESC' : 'ASC';
    if (search.after !== undefined) {
      where.push(`(${key}, id) ${descending ? '<' : '>'} (${param(search.after.key)}::${keyType}, ${param(search.after.id)}::uuid)`);
    }
    const rows = await this.dataSource.query<SearchRow[]>(
      `SELECT id, title, location, occurred, tags, claimant_ids, version, opened_at, updated_at, ${key} AS sort_key
         FROM incident_search
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${key} ${direction}, id ${direction}
        LIMIT ${param(search.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, search.limit);
    const last = page.at(-1);
    const next = rows.length > search.limit && last !== undefined ? { sort: search.sort, key: cursorKey(last.sort_key), id: last.id } : undefined;
    return { items: page.map(toItem), nextCursor: next ? encodeCursor(next) : null };
  }
}

/**
 * The filters as conditions on incident_search's columns (and the rank of `q`), their values
 * passed through `param`, which answers each one's placeholder. Searches and exports filter alike.
 */
export function filtersOf(filters: IncidentFilters, param: (value: unknown) => string): { where: string[]; rank?: string } {
  const where: string[] = [];
  if (filters.country !== undefined) where.push(`country = ${param(filters.country)}`);
  if (filters.region !== undefined) where.push(`lower(region) = lower(${param(filters.region)})`);
  if (filters.tag !== undefined) where.push(`tags @> ARRAY[${param(filters.tag)}]::text[]`);
  if (filters.claimant !== undefined) where.push(`claimant_ids @> ARRAY[${param(filters.claimant)}]::uuid[]`);
  if (filters.from !== undefined) where.push(`occurred_to >= ${param(filters.from)}::timestamptz`);
  if (filters.to !== undefined) where.push(`occurred_from <= ${param(filters.to)}::timestamptz`);
  if (filters.q === undefined) return { where };
  const query = `websearch_to_tsquery(${param(SEARCH_CONFIG)}::regconfig, ${param(filters.q)})`;
  return { where: [...where, `search @@ ${query}`], rank: `ts_rank(search, ${query})` };
}

function sortKey(sort: IncidentSort, rank: string | undefined): { key: string; keyType: string; descending: boolean } {
  switch (sort) {
    case '-updatedAt':
    case 'updatedAt':
      return { key: 'updated_at', keyType: 'timestamptz', descending: sort === '-updatedAt' };
    case '-occurredFrom':
    case 'occurredFrom':
      return { key: 'occurred_from', keyType: 'timestamptz', descending: sort === '-occurredFrom' };
    case 'relevance':
      if (rank === undefined) throw new Error('Sorting by relevance needs q');
      return { key: rank, keyType: 'real', descending: true };
  }
}

// Times at the millisecond: the columns hold no more (timestamptz(3)), so the key is exact.
function cursorKey(key: Date | number): string | number {
  return key instanceof Date ? key.toISOString() : key;
}

function toItem(row: SearchRow): IncidentSearchItem {
  return {
    id: row.id,
    title: row.title,
    location: row.location,
    occurred: row.occurred,
    tags: row.tags,
    claimantIds: row.claimant_ids,
    version: row.version,
    openedAt: row.opened_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
