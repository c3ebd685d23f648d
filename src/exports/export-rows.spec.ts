import type { ClaimReportedData, IncidentEvent } from '../incidents/domain/incident.events.js';
import { foldView } from '../incidents/read-model/incident-view.js';
import { AMBUSH, ambushHistory, ambushOpened, BLOGS_CLAIM, JNIM, JNIM_CLAIM, names, RECORDED_BY, recordedAtOf, SITE, stored } from '../incidents/read-model/tinzaouaten.fixture.js';
import { FIGURE_COLUMNS, figureRows, INCIDENT_SUMMARY_COLUMNS, incidentSummaryRows } from './export-rows.js';

// The export rows of the convoy ambush: given its history, when exported, then these rows.

const publicNames = (sourceId: string) => names.source(sourceId);
const viewOf = (history: IncidentEvent[]) => foldView(stored(history))!;

describe('figureRows', () => {
  it('gives a row per figure of every claim, with the incident, the claim and who recorded it', () => {
    const rows = figureRows(viewOf(ambushHistory), publicNames);

    expect(rows.map((row) => [row.claimId, row.party, row.value])).toEqual([
      [JNIM_CLAIM, 'Malian soldiers', 10],
      [JNIM_CLAIM, 'Wagner', 50],
      [expect.any(String), 'Wagner', 1],
      [BLOGS_CLAIM, 'Wagner', 20],
    ]);
    expect(rows[1]).toEqual({
      incidentId: AMBUSH,
      title: 'Convoy ambush south of Tinzaouaten',
      country: 'ML',
      region: 'Kidal',
      place: 'South of Tinzaouaten',
      occurredFrom: '2024-07-27',
      occurredTo: null,
      claimId: JNIM_CLAIM,
      reportedOnIncidentId: AMBUSH,
      claimantId: JNIM,
      claimantName: 'JNIM',
      via: names.source(SITE),
      statementId: expect.any(String),
      kind: 'casualties',
      summary: expect.stringContaining('50 Russian Wagner mercenaries'),
      party: 'Wagner',
      outcome: 'killed',
      qualifier: 'exact',
      value: 50,
      originalText: '50 Russian Wagner mercenaries',
      claimStatus: 'active',
      grade: null,
      statedAt: '2024-07-28T00:00:00.000Z',
      recordedAt: recordedAtOf(3),
      recordedBy: RECORDED_BY,
    });
    expect(Object.keys(rows[1])).toEqual(FIGURE_COLUMNS.map((column) => column.name));
  });

  it('names the incident a merged-in claim was reported on, under the incident that holds it', () => {
    const DUPLICATE = '0190f17c-b400-7000-8000-000000000299';
    const carried = { type: 'ClaimReported', data: { ...characterizationData(), incidentId: DUPLICATE }, revision: 1, recordedAt: recordedAtOf(1), recordedBy: RECORDED_BY } as const;
    const absorbed = { type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: DUPLICATE, reason: 'same ambush', events: [carried] } } satisfies IncidentEvent;

    const [row] = figureRows(viewOf([ambushOpened, absorbed]), publicNames);

    expect(row).toMatchObject({ incidentId: AMBUSH, claimId: BLOGS_CLAIM, reportedOnIncidentId: DUPLICATE });
  });

  it('gives a claim without figures one row, its figure cells empty', () => {
    const characterization = { type: 'ClaimReported', data: characterizationData() } satisfies IncidentEvent;

    const [row, ...more] = figureRows(viewOf([ambushOpened, characterization]), publicNames);

    expect(more).toEqual([]);
    expect(row).toMatchObject({ claimId: BLOGS_CLAIM, kind: 'characterization', party: null, outcome: null, qualifier: null, value: null, originalText: null });
  });
});

describe('incidentSummaryRows', () => {
  it('gives a row per party and outcome of the casualty summary, with how many claimants gave a figure', () => {
    const rows = incidentSummaryRows(viewOf(ambushHistory));

    expect(rows.map((row) => [row.party, row.outcome, row.lowestClaimed, row.highestClaimed, row.contested, row.claimants])).toEqual([
      ['Malian soldiers', 'killed', 10, 10, false, 1],
      ['Wagner', 'killed', 1, 50, false, 3],
    ]);
    expect(rows[0]).toMatchObject({ tags: 'Wagner, JNIM, ambush, Sahel', version: ambushHistory.length - 1 });
    expect(Object.keys(rows[0])).toEqual(INCIDENT_SUMMARY_COLUMNS.map((column) => column.name));
  });

  it('gives an incident without figures one row', () => {
    expect(incidentSummaryRows(viewOf([ambushOpened]))).toEqual([expect.objectContaining({ incidentId: AMBUSH, party: null, lowestClaimed: null })]);
  });
});

function characterizationData(): ClaimReportedData {
  return { incidentId: AMBUSH, claimId: BLOGS_CLAIM, claimantId: JNIM, via: [], summary: 'JNIM called it a victory.', kind: 'characterization', figures: [], statedAt: '2024-07-28T00:00:00.000Z' };
}
