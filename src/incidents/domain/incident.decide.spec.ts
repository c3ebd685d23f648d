// The rules of an incident's write side, told with the Tinzaouaten reports of July 2024
// (shared/fixtures/tinzaouaten-2024-article.txt). What did not happen — JNIM retracting,
// the desk's typos — appears only here, as steps of a test.
import { given } from '../../../test/support/given-when-then.js';
import { DomainError } from '../../common/domain-error.js';
import { sourcesReferencedBy, type CrossIncidentCommand, type IncidentCommand } from './incident.commands.js';
import { contentOf, decideAcross, incidentDecider, type CrossIncidentDecision, type IncidentDecisionContext } from './incident.decide.js';
import type {
  CarriedEvent,
  ClaimReportedData,
  Figure,
  IncidentEvent,
  IncidentOpenedData,
  SourceStatementRecordedData,
} from './incident.events.js';
import { evolve, initialIncidentState, type IncidentState } from './incident.state.js';

const AMBUSH = '0190f5a2-6c00-7a01-8000-00000000a001';
const BATTLE = '0190f5a2-6c00-7a01-8000-00000000a002';

const JNIM = '0190f5a2-6c00-7b01-8000-00000000b001';
const SITE = '0190f5a2-6c00-7b01-8000-00000000b002';
const RUSSIAN_BLOGS = '0190f5a2-6c00-7b01-8000-00000000b003';
const WAGNER = '0190f5a2-6c00-7b01-8000-00000000b004';
const MALIAN_AUTHORITIES = '0190f5a2-6c00-7b01-8000-00000000b005';
const CSP_PSD = '0190f5a2-6c00-7b01-8000-00000000b006';
const UNREGISTERED = '0190f5a2-6c00-7b01-8000-00000000b0ff';

const JNIM_CLAIM = '0190f5a2-6c00-7c01-8000-00000000c001';
const BLOGS_CLAIM = '0190f5a2-6c00-7c01-8000-00000000c002';
const UNKNOWN_CLAIM = '0190f5a2-6c00-7c01-8000-00000000c0ff';

const JNIM_STATEMENT = '0190f5a2-6c00-7d01-8000-00000000d001';
const AUTHORITIES_STATEMENT = '0190f5a2-6c00-7d01-8000-00000000d002';
const UNKNOWN_STATEMENT = '0190f5a2-6c00-7d01-8000-00000000d0ff';

// The Tuesday after the ambush: every source below is registered.
const context: IncidentDecisionContext = {
  now: new Date('2024-07-30T09:00:00Z'),
  registeredSources: new Set([JNIM, SITE, RUSSIAN_BLOGS, WAGNER, MALIAN_AUTHORITIES, CSP_PSD]),
  erasedSources: new Set(),
};

const ambush: IncidentOpenedData = {
  incidentId: AMBUSH,
  title: 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten',
  description: 'The convoy was ambushed after withdrawing from Tinzaouaten, in the Kidal region near the Algerian border.',
  location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
  occurred: { from: '2024-07-27', precision: 'day' },
  tags: ['Mali', 'Wagner', 'JNIM'],
};

const jnimStatement: SourceStatementRecordedData = {
  incidentId: AMBUSH,
  statementId: JNIM_STATEMENT,
  sourceId: JNIM,
  via: [SITE],
  medium: 'communique',
  quote: 'ensnared a convoy of the Malian army and Wagner mercenaries in a complex ambush',
  language: 'en',
  statedAt: '2024-07-28',
  publishedAt: '2024-07-28',
  stances: [],
};

const malianSoldiersKilled: Figure = { party: 'Malian army', outcome: 'killed', qualifier: 'exact', value: 10, originalText: '10 Malian soldiers' };
const wagnerKilled: Figure = { party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Russian Wagner mercenaries' };

const jnimClaim: ClaimReportedData = {
  incidentId: AMBUSH,
  claimId: JNIM_CLAIM,
  claimantId: JNIM,
  via: [SITE],
  statementId: JNIM_STATEMENT,
  summary: 'JNIM claims to have killed 10 Malian soldiers and 50 Wagner mercenaries in an ambush south of Tinzaouaten',
  kind: 'casualties',
  figures: [malianSoldiersKilled, wagnerKilled],
  statedAt: '2024-07-28',
};

const blogsClaim: ClaimReportedData = {
  incidentId: AMBUSH,
  claimId: BLOGS_CLAIM,
  claimantId: RUSSIAN_BLOGS,
  via: [],
  summary: 'Russian military blogs record at least 20 Wagner deaths',
  kind: 'casualties',
  figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', value: 20, originalText: 'At least 20 Wagner deaths' }],
  statedAt: '2024-07-29',
};

const authoritiesStatement: SourceStatementRecordedData = {
  incidentId: AMBUSH,
  statementId: AUTHORITIES_STATEMENT,
  sourceId: MALIAN_AUTHORITIES,
  via: [],
  medium: 'press_release',
  quote: 'Russian servicemen in Mali are trainers assisting local troops with Russian-purchased weaponry, not Wagner mercenaries',
  language: 'en',
  statedAt: '2024-07-29',
  stances: [{ claimId: JNIM_CLAIM, stance: 'disputes' }],
};

const ambushOpened: IncidentEvent = { type: 'IncidentOpened', data: ambush };
const jnimStatementRecorded: IncidentEvent = { type: 'SourceStatementRecorded', data: jnimStatement };
const jnimClaimReported: IncidentEvent = { type: 'ClaimReported', data: jnimClaim };
const blogsClaimReported: IncidentEvent = { type: 'ClaimReported', data: blogsClaim };
const jnimClaimRetracted: IncidentEvent = {
  type: 'ClaimRetracted',
  data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, reason: 'JNIM withdrew its toll in a later communique', statedAt: '2024-07-29', retractedBy: 'claimant' },
};
const ambushWithJnimClaim = [ambushOpened, jnimStatementRecorded, jnimClaimReported];

