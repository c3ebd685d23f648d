import type { IncidentView } from '../incidents/read-model/incident-view.js';

// The rows of the exports (issue: data out), one pure step from an incident's view and the
// public names of its sources. Each export is a list of columns: the name a CSV header and an
// NDJSON key carry, and the HXL hashtag (https://hxlstandard.org/standard/1-1final/dictionary/)
// that tells humanitarian tools what the column holds.

export type Cell = string | number | boolean | null;
export type ExportRow = Record<string, Cell>;

export interface Column {
  name: string;
  hxl: string;
}

/** Looks up a source's name as readers may see it (confidential sources by that fact only). */
export type PublicNames = (sourceId: string) => string | null;

const INCIDENT_COLUMNS: Column[] = [
  { name: 'incidentId', hxl: '#event+id' },
  { name: 'title', hxl: '#event+name' },
  { name: 'country', hxl: '#country+code' },
  { name: 'region', hxl: '#adm1+name' },
  { name: 'place', hxl: '#loc+name' },
  { name: 'occurredFrom', hxl: '#date+start' },
  { name: 'occurredTo', hxl: '#date+end' },
];

/** One row per figure of every claim; a claim without figures has one row, its figure cells empty. */
export const FIGURE_COLUMNS: readonly Column[] = [
  ...INCIDENT_COLUMNS,
  { name: 'claimId', hxl: '#meta+claim+id' },
  // The incident the claim was reported on: another one for a claim merged or split in since.
  { name: 'reportedOnIncidentId', hxl: '#event+id+reported' },
  { name: 'claimantId', hxl: '#org+claimant+id' },
  { name: 'claimantName', hxl: '#org+name+claimant' },
  { name: 'via', hxl: '#org+name+via' },
  { name: 'statementId', hxl: '#meta+statement+id' },
  { name: 'kind', hxl: '#meta+claim+kind' },
  { name: 'summary', hxl: '#description+claim' },
  { name: 'party', hxl: '#group+name' },
  { name: 'outcome', hxl: '#impact+type' },
  { name: 'qualifier', hxl: '#meta+qualifier' },
  { name: 'value', hxl: '#affected+num' },
  { name: 'originalText', hxl: '#meta+source+text' },
  { name: 'claimStatus', hxl: '#status+claim' },
  { name: 'grade', hxl: '#status+grade' },
  { name: 'statedAt', hxl: '#date+reported' },
  { name: 'recordedAt', hxl: '#date+recorded' },
  { name: 'recordedBy', hxl: '#meta+recorded_by' },
];

/** One row per incident and (party, outcome) of its casualty summary; an incident without figures has one row. */
export const INCIDENT_SUMMARY_COLUMNS: readonly Column[] = [
  ...INCIDENT_COLUMNS,
  { name: 'tags', hxl: '#meta+tags' },
  { name: 'version', hxl: '#meta+version' },
  { name: 'party', hxl: '#group+name' },
  { name: 'outcome', hxl: '#impact+type' },
  { name: 'lowestClaimed', hxl: '#affected+min' },
  { name: 'highestClaimed', hxl: '#affected+max' },
  { name: 'contested', hxl: '#status+contested' },
  { name: 'claimants', hxl: '#org+claimant+num' },
];

/** Between the names of a claim's conduits, in the order the claim passed through them. */
const VIA_SEPARATOR = ' > ';

function incidentCells(view: IncidentView): ExportRow {
  return {
    incidentId: view.id,
    title: view.title,
    country: view.location.country,
    region: view.location.region ?? null,
    place: view.location.place,
    occurredFrom: view.occurred.from,
    occurredTo: view.occurred.to ?? null,
  };
}

export function figureRows(view: IncidentView, names: PublicNames): ExportRow[] {
  const incident = incidentCells(view);
  return view.claims.flatMap((claim) => {
    const reported = claim.changes.find((change) => change.type === 'reported');
    const claimCells = {
      ...incident,
      claimId: claim.claimId,
      reportedOnIncidentId: claim.incidentId ?? view.id,
      claimantId: claim.claimantId,
      claimantName: names(claim.claimantId),
      via: claim.via.map((sourceId) => names(sourceId) ?? sourceId).join(VIA_SEPARATOR),
      statementId: claim.statementId ?? null,
      kind: claim.kind,
      summary: claim.summary,
    };
    const claimEnd = {
      claimStatus: claim.status,
      grade: claim.grade?.grade ?? null,
      statedAt: claim.statedAt,
      recordedAt: reported?.recordedAt ?? null,
      recordedBy: reported?.recordedBy ?? null,
    };
    const figures = claim.figures.length > 0 ? claim.figures : [undefined];
    return figures.map((figure) => ({
      ...claimCells,
      party: figure?.party ?? null,
      outcome: figure?.outcome ?? null,
      qualifier: figure?.qualifier ?? null,
      value: figure?.value ?? null,
      originalText: figure?.originalText ?? null,
      ...claimEnd,
    }));
  });
}

export function incidentSummaryRows(view: IncidentView): ExportRow[] {
  const incident = { ...incidentCells(view), tags: view.tags.join(', '), version: view.version };
  if (view.casualties.length === 0) {
    return [{ ...incident, party: null, outcome: null, lowestClaimed: null, highestClaimed: null, contested: null, claimants: null }];
  }
  return view.casualties.map((entry) => ({
    ...incident,
    party: entry.party,
    outcome: entry.outcome,
    lowestClaimed: entry.lowestClaimed,
    highestClaimed: entry.highestClaimed,
    contested: entry.contested,
    claimants: new Set(entry.figures.map((figure) => figure.claimantId)).size,
  }));
}
