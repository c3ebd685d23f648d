import { waitForVersion, type Api } from '../api';
import type { IncidentView, Source, TimelinePage, ViewDiff } from '../api-types';
import { possessive, rangeText, words } from '../format';
import type { Conflict, ExplainConflict } from './use-write';

// A 412 means the incident moved on since the editor's version. The incident view shows
// the newer version a moment later; the diff between the two says what changed.

export function incidentConflict(api: Api, incidentId: string, sourceName: (id: string) => string): ExplainConflict {
  return async (baseVersion) => {
    const path = `/incidents/${incidentId}`;
    const current = await waitForVersion<IncidentView>(api, path, baseVersion + 1);
    const [diff, timeline] = await Promise.all([
      api.get<ViewDiff>(`${path}/diff`, { from: baseVersion, to: current.version }),
      waitForVersion<TimelinePage>(api, `${path}/timeline?fromVersion=${baseVersion + 1}&limit=20`, current.version),
    ]);
    const steps = timeline.entries.filter((entry) => entry.version <= current.version).map((entry) => `v${entry.version}, ${entry.recordedBy}: ${entry.headline}`);
    return { baseVersion, currentVersion: current.version, steps, changes: describeDiff(diff, current, sourceName) };
  };
}

export function sourceConflict(api: Api, seen: Source): ExplainConflict {
  return async (baseVersion) => {
    const current = await waitForVersion<Source>(api, `/sources/${seen.id}`, baseVersion + 1);
    const fields = (['name', 'kind', 'aliases', 'country', 'description', 'confidential'] as const).filter(
      (field) => JSON.stringify(seen[field] ?? null) !== JSON.stringify(current[field] ?? null),
    );
    const changes = fields.map((field) => `${field}: ${shown(seen[field])} → ${shown(current[field])}`);
    return { baseVersion, currentVersion: current.version, steps: [], changes } satisfies Conflict;
  };
}

/** One line per change, in the desk's words. */
export function describeDiff(diff: ViewDiff, after: IncidentView, sourceName: (id: string) => string): string[] {
  const claimant = (claimId: string) => {
    const claim = after.claims.find((candidate) => candidate.claimId === claimId);
    return claim ? `${possessive(sourceName(claim.claimantId))} claim` : 'a claim';
  };
  const statementBy = (statementId: string) => {
    const statement = after.statements.find((candidate) => candidate.statementId === statementId);
    return statement ? `${possessive(sourceName(statement.sourceId))} statement` : 'a statement';
  };
  return [
    ...diff.fields.map((field) => `${field.path}: ${shown(field.before)} → ${shown(field.after)}`),
    ...diff.links.added.map((link) => `linked: ${words(link.relation)} another incident`),
    ...diff.claims.added.map((claimId) => `${claimant(claimId)} was reported`),
    ...diff.claims.changed.flatMap((change) =>
      Object.entries(change)
        .filter(([field]) => field !== 'claimId')
        .map(([field, value]) => `${claimant(change.claimId)}: ${field === 'stances' ? 'a stance was taken on it' : claimFieldChange(field, value)}`),
    ),
    ...diff.claims.removed.map((claimId) => `${claimant(claimId)} was removed`),
    ...diff.statements.added.map((statementId) => `${statementBy(statementId)} was recorded`),
    ...diff.casualties.map(
      ({ party, outcome, before, after: now }) =>
        `${party} ${outcome}: ${before ? rangeText(before.lowestClaimed, before.highestClaimed) : 'none'} → ${now ? rangeText(now.lowestClaimed, now.highestClaimed) : 'none'}`,
    ),
  ];
}

function claimFieldChange(field: string, value: unknown): string {
  const { before, after } = value as { before: unknown; after: unknown };
  if (field === 'status') return `${shown(before)} → ${shown(after)}`;
  if (field === 'grade') return `graded ${shown((after as { grade?: string } | null)?.grade ?? 'none')}`;
  return `${field} changed`;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value.length > 60 ? `“${value.slice(0, 57)}…”` : value;
  if (Array.isArray(value)) return value.join(', ') || '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