const stateAfter = (history: IncidentEvent[]): IncidentState => history.reduce(evolve, initialIncidentState());
const givenIncident = (history: IncidentEvent[], decisionContext = context) => given(incidentDecider, history, decisionContext);
const minutesAfterNow = (minutes: number) => new Date(context.now.getTime() + minutes * 60_000).toISOString();

describe('OpenIncident', () => {
  it('opens the incident', () => {
    givenIncident([]).when({ type: 'OpenIncident', data: ambush }).then([ambushOpened]);
  });

  it('leaves out optional fields given as undefined, as JSON storage would', () => {
    givenIncident([])
      .when({ type: 'OpenIncident', data: { ...ambush, description: undefined } })
      .then([{ type: 'IncidentOpened', data: { incidentId: AMBUSH, title: ambush.title, location: ambush.location, occurred: ambush.occurred, tags: ambush.tags } }]);
  });

  it('answers a retry with the same id and data with no events', () => {
    givenIncident([ambushOpened]).when({ type: 'OpenIncident', data: { ...ambush, tags: ['Mali', 'Wagner', 'JNIM'] } }).then([]);
  });

  it('rejects an id already taken by an incident opened with other data', () => {
    givenIncident([ambushOpened])
      .when({ type: 'OpenIncident', data: { ...ambush, title: 'Battle of Tinzaouaten' } })
      .thenThrows({ kind: 'conflict', code: 'incident_exists', field: 'incidentId' });
  });

  it('rejects an occurred range that ends before it starts', () => {
    givenIncident([])
      .when({ type: 'OpenIncident', data: { ...ambush, occurred: { from: '2024-07-27', to: '2024-07-22', precision: 'day' } } })
      .thenThrows({ kind: 'invalid', code: 'occurred_range_invalid', field: 'occurred.to' });
  });

  it('accepts the battle of July 22–27 as a range', () => {
    const battle: IncidentOpenedData = {
      incidentId: BATTLE,
      title: 'Battle of Tinzaouaten',
      location: { place: 'Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'exact' },
      occurred: { from: '2024-07-22', to: '2024-07-27', precision: 'day' },
      tags: ['Mali', 'Wagner', 'CSP-PSD'],
    };
    givenIncident([]).when({ type: 'OpenIncident', data: battle }).then([{ type: 'IncidentOpened', data: battle }]);
  });

  it.each(['27 July 2024', '2024-07-27T10:00:00', '2024-02-30'])('rejects %s as an occurred time', (from) => {
    givenIncident([])
      .when({ type: 'OpenIncident', data: { ...ambush, occurred: { from, precision: 'day' } } })
      .thenThrows({ kind: 'invalid', code: 'time_invalid', field: 'occurred.from' });
  });

  // Outside them, PostgreSQL cannot store the time and the search projection would stall on it.
  it.each(['0000-12-31', '0001-01-01T00:00:00+01:00', '9999-12-31T23:00:00-02:00'])('rejects %s, outside the years 0001 to 9999 in UTC', (to) => {
    givenIncident([])
      .when({ type: 'OpenIncident', data: { ...ambush, occurred: { from: '0001-01-01', to, precision: 'time' } } })
      .thenThrows({ kind: 'invalid', code: 'time_out_of_range', field: 'occurred.to' });
  });

  it('accepts the first and the last day of those years', () => {
    const occurred = { from: '0001-01-01T00:00:00Z', to: '9999-12-31', precision: 'day' as const };
    givenIncident([])
      .when({ type: 'OpenIncident', data: { ...ambush, occurred } })
      .then([{ type: 'IncidentOpened', data: { ...ambush, occurred } }]);
  });
});

describe('ReviseIncident', () => {
  const reason = 'SITE places the ambush south of Tinzaouaten, not in the town';

  it('needs an opened incident', () => {
    givenIncident([])
      .when({ type: 'ReviseIncident', data: { incidentId: AMBUSH, title: 'JNIM ambush near Tinzaouaten', reason } })
      .thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it('records the changed fields and the reason', () => {
    const revision = { incidentId: AMBUSH, location: { ...ambush.location, place: 'south of Tinzaouaten, Kidal region' }, reason };
    givenIncident([ambushOpened]).when({ type: 'ReviseIncident', data: revision }).then([{ type: 'IncidentRevised', data: revision }]);
  });

  it('needs at least one changed field', () => {
    givenIncident([ambushOpened])
      .when({ type: 'ReviseIncident', data: { incidentId: AMBUSH, title: undefined, reason } })
      .thenThrows({ kind: 'invalid', code: 'revision_empty' });
  });

  it('needs a reason', () => {
    givenIncident([ambushOpened])
      .when({ type: 'ReviseIncident', data: { incidentId: AMBUSH, tags: ['Mali'], reason: '  ' } })
      .thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });

  it('checks a revised occurred range', () => {
    givenIncident([ambushOpened])
      .when({ type: 'ReviseIncident', data: { incidentId: AMBUSH, occurred: { from: '2024-07-27', to: '2024-07-26', precision: 'day' }, reason } })
      .thenThrows({ kind: 'invalid', code: 'occurred_range_invalid', field: 'occurred.to' });
  });
});

// ---- Changes of two incidents ----------------------------------------------------------

const DUPLICATE = '0190f5a2-6c00-7a01-8000-00000000a003';
const CONFLATED = '0190f5a2-6c00-7a01-8000-00000000a004';
const reason = 'Two editors opened the same ambush';

/** A recorded event as a merge or split carries it: with its place in its own stream. */
const recorded = (event: IncidentEvent, revision: number) => ({ ...event, revision, recordedAt: `2024-07-30T0${revision}:00:00.000Z`, recordedBy: 'desk' }) as CarriedEvent & IncidentEvent;
const recordedAll = (events: IncidentEvent[]) => events.map(recorded);

/** Given both incidents' histories, when a link, merge or split is decided, then each stream's events (or this error). */
function givenIncidents(own: IncidentEvent[], other: IncidentEvent[]) {
  const decide = (command: CrossIncidentCommand) =>
    decideAcross(command, stateAfter(own), { now: context.now, other: stateAfter(other), recorded: contentOf(recordedAll(own)) });
  return {
    when: (command: CrossIncidentCommand) => ({
      then: (expected: CrossIncidentDecision) => expect(decide(command)).toStrictEqual(expected),
      thenThrows: (expected: { kind: string; code: string; field?: string }) => {
        let thrown: unknown;
        try {
          decide(command);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(DomainError);
        const { kind, code, field } = thrown as DomainError;
        expect({ kind, code, field }).toEqual(expected);
        return thrown as DomainError;
      },
    }),
  };
}

const battleOpened: IncidentEvent = { type: 'IncidentOpened', data: { ...ambush, incidentId: BATTLE, title: 'Battle of Tinzaouaten', occurred: { from: '2024-07-25', to: '2024-07-27', precision: 'day' } } };
const duplicateOpened: IncidentEvent = { type: 'IncidentOpened', data: { ...ambush, incidentId: DUPLICATE, title: 'Kidal convoy attack' } };

describe('LinkIncidents', () => {
  const link = { type: 'LinkIncidents', data: { incidentId: AMBUSH, otherIncidentId: BATTLE, relation: 'follows' } } as const;
  const ambushFollowsBattle: IncidentEvent = { type: 'IncidentsLinked', data: link.data };
  const battleFollowedByAmbush: IncidentEvent = { type: 'IncidentLinkedFrom', data: { incidentId: BATTLE, otherIncidentId: AMBUSH, relation: 'follows' } };

  it('needs an opened incident', () => {
    givenIncidents([], [battleOpened]).when(link).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it('needs the other incident opened', () => {
    givenIncidents([ambushOpened], []).when(link).thenThrows({ kind: 'invalid', code: 'incident_not_found', field: 'otherIncidentId' });
  });

  it('links the ambush to the battle it followed, on both incidents', () => {
    givenIncidents([ambushOpened], [battleOpened]).when(link).then({ own: [ambushFollowsBattle], other: [battleFollowedByAmbush] });
  });

  it('changes nothing when the same link exists', () => {
    givenIncidents([ambushOpened, ambushFollowsBattle], [battleOpened, battleFollowedByAmbush]).when(link).then({ own: [], other: [] });
  });

  it('adds a link with another relation to the same incident', () => {
    givenIncidents([ambushOpened, ambushFollowsBattle], [battleOpened, battleFollowedByAmbush])
      .when({ type: 'LinkIncidents', data: { ...link.data, relation: 'part_of' } })
      .then({
        own: [{ type: 'IncidentsLinked', data: { ...link.data, relation: 'part_of' } }],
        other: [{ type: 'IncidentLinkedFrom', data: { incidentId: BATTLE, otherIncidentId: AMBUSH, relation: 'part_of' } }],
      });
  });

  it('cannot link an incident to itself', () => {
    givenIncidents([ambushOpened], [ambushOpened])
      .when({ type: 'LinkIncidents', data: { incidentId: AMBUSH, otherIncidentId: AMBUSH, relation: 'related' } })
      .thenThrows({ kind: 'invalid', code: 'link_to_self', field: 'otherIncidentId' });
  });

  it('cannot link to a merged incident, and names where it went', () => {
    const merged: IncidentEvent = { type: 'IncidentMerged', data: { incidentId: BATTLE, into: DUPLICATE, reason } };
    const error = givenIncidents([ambushOpened], [battleOpened, merged]).when(link).thenThrows({ kind: 'conflict', code: 'incident_merged', field: 'otherIncidentId' });
    expect(error.extensions).toEqual({ mergedInto: DUPLICATE });
  });
});

describe('MergeIncident', () => {
  const jnimClaimOnDuplicate: ClaimReportedData = { ...jnimClaim, incidentId: DUPLICATE, claimId: '0190f5a2-6c00-7c01-8000-00000000c003', statementId: undefined };
  const duplicate: IncidentEvent[] = [duplicateOpened, { type: 'ClaimReported', data: withoutStatement(jnimClaimOnDuplicate) }];
  const merge = { type: 'MergeIncident', data: { incidentId: DUPLICATE, into: AMBUSH, reason } } as const;
  const mergedIntoAmbush: IncidentEvent = { type: 'IncidentMerged', data: merge.data };

  it('carries the duplicate’s claims, as recorded, into the incident it duplicates, and closes it', () => {
    givenIncidents(duplicate, ambushWithJnimClaim)
      .when(merge)
      .then({
        own: [mergedIntoAmbush],
        other: [{ type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: DUPLICATE, reason, events: [recorded(duplicate[1], 1)] } }],
      });
  });

  it('refuses every later write to the merged incident, naming the survivor', () => {
    const report = { type: 'ReportClaim', data: { ...blogsClaim, incidentId: DUPLICATE } } as const;
    givenIncident([...duplicate, mergedIntoAmbush]).when(report).thenThrows({ kind: 'conflict', code: 'incident_merged' });
    expect(() => incidentDecider.decide(report, stateAfter([...duplicate, mergedIntoAmbush]), context)).toThrow(expect.objectContaining({ extensions: { mergedInto: AMBUSH } }));
  });

  it('changes nothing when repeated', () => {
    givenIncidents([...duplicate, mergedIntoAmbush], ambushWithJnimClaim).when(merge).then({ own: [], other: [] });
  });

  it('refuses a merge into a merged incident: merges form no cycle, and a chain ends at one survivor', () => {
    const ambushMergedIntoDuplicate: IncidentEvent = { type: 'IncidentMerged', data: { incidentId: AMBUSH, into: DUPLICATE, reason } };
    givenIncidents(duplicate, [...ambushWithJnimClaim, ambushMergedIntoDuplicate]).when(merge).thenThrows({ kind: 'conflict', code: 'incident_merged', field: 'into' });
  });

  it('refuses a merge into itself, into an incident never opened, or without a reason', () => {
    givenIncidents(duplicate, duplicate).when({ type: 'MergeIncident', data: { ...merge.data, into: DUPLICATE } }).thenThrows({ kind: 'invalid', code: 'merge_into_self', field: 'into' });
    givenIncidents(duplicate, []).when(merge).thenThrows({ kind: 'invalid', code: 'incident_not_found', field: 'into' });
    givenIncidents(duplicate, ambushWithJnimClaim).when({ type: 'MergeIncident', data: { ...merge.data, reason: ' ' } }).thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });

  it('refuses to merge two incidents that hold a claim or statement with the same id', () => {
    const sameId: IncidentEvent = { type: 'ClaimReported', data: { ...blogsClaim, incidentId: DUPLICATE, claimId: JNIM_CLAIM } };
    givenIncidents([duplicateOpened, sameId], ambushWithJnimClaim).when(merge).thenThrows({ kind: 'conflict', code: 'ids_shared', field: 'into' });
  });

  it('lets the survivor take writes on the claims it absorbed', () => {
    const absorbed: IncidentEvent = { type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: DUPLICATE, reason, events: [recorded(duplicate[1], 1)] } };
    givenIncident([...ambushWithJnimClaim, absorbed])
      .when({ type: 'AssessClaim', data: { incidentId: AMBUSH, claimId: jnimClaimOnDuplicate.claimId, grade: 'unverified', rationale: 'Same communique' } })
      .then([{ type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: jnimClaimOnDuplicate.claimId, grade: 'unverified', rationale: 'Same communique' } }]);
  });
});

describe('SplitIncident', () => {
  // One incident that turned out to be two: the battle of 25–27 July, and the ambush after it.
  const conflated: IncidentEvent[] = [
    { type: 'IncidentOpened', data: { ...ambush, incidentId: CONFLATED, title: 'Fighting around Tinzaouaten' } },
    { type: 'SourceStatementRecorded', data: { ...jnimStatement, incidentId: CONFLATED } },
    { type: 'ClaimReported', data: { ...jnimClaim, incidentId: CONFLATED } },
    { type: 'ClaimReported', data: { ...blogsClaim, incidentId: CONFLATED } },
  ];
  const split = {
    type: 'SplitIncident',
    data: {
      incidentId: CONFLATED,
      newIncidentId: BATTLE,
      claimIds: [BLOGS_CLAIM],
      statementIds: [],
      title: 'Battle of Tinzaouaten',
      location: ambush.location,
      occurred: { from: '2024-07-25', to: '2024-07-27', precision: 'day' },
      tags: [],
      reason: 'The bloggers count the battle, not the ambush',
    },
  } as const satisfies CrossIncidentCommand;

  it('opens the new incident with the claims moved, as recorded, and links the two', () => {
    const { incidentId, newIncidentId, claimIds, statementIds, reason: why, ...opening } = split.data;
    givenIncidents(conflated, [])
      .when(split)
      .then({
        own: [
          { type: 'IncidentSplit', data: { incidentId, newIncidentId, claimIds: [...claimIds], statementIds: [...statementIds], reason: why } },
          { type: 'IncidentLinkedFrom', data: { incidentId, otherIncidentId: newIncidentId, relation: 'related' } },
        ],
        other: [
          { type: 'IncidentOpened', data: { incidentId: newIncidentId, ...opening, tags: [] } },
          { type: 'IncidentSplitFrom', data: { incidentId: newIncidentId, fromIncidentId: incidentId, reason: why, events: [recorded(conflated[3], 3)] } },
          { type: 'IncidentsLinked', data: { incidentId: newIncidentId, otherIncidentId: incidentId, relation: 'related' } },
        ],
      });
  });

  it('moves a claim only with the statement it cites, and a statement only with the claims citing it', () => {
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [JNIM_CLAIM] } }).thenThrows({ kind: 'invalid', code: 'statement_stays', field: 'claims[0]' });
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [], statementIds: [JNIM_STATEMENT] } }).thenThrows({ kind: 'invalid', code: 'statement_cited', field: 'statements[0]' });
    const together = decideAcross({ ...split, data: { ...split.data, claimIds: [JNIM_CLAIM], statementIds: [JNIM_STATEMENT] } }, stateAfter(conflated), {
      now: context.now,
      other: initialIncidentState(),
      recorded: contentOf(recordedAll(conflated)),
    });
    expect(together.other[1]).toMatchObject({ type: 'IncidentSplitFrom', data: { events: [{ type: 'SourceStatementRecorded' }, { type: 'ClaimReported', data: { claimId: JNIM_CLAIM } }] } });
  });

  it('moves a claim with the statements that take a stance on it', () => {
    const disputed: IncidentEvent = { type: 'SourceStatementRecorded', data: { ...authoritiesStatement, incidentId: CONFLATED, stances: [{ claimId: BLOGS_CLAIM, stance: 'disputes' }] } };
    givenIncidents([...conflated, disputed], []).when(split).thenThrows({ kind: 'invalid', code: 'stance_stays', field: 'claims[0]' });
    const together = { ...split, data: { ...split.data, statementIds: [AUTHORITIES_STATEMENT] } };
    expect(decideAcross(together, stateAfter([...conflated, disputed]), { now: context.now, other: initialIncidentState(), recorded: contentOf(recordedAll([...conflated, disputed])) }).own[0]).toMatchObject({
      type: 'IncidentSplit',
    });
  });

  it('names what it cannot move', () => {
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [UNKNOWN_CLAIM] } }).thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'claims[0]' });
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [], statementIds: [UNKNOWN_STATEMENT] } }).thenThrows({ kind: 'invalid', code: 'statement_not_found', field: 'statements[0]' });
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [] } }).thenThrows({ kind: 'invalid', code: 'split_empty' });
    givenIncidents(conflated, []).when({ ...split, data: { ...split.data, claimIds: [BLOGS_CLAIM, BLOGS_CLAIM] } }).thenThrows({ kind: 'invalid', code: 'duplicate_id', field: 'claims[1]' });
    givenIncidents(conflated, [battleOpened]).when(split).thenThrows({ kind: 'conflict', code: 'incident_exists' });
  });

  it('sends later writes on a moved claim to the incident it moved to', () => {
    const splitOff: IncidentEvent = { type: 'IncidentSplit', data: { incidentId: CONFLATED, newIncidentId: BATTLE, claimIds: [BLOGS_CLAIM], statementIds: [], reason } };
    givenIncident([...conflated, splitOff])
      .when({ type: 'RetractClaim', data: { incidentId: CONFLATED, claimId: BLOGS_CLAIM, reason: 'withdrawn', statedAt: '2024-07-29', retractedBy: 'claimant' } })
      .thenThrows({ kind: 'conflict', code: 'claim_moved', field: 'claimId' });
  });

  it('refuses a retried report or statement whose id was split off since, instead of logging it again', () => {
    const splitOff: IncidentEvent = { type: 'IncidentSplit', data: { incidentId: CONFLATED, newIncidentId: BATTLE, claimIds: [JNIM_CLAIM], statementIds: [JNIM_STATEMENT], reason } };
    const history = [...conflated, splitOff];
    givenIncident(history).when({ type: 'ReportClaim', data: { ...jnimClaim, incidentId: CONFLATED, statementId: undefined } }).thenThrows({ kind: 'conflict', code: 'claim_moved', field: 'claimId' });
    givenIncident(history).when({ type: 'RecordStatement', data: { ...jnimStatement, incidentId: CONFLATED } }).thenThrows({ kind: 'conflict', code: 'statement_moved', field: 'statementId' });
  });

  it('carries what a merge brought in, and not what an earlier split took out', () => {
    const absorbed: IncidentEvent = { type: 'IncidentAbsorbed', data: { incidentId: CONFLATED, absorbedIncidentId: DUPLICATE, reason, events: [recorded(conflated[3], 7)] } };
    const splitOff: IncidentEvent = { type: 'IncidentSplit', data: { incidentId: CONFLATED, newIncidentId: BATTLE, claimIds: [JNIM_CLAIM], statementIds: [JNIM_STATEMENT], reason } };
    expect(contentOf(recordedAll([...conflated.slice(0, 3), absorbed, splitOff])).map((event) => event.type)).toEqual(['ClaimReported']);
  });
});

function withoutStatement(claim: ClaimReportedData): ClaimReportedData {
  const { statementId: _statementId, ...rest } = claim;
  return rest;
}

describe('RecordStatement', () => {
  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'RecordStatement', data: jnimStatement }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it("records JNIM's communique as relayed by SITE", () => {
    givenIncident([ambushOpened]).when({ type: 'RecordStatement', data: jnimStatement }).then([jnimStatementRecorded]);
  });

  it("records the Malian authorities disputing JNIM's claim", () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'RecordStatement', data: authoritiesStatement })
      .then([{ type: 'SourceStatementRecorded', data: authoritiesStatement }]);
  });

  it('answers a retry with the same id and data with no events', () => {
    givenIncident([ambushOpened, jnimStatementRecorded]).when({ type: 'RecordStatement', data: jnimStatement }).then([]);
  });

  it('rejects a statement id already taken by other words', () => {
    givenIncident([ambushOpened, jnimStatementRecorded])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, quote: 'a different quote' } })
      .thenThrows({ kind: 'conflict', code: 'statement_exists', field: 'statementId' });
  });

  it('needs a registered source', () => {
    givenIncident([ambushOpened])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, sourceId: UNREGISTERED } })
      .thenThrows({ kind: 'invalid', code: 'source_not_registered', field: 'sourceId' });
  });

  it('needs registered conduits', () => {
    givenIncident([ambushOpened])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, via: [SITE, UNREGISTERED] } })
      .thenThrows({ kind: 'invalid', code: 'source_not_registered', field: 'via[1]' });
  });

  it('takes nothing more from an erased source, nor through one', () => {
    const jnimErased = { ...context, erasedSources: new Set([JNIM]) };
    givenIncident([ambushOpened], jnimErased).when({ type: 'RecordStatement', data: jnimStatement }).thenThrows({ kind: 'conflict', code: 'source_erased', field: 'sourceId' });
    const siteErased = { ...context, erasedSources: new Set([SITE]) };
    givenIncident([ambushOpened], siteErased).when({ type: 'ReportClaim', data: { ...jnimClaim, via: [SITE], statementId: undefined } }).thenThrows({ kind: 'conflict', code: 'source_erased', field: 'via[0]' });
  });

  it('takes stances only on claims of this incident', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'RecordStatement', data: { ...authoritiesStatement, stances: [{ claimId: UNKNOWN_CLAIM, stance: 'denies' }] } })
      .thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'stances[0].claimId' });
  });

  it('takes one stance per claim', () => {
    givenIncident(ambushWithJnimClaim)
      .when({
        type: 'RecordStatement',
        data: { ...authoritiesStatement, stances: [{ claimId: JNIM_CLAIM, stance: 'disputes' }, { claimId: JNIM_CLAIM, stance: 'denies' }] },
      })
      .thenThrows({ kind: 'invalid', code: 'stance_duplicate', field: 'stances[1].claimId' });
  });

  it('tolerates a few minutes of clock skew', () => {
    const statement = { ...jnimStatement, statedAt: minutesAfterNow(4), publishedAt: minutesAfterNow(4) };
    givenIncident([ambushOpened]).when({ type: 'RecordStatement', data: statement }).then([{ type: 'SourceStatementRecorded', data: statement }]);
  });

  it.each([
    ['statedAt', 'stated_at_in_future'],
    ['publishedAt', 'published_at_in_future'],
    ['retrievedAt', 'retrieved_at_in_future'],
  ])('rejects a %s in the future', (field, code) => {
    givenIncident([ambushOpened])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, [field]: minutesAfterNow(6) } })
      .thenThrows({ kind: 'invalid', code, field });
  });

  it('rejects a time that is not ISO-8601', () => {
    givenIncident([ambushOpened])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, retrievedAt: 'Sunday' } })
      .thenThrows({ kind: 'invalid', code: 'time_invalid', field: 'retrievedAt' });
  });

  it('rejects a time before the year 0001 in UTC', () => {
    givenIncident([ambushOpened])
      .when({ type: 'RecordStatement', data: { ...jnimStatement, publishedAt: '0001-01-01T00:30:00+01:00' } })
      .thenThrows({ kind: 'invalid', code: 'time_out_of_range', field: 'publishedAt' });
  });
});

describe('ReportClaim', () => {
  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'ReportClaim', data: jnimClaim }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it("reports JNIM's claim, relayed by SITE, with exact figures", () => {
    givenIncident([ambushOpened, jnimStatementRecorded]).when({ type: 'ReportClaim', data: jnimClaim }).then([jnimClaimReported]);
  });

  it('reports a figure without a number, like CSP-PSD\'s "numerous"', () => {
    const cspClaim: ClaimReportedData = {
      incidentId: AMBUSH,
      claimId: '0190f5a2-6c00-7c01-8000-00000000c003',
      claimantId: CSP_PSD,
      via: [],
      summary: 'CSP-PSD claims to have killed and injured numerous Wagner mercenaries and Malian soldiers',
      kind: 'casualties',
      figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'unspecified', originalText: 'numerous Wagner mercenaries' }],
      statedAt: '2024-07-27',
    };
    givenIncident([ambushOpened]).when({ type: 'ReportClaim', data: cspClaim }).then([{ type: 'ClaimReported', data: cspClaim }]);
  });

  it('answers a retry with the same id and data with no events', () => {
    givenIncident(ambushWithJnimClaim).when({ type: 'ReportClaim', data: jnimClaim }).then([]);
  });

  it('rejects a claim id already taken by another claim', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'ReportClaim', data: { ...blogsClaim, claimId: JNIM_CLAIM } })
      .thenThrows({ kind: 'conflict', code: 'claim_exists', field: 'claimId' });
  });

  it('needs a registered claimant', () => {
    givenIncident([ambushOpened, jnimStatementRecorded])
      .when({ type: 'ReportClaim', data: { ...jnimClaim, claimantId: UNREGISTERED } })
      .thenThrows({ kind: 'invalid', code: 'source_not_registered', field: 'claimantId' });
  });

  it('needs registered conduits', () => {
    givenIncident([ambushOpened, jnimStatementRecorded])
      .when({ type: 'ReportClaim', data: { ...jnimClaim, via: [UNREGISTERED] } })
      .thenThrows({ kind: 'invalid', code: 'source_not_registered', field: 'via[0]' });
  });

  it('needs its statement to be recorded on the incident', () => {
    givenIncident([ambushOpened])
      .when({ type: 'ReportClaim', data: { ...jnimClaim, statementId: UNKNOWN_STATEMENT } })
      .thenThrows({ kind: 'invalid', code: 'statement_not_found', field: 'statementId' });
  });

  it('rejects a statedAt in the future', () => {
    givenIncident([ambushOpened])
      .when({ type: 'ReportClaim', data: { ...blogsClaim, statedAt: minutesAfterNow(6) } })
      .thenThrows({ kind: 'invalid', code: 'stated_at_in_future', field: 'statedAt' });
  });

  describe('figures', () => {
    const reportWith = (figures: Figure[]): IncidentCommand => ({ type: 'ReportClaim', data: { ...blogsClaim, figures } });

    it('need a value for every qualifier but unspecified', () => {
      givenIncident([ambushOpened])
        .when(reportWith([malianSoldiersKilled, { party: 'Wagner', outcome: 'killed', qualifier: 'at_least', originalText: 'At least 20 Wagner deaths' }]))
        .thenThrows({ kind: 'invalid', code: 'figure_value_required', field: 'figures[1].value' });
    });

    it('have no value when unspecified', () => {
      givenIncident([ambushOpened])
        .when(reportWith([{ party: 'Wagner', outcome: 'killed', qualifier: 'unspecified', value: 20, originalText: 'severe losses' }]))
        .thenThrows({ kind: 'invalid', code: 'figure_value_forbidden', field: 'figures[0].value' });
    });

    it.each([-1, 20.5])('reject %s as a value', (value) => {
      givenIncident([ambushOpened])
        .when(reportWith([{ ...wagnerKilled, value }]))
        .thenThrows({ kind: 'invalid', code: 'figure_value_invalid', field: 'figures[0].value' });
    });

    it("keep the claimant's words", () => {
      givenIncident([ambushOpened])
        .when(reportWith([{ ...wagnerKilled, originalText: '' }]))
        .thenThrows({ kind: 'invalid', code: 'original_text_required', field: 'figures[0].originalText' });
    });

    it('are at most 50', () => {
      givenIncident([ambushOpened])
        .when(reportWith(Array.from({ length: 51 }, () => wagnerKilled)))
        .thenThrows({ kind: 'invalid', code: 'too_many_figures', field: 'figures' });
    });
  });
});

describe('AmendClaim', () => {
  const raisedToll = {
    incidentId: AMBUSH,
    claimId: JNIM_CLAIM,
    figures: [malianSoldiersKilled, { ...wagnerKilled, value: 80, originalText: '80 Wagner mercenaries' }],
    statedAt: '2024-07-29',
    reason: 'JNIM raised its toll in a second communique',
  };

  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'AmendClaim', data: raisedToll }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it("records the claimant's new figures", () => {
    givenIncident(ambushWithJnimClaim).when({ type: 'AmendClaim', data: raisedToll }).then([{ type: 'ClaimAmended', data: raisedToll }]);
  });

  it('needs an existing claim', () => {
    givenIncident([ambushOpened])
      .when({ type: 'AmendClaim', data: raisedToll })
      .thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'claimId' });
  });

  it('cannot amend a retracted claim', () => {
    givenIncident([...ambushWithJnimClaim, jnimClaimRetracted])
      .when({ type: 'AmendClaim', data: raisedToll })
      .thenThrows({ kind: 'conflict', code: 'claim_retracted', field: 'claimId' });
  });

  it('needs a new summary or new figures', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'AmendClaim', data: { ...raisedToll, figures: undefined } })
      .thenThrows({ kind: 'invalid', code: 'amendment_empty' });
  });

  it('checks the new figures', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'AmendClaim', data: { ...raisedToll, figures: [{ ...wagnerKilled, qualifier: 'approximately', value: undefined }] } })
      .thenThrows({ kind: 'invalid', code: 'figure_value_required', field: 'figures[0].value' });
  });

  it('needs its statement to be recorded on the incident', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'AmendClaim', data: { ...raisedToll, statementId: UNKNOWN_STATEMENT } })
      .thenThrows({ kind: 'invalid', code: 'statement_not_found', field: 'statementId' });
  });

  it('rejects a statedAt in the future', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'AmendClaim', data: { ...raisedToll, statedAt: minutesAfterNow(60) } })
      .thenThrows({ kind: 'invalid', code: 'stated_at_in_future', field: 'statedAt' });
  });
});

describe('RetractClaim', () => {
  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'RetractClaim', data: jnimClaimRetracted.data }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it('records the retraction', () => {
    givenIncident(ambushWithJnimClaim).when({ type: 'RetractClaim', data: jnimClaimRetracted.data }).then([jnimClaimRetracted]);
  });

  it('changes nothing when the claim is already retracted', () => {
    givenIncident([...ambushWithJnimClaim, jnimClaimRetracted]).when({ type: 'RetractClaim', data: jnimClaimRetracted.data }).then([]);
  });

  it('retracts an amended claim', () => {
    const amended: IncidentEvent = { type: 'ClaimAmended', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, summary: 'Blogs now record 25 deaths', statedAt: '2024-07-29', reason: 'Updated post' } };
    const retraction = { incidentId: AMBUSH, claimId: BLOGS_CLAIM, reason: 'Posts deleted', statedAt: '2024-07-30', retractedBy: 'claimant' as const };
    givenIncident([ambushOpened, blogsClaimReported, amended])
      .when({ type: 'RetractClaim', data: retraction })
      .then([{ type: 'ClaimRetracted', data: retraction }]);
  });

  it('needs an existing claim', () => {
    givenIncident([ambushOpened])
      .when({ type: 'RetractClaim', data: jnimClaimRetracted.data })
      .thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'claimId' });
  });

  it('needs a reason', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'RetractClaim', data: { ...jnimClaimRetracted.data, reason: '' } })
      .thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });

  it('rejects a statedAt in the future', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'RetractClaim', data: { ...jnimClaimRetracted.data, statedAt: '2024-08-01' } })
      .thenThrows({ kind: 'invalid', code: 'stated_at_in_future', field: 'statedAt' });
  });
});

describe('CorrectClaim', () => {
  const typoFixed = {
    incidentId: AMBUSH,
    claimId: JNIM_CLAIM,
    figures: [malianSoldiersKilled, wagnerKilled],
    reason: 'The desk logged 5 instead of 50 Wagner deaths',
  };

  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'CorrectClaim', data: typoFixed }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it("fixes the desk's typo in a figure", () => {
    givenIncident(ambushWithJnimClaim).when({ type: 'CorrectClaim', data: typoFixed }).then([{ type: 'ClaimCorrected', data: typoFixed }]);
  });

  it('corrects a retracted claim too', () => {
    givenIncident([...ambushWithJnimClaim, jnimClaimRetracted])
      .when({ type: 'CorrectClaim', data: typoFixed })
      .then([{ type: 'ClaimCorrected', data: typoFixed }]);
  });

  it('needs an existing claim', () => {
    givenIncident([ambushOpened])
      .when({ type: 'CorrectClaim', data: typoFixed })
      .thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'claimId' });
  });

  it('needs at least one corrected field', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'CorrectClaim', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, reason: typoFixed.reason } })
      .thenThrows({ kind: 'invalid', code: 'correction_empty' });
  });

  it('needs a reason', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'CorrectClaim', data: { ...typoFixed, reason: ' ' } })
      .thenThrows({ kind: 'invalid', code: 'reason_required', field: 'reason' });
  });

  it('needs a registered claimant when it corrects the claimant', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'CorrectClaim', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, claimantId: UNREGISTERED, reason: 'Wrong claimant logged' } })
      .thenThrows({ kind: 'invalid', code: 'source_not_registered', field: 'claimantId' });
  });

  it('checks corrected figures', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'CorrectClaim', data: { ...typoFixed, figures: [{ ...wagnerKilled, value: -50 }] } })
      .thenThrows({ kind: 'invalid', code: 'figure_value_invalid', field: 'figures[0].value' });
  });
});

describe('AssessClaim', () => {
  const contested = {
    incidentId: AMBUSH,
    claimId: JNIM_CLAIM,
    grade: 'contested' as const,
    rationale: 'Russian military blogs record at least 20 Wagner deaths; Mali disputes that the Russians are Wagner',
  };

  it('needs an opened incident', () => {
    givenIncident([]).when({ type: 'AssessClaim', data: contested }).thenThrows({ kind: 'not_found', code: 'incident_not_found' });
  });

  it('grades the claim', () => {
    givenIncident(ambushWithJnimClaim).when({ type: 'AssessClaim', data: contested }).then([{ type: 'ClaimAssessed', data: contested }]);
  });

  it('grades a retracted claim too', () => {
    const discounted = { ...contested, grade: 'discounted' as const, rationale: 'Withdrawn by JNIM' };
    givenIncident([...ambushWithJnimClaim, jnimClaimRetracted])
      .when({ type: 'AssessClaim', data: discounted })
      .then([{ type: 'ClaimAssessed', data: discounted }]);
  });

  it('needs an existing claim', () => {
    givenIncident([ambushOpened])
      .when({ type: 'AssessClaim', data: contested })
      .thenThrows({ kind: 'not_found', code: 'claim_not_found', field: 'claimId' });
  });

  it('needs a rationale', () => {
    givenIncident(ambushWithJnimClaim)
      .when({ type: 'AssessClaim', data: { ...contested, rationale: '' } })
      .thenThrows({ kind: 'invalid', code: 'rationale_required', field: 'rationale' });
  });
});

describe('evolve', () => {
  const statusOf = (state: IncidentState, claimId: string) => (state.exists ? state.claims.get(claimId)?.status : undefined);

  it('tracks claim status: active, then amended, then retracted', () => {
    const amended: IncidentEvent = { type: 'ClaimAmended', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, summary: 'JNIM now claims 80 Wagner killed', statedAt: '2024-07-29', reason: 'Second communique' } };
    expect(statusOf(stateAfter(ambushWithJnimClaim), JNIM_CLAIM)).toBe('active');
    expect(statusOf(stateAfter([...ambushWithJnimClaim, amended]), JNIM_CLAIM)).toBe('amended');
    expect(statusOf(stateAfter([...ambushWithJnimClaim, amended, jnimClaimRetracted]), JNIM_CLAIM)).toBe('retracted');
  });

  it('refuses a stream that does not begin with IncidentOpened', () => {
    expect(() => stateAfter([jnimClaimReported])).toThrow('before IncidentOpened');
  });
});

describe('sourcesReferencedBy', () => {
  it('lists the statement source and its conduits', () => {
    expect(sourcesReferencedBy({ type: 'RecordStatement', data: jnimStatement })).toEqual([JNIM, SITE]);
  });

  it('lists the claimant and its conduits', () => {
    expect(sourcesReferencedBy({ type: 'ReportClaim', data: jnimClaim })).toEqual([JNIM, SITE]);
  });

  it('lists the sources a correction names', () => {
    expect(
      sourcesReferencedBy({ type: 'CorrectClaim', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, claimantId: WAGNER, via: [SITE], reason: 'Wrong claimant logged' } }),
    ).toEqual([WAGNER, SITE]);
  });

  it('lists nothing for a command that names no source', () => {
    expect(sourcesReferencedBy({ type: 'AssessClaim', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, grade: 'unverified', rationale: 'Not yet checked' } })).toEqual([]);
  });
});
