// The incident view, told with the convoy ambush of July 2024: given the stored stream,
// when it is folded, then the view reads as PRODUCT.md §4 says.
import type { IncidentEvent } from '../domain/incident.events.js';
import { emptyView, evolveView, foldView, type IncidentView } from './incident-view.js';
import {
  AMBUSH,
  AUTHORITIES_STATEMENT,
  authoritiesDisputeJnim,
  BATTLE,
  BLOGS_CLAIM,
  blogsClaimReported,
  CSP_PSD,
  ambushFollowsBattle,
  ambushHistory,
  ambushOpened,
  JNIM,
  JNIM_CLAIM,
  JNIM_STATEMENT,
  jnimClaimReported,
  jnimClaimRetracted,
  jnimStatementRecorded,
  malianSoldiersKilled,
  MALIAN_AUTHORITIES,
  MONDAY,
  recordedAtOf,
  RECORDED_BY,
  RUSSIAN_BLOGS,
  SITE,
  stored,
  SUNDAY,
  WAGNER,
  wagnerKilledByJnim,
} from './tinzaouaten.fixture.js';

function viewOf(history: IncidentEvent[], options?: { statedBefore?: string }): IncidentView {
  const view = foldView(stored(history), options);
  if (view === null) throw new Error('The history opened no incident');
  return view;
}

const claimIn = (view: IncidentView, claimId: string) => view.claims.find((claim) => claim.claimId === claimId)!;
const casualty = (view: IncidentView, party: string, outcome: string) => view.casualties.find((entry) => entry.party === party && entry.outcome === outcome);

const raisedToll: IncidentEvent = {
  type: 'ClaimAmended',
  data: {
    incidentId: AMBUSH,
    claimId: JNIM_CLAIM,
    figures: [malianSoldiersKilled, { ...wagnerKilledByJnim, value: 80, originalText: '80 Wagner mercenaries' }],
    statedAt: '2024-07-30T00:00:00.000Z',
    reason: 'JNIM raised its toll in a second communique',
  },
};

const jnimGraded: IncidentEvent = {
  type: 'ClaimAssessed',
  data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, grade: 'contested', rationale: 'Wagner and Russian blogs give far lower tolls' },
};

describe('evolveView', () => {
  it('opens the view with the incident as the desk described it', () => {
    const view = viewOf([ambushOpened]);
    expect(view).toStrictEqual({
      id: AMBUSH,
      version: 0,
      title: 'Convoy ambush south of Tinzaouaten',
      description: 'Following their withdrawal from Tinzaouaten, a convoy of the Malian army and Wagner forces was ambushed south of the town.',
      location: { place: 'South of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'region' },
      occurred: { from: '2024-07-27', precision: 'day' },
      tags: ['Wagner', 'JNIM', 'ambush', 'Sahel'],
      openedAt: recordedAtOf(0),
      updatedAt: recordedAtOf(0),
      links: [],
      sourceIds: [],
      statements: [],
      claims: [],
      casualties: [],
    });
  });

  describe('given the ambush as the article tells it', () => {
    const view = viewOf(ambushHistory);

    it('reflects the last revision and when it was recorded', () => {
      expect(view).toMatchObject({ version: 7, openedAt: recordedAtOf(0), updatedAt: recordedAtOf(7) });
    });

    it('links the ambush to the battle it followed', () => {
      expect(view.links).toEqual([{ incidentId: BATTLE, relation: 'follows' }]);
    });

    it('lists every source involved once, sorted: claimants, conduits, statement sources', () => {
      expect(view.sourceIds).toEqual([JNIM, SITE, WAGNER, RUSSIAN_BLOGS, MALIAN_AUTHORITIES].sort());
    });

    it("keeps each statement in the source's words", () => {
      expect(view.statements.map((statement) => statement.statementId)).toHaveLength(3);
      expect(view.statements[0]).toStrictEqual({
        statementId: JNIM_STATEMENT,
        sourceId: JNIM,
        via: [SITE],
        medium: 'communique',
        quote: 'ensnared a convoy of the Malian army and Wagner mercenaries in a complex ambush',
        language: 'en',
        statedAt: SUNDAY,
        publishedAt: SUNDAY,
        stances: [],
      });
    });

    it("shows JNIM's claim, relayed by SITE, disputed by the Malian authorities", () => {
      expect(claimIn(view, JNIM_CLAIM)).toStrictEqual({
        claimId: JNIM_CLAIM,
        claimantId: JNIM,
        via: [SITE],
        statementId: JNIM_STATEMENT,
        summary: 'JNIM claimed to have killed 10 Malian soldiers and 50 Russian Wagner mercenaries in an ambush on a convoy south of Tinzaouaten.',
        kind: 'casualties',
        figures: [malianSoldiersKilled, wagnerKilledByJnim],
        statedAt: SUNDAY,
        status: 'active',
        stances: [{ statementId: AUTHORITIES_STATEMENT, sourceId: MALIAN_AUTHORITIES, stance: 'disputes', statedAt: MONDAY }],
        changes: [
          { version: 3, type: 'reported', recordedAt: recordedAtOf(3), recordedBy: RECORDED_BY, statedAt: SUNDAY, statementId: JNIM_STATEMENT },
          {
            version: 7,
            type: 'stance',
            recordedAt: recordedAtOf(7),
            recordedBy: RECORDED_BY,
            statedAt: MONDAY,
            statementId: AUTHORITIES_STATEMENT,
            sourceId: MALIAN_AUTHORITIES,
            stance: 'disputes',
          },
        ],
      });
    });

    it('sums up Wagner killed as 1–50, not contested (the worked example of PRODUCT.md §4)', () => {
      expect(casualty(view, 'Wagner', 'killed')).toMatchObject({ lowestClaimed: 1, highestClaimed: 50, contested: false });
      expect(casualty(view, 'Wagner', 'killed')!.figures.map((figure) => figure.claimantId)).toEqual([JNIM, WAGNER, RUSSIAN_BLOGS]);
      expect(casualty(view, 'Malian soldiers', 'killed')).toMatchObject({ lowestClaimed: 10, highestClaimed: 10 });
    });
  });

  describe('when JNIM retracts its claim', () => {
    const view = viewOf([...ambushHistory, jnimClaimRetracted]);

    it('marks the claim retracted and records why', () => {
      const claim = claimIn(view, JNIM_CLAIM);
      expect(claim.status).toBe('retracted');
      expect(claim.figures).toEqual([malianSoldiersKilled, wagnerKilledByJnim]);
      expect(claim.changes.at(-1)).toStrictEqual({
        version: 8,
        type: 'retracted',
        recordedAt: recordedAtOf(8),
        recordedBy: RECORDED_BY,
        statedAt: '2024-07-30T00:00:00.000Z',
        reason: 'JNIM withdrew its toll in a later communique',
        retractedBy: 'claimant',
      });
    });

    it('narrows Wagner killed to 1–20 and drops the Malian soldiers only JNIM counted', () => {
      expect(casualty(view, 'Wagner', 'killed')).toMatchObject({ lowestClaimed: 1, highestClaimed: 20, contested: false });
      expect(casualty(view, 'Malian soldiers', 'killed')).toBeUndefined();
    });

    it('still counts JNIM and SITE among the sources involved', () => {
      expect(view.sourceIds).toContain(JNIM);
      expect(view.sourceIds).toContain(SITE);
    });
  });

  it("replaces the figures when JNIM amends its claim, and marks it amended", () => {
    const claim = claimIn(viewOf([...ambushHistory, raisedToll]), JNIM_CLAIM);
    expect(claim).toMatchObject({ status: 'amended', figures: raisedToll.data.figures, summary: jnimClaimReported.data.summary });
    expect(claim.changes.at(-1)).toStrictEqual({
      version: 8,
      type: 'amended',
      recordedAt: recordedAtOf(8),
      recordedBy: RECORDED_BY,
      statedAt: '2024-07-30T00:00:00.000Z',
      reason: 'JNIM raised its toll in a second communique',
      fields: ['figures'],
    });
  });

  it('counts an amended claim in the casualty summary', () => {
    expect(casualty(viewOf([...ambushHistory, raisedToll]), 'Wagner', 'killed')).toMatchObject({ lowestClaimed: 1, highestClaimed: 80 });
  });

  describe("when the desk corrects its record of a claim", () => {
    const typo: IncidentEvent = { ...jnimClaimReported, data: { ...jnimClaimReported.data, figures: [malianSoldiersKilled, { ...wagnerKilledByJnim, value: 5 }] } };
    const corrected: IncidentEvent = {
      type: 'ClaimCorrected',
      data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, figures: [malianSoldiersKilled, wagnerKilledByJnim], reason: 'Typo: SITE reports 50 Wagner, not 5' },
    };

    it('replaces the corrected fields and keeps the status', () => {
      const view = viewOf([ambushOpened, jnimStatementRecorded, typo, corrected]);
      const claim = claimIn(view, JNIM_CLAIM);
      expect(claim).toMatchObject({ status: 'active', figures: [malianSoldiersKilled, wagnerKilledByJnim] });
      expect(claim.changes.at(-1)).toStrictEqual({ version: 3, type: 'corrected', recordedAt: recordedAtOf(3), recordedBy: RECORDED_BY, reason: 'Typo: SITE reports 50 Wagner, not 5', fields: ['figures'] });
      expect(casualty(view, 'Wagner', 'killed')).toMatchObject({ lowestClaimed: 50, highestClaimed: 50 });
    });

    it('keeps an amended claim amended', () => {
      const view = viewOf([...ambushHistory, raisedToll, { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, summary: 'JNIM claimed 80 Wagner killed', reason: 'Summary out of date' } }]);
      expect(claimIn(view, JNIM_CLAIM)).toMatchObject({ status: 'amended', summary: 'JNIM claimed 80 Wagner killed' });
    });

    it('moves the claim to the right claimant, and the sources involved with it', () => {
      const wrongClaimant: IncidentEvent = { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, claimantId: CSP_PSD, reason: 'Logged under the wrong source' } };
      const view = viewOf([ambushOpened, blogsClaimReported, wrongClaimant]);
      expect(claimIn(view, BLOGS_CLAIM).claimantId).toBe(CSP_PSD);
      expect(view.sourceIds).toEqual([CSP_PSD]);
    });
  });

  it('grades a claim, dated when the desk recorded the grade', () => {
    const claim = claimIn(viewOf([...ambushHistory, jnimGraded]), JNIM_CLAIM);
    expect(claim.grade).toStrictEqual({ grade: 'contested', rationale: 'Wagner and Russian blogs give far lower tolls', assessedAt: recordedAtOf(8) });
    expect(claim.changes.at(-1)).toMatchObject({ type: 'assessed', grade: 'contested', version: 8 });
  });

  it('replaces only the fields an IncidentRevised gives', () => {
    const revised: IncidentEvent = { type: 'IncidentRevised', data: { incidentId: AMBUSH, title: 'JNIM ambush of a Malian army and Wagner convoy', tags: ['Wagner', 'JNIM'], reason: 'Name the claimed attacker' } };
    const view = viewOf([ambushOpened, revised]);
    expect(view).toMatchObject({ title: 'JNIM ambush of a Malian army and Wagner convoy', tags: ['Wagner', 'JNIM'], location: ambushOpened.data.location });
    expect(view).not.toHaveProperty('reason');
  });

  it('adds a link once', () => {
    expect(viewOf([ambushOpened, ambushFollowsBattle, ambushFollowsBattle]).links).toHaveLength(1);
  });

  it('changes nothing for a redelivered event', () => {
    const events = stored(ambushHistory);
    const view = foldView(events)!;
    expect(evolveView(view, events[3])).toBe(view);
    expect(evolveView(view, events[7])).toBe(view);
  });

  it('leaves the view it was given untouched', () => {
    const events = stored([...ambushHistory, jnimClaimRetracted]);
    // Frozen: a write to it throws (ES modules run in strict mode).
    const before = deepFreeze(foldView(events.slice(0, -1))!);
    expect(evolveView(before, events.at(-1)!).version).toBe(8);
  });

  it('refuses an event before IncidentOpened', () => {
    expect(() => evolveView(emptyView(), stored([jnimStatementRecorded])[0])).toThrow('SourceStatementRecorded at revision 0 before IncidentOpened');
  });

  it('refuses a second IncidentOpened', () => {
    expect(() => viewOf([ambushOpened, ambushOpened])).toThrow(`Incident ${AMBUSH} opened twice`);
  });

  it('sorts the sources involved whatever order they came in', () => {
    expect(viewOf([ambushOpened, blogsClaimReported, jnimStatementRecorded]).sourceIds).toEqual([JNIM, SITE, RUSSIAN_BLOGS]);
  });

  it('refuses a change to a claim never reported', () => {
    expect(() => viewOf([ambushOpened, jnimClaimRetracted])).toThrow(`Claim ${JNIM_CLAIM} of incident ${AMBUSH} changed before it was reported`);
  });
});

describe('links, merges and splits', () => {
  const DUPLICATE = '0190f17c-b400-7000-8000-000000000203';
  const DUPLICATE_CLAIM = '0190f17c-b400-7000-8000-000000000405';
  const reason = 'Two editors opened the same ambush';
  // JNIM's claim as logged on the duplicate, carried with its own record (revision 1 there).
  const carriedJnimClaim = { ...jnimClaimReported, data: { ...jnimClaimReported.data, incidentId: DUPLICATE, claimId: DUPLICATE_CLAIM }, ...recordOf(1) } as const;
  const absorbed: IncidentEvent = { type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: DUPLICATE, reason, events: [carriedJnimClaim] } };

  it('reads a link recorded by the other incident from this side', () => {
    const battle: IncidentEvent = { type: 'IncidentOpened', data: { ...ambushOpened.data, incidentId: BATTLE } };
    const linkedFrom: IncidentEvent = { type: 'IncidentLinkedFrom', data: { incidentId: BATTLE, otherIncidentId: AMBUSH, relation: 'follows' } };
    expect(viewOf([battle, linkedFrom]).links).toEqual([{ incidentId: AMBUSH, relation: 'followed_by' }]);
  });

  it('takes in a merged duplicate’s claims, each with its own incident id and record', () => {
    const view = viewOf([...ambushHistory, absorbed]);
    expect(claimIn(view, DUPLICATE_CLAIM)).toMatchObject({ incidentId: DUPLICATE, claimantId: JNIM, changes: [{ type: 'reported', version: 1, recordedAt: recordedAtOf(1) }] });
    expect(claimIn(view, JNIM_CLAIM)).not.toHaveProperty('incidentId');
    expect(view.lifecycle).toEqual([{ type: 'merged_from', incidentId: DUPLICATE, reason, claimIds: [DUPLICATE_CLAIM], statementIds: [], version: 8, recordedAt: recordedAtOf(8), recordedBy: RECORDED_BY }]);
  });

  it('shows the same claimant’s same figure once, keeping both claim ids', () => {
    const wagner = casualty(viewOf([...ambushHistory, absorbed]), 'Wagner', 'killed')!;
    const jnims = wagner.figures.filter((figure) => figure.claimantId === JNIM);
    expect(jnims).toEqual([expect.objectContaining({ claimId: JNIM_CLAIM, value: 50, alsoClaimIds: [DUPLICATE_CLAIM] })]);
  });

  it('leaves out, as of a statedBefore, what a merge carried in that had not been stated by then', () => {
    const before = viewOf([...ambushHistory, absorbed], { statedBefore: '2024-07-27T12:00:00.000Z' });
    expect(before.claims.map((claim) => claim.claimId)).not.toContain(DUPLICATE_CLAIM);
    expect(viewOf([...ambushHistory, absorbed], { statedBefore: '2024-07-28T00:00:00.000Z' }).claims.map((claim) => claim.claimId)).toContain(DUPLICATE_CLAIM);
  });

  it('freezes a merged incident’s view, saying where it went', () => {
    const merged: IncidentEvent = { type: 'IncidentMerged', data: { incidentId: AMBUSH, into: DUPLICATE, reason } };
    const view = viewOf([...ambushHistory, merged]);
    expect(view.mergedInto).toBe(DUPLICATE);
    expect(view.claims).toEqual(viewOf(ambushHistory).claims);
  });

  it('takes split-off claims and statements out of the view, and tells where they went', () => {
    const split: IncidentEvent = { type: 'IncidentSplit', data: { incidentId: AMBUSH, newIncidentId: BATTLE, claimIds: [JNIM_CLAIM], statementIds: [JNIM_STATEMENT], reason } };
    const view = viewOf([...ambushHistory, split]);
    expect(view.claims.map((claim) => claim.claimId)).not.toContain(JNIM_CLAIM);
    expect(view.statements.map((statement) => statement.statementId)).not.toContain(JNIM_STATEMENT);
    expect(view.lifecycle).toEqual([expect.objectContaining({ type: 'split_into', incidentId: BATTLE, claimIds: [JNIM_CLAIM], statementIds: [JNIM_STATEMENT] })]);
    expect(casualty(view, 'Wagner', 'killed')?.figures.map((figure) => figure.claimantId)).not.toContain(JNIM);
  });
});

/** Where a carried event was recorded in its own incident's stream. */
function recordOf(revision: number) {
  return { revision, recordedAt: recordedAtOf(revision), recordedBy: RECORDED_BY };
}

describe('foldView', () => {
  it('gives no view for an empty stream', () => {
    expect(foldView([])).toBeNull();
  });

  it('gives the view the projection builds event by event, redeliveries included', () => {
    const events = stored([...ambushHistory, raisedToll, jnimGraded, jnimClaimRetracted]);
    const live = events.flatMap((event) => [event, event]).reduce<IncidentView | null>(evolveView, emptyView());
    expect(foldView(events)).toStrictEqual(live);
  });

  describe('with statedBefore: what had been stated by then', () => {
    it('leaves out statements and claims stated later, and keeps version at the last event considered', () => {
      const view = viewOf(ambushHistory, { statedBefore: SUNDAY });
      expect(view.statements.map((statement) => statement.statementId)).toEqual([JNIM_STATEMENT]);
      expect(view.claims.map((claim) => claim.claimId)).toEqual([JNIM_CLAIM]);
      expect(view).toMatchObject({ version: 7, updatedAt: recordedAtOf(3), links: [{ incidentId: BATTLE, relation: 'follows' }] });
      expect(view.sourceIds).toEqual([JNIM, SITE].sort());
      expect(casualty(view, 'Wagner', 'killed')).toMatchObject({ lowestClaimed: 50, highestClaimed: 50 });
    });

    it('keeps what was stated at that very time', () => {
      expect(viewOf(ambushHistory, { statedBefore: MONDAY }).claims).toHaveLength(3);
    });

    it('leaves out a retraction stated later', () => {
      const history = [...ambushHistory, jnimClaimRetracted];
      expect(claimIn(viewOf(history, { statedBefore: MONDAY }), JNIM_CLAIM).status).toBe('active');
      expect(claimIn(viewOf(history), JNIM_CLAIM).status).toBe('retracted');
    });

    it("keeps the desk's own acts, which state nothing", () => {
      const claim = claimIn(viewOf([...ambushHistory, jnimGraded], { statedBefore: SUNDAY }), JNIM_CLAIM);
      expect(claim.grade?.grade).toBe('contested');
    });

    it('leaves out the corrections and grades of a claim it left out', () => {
      const blogsCorrected: IncidentEvent = { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, kind: 'casualties', reason: 'Kind was missing' } };
      const blogsGraded: IncidentEvent = { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, grade: 'unverified', rationale: 'Unnamed blogs' } };
      const view = viewOf([...ambushHistory, blogsCorrected, blogsGraded], { statedBefore: SUNDAY });
      expect(view.claims.map((claim) => claim.claimId)).toEqual([JNIM_CLAIM]);
      expect(view.version).toBe(9);
    });

    it('judges a claim by its statedAt as the desk last corrected it', () => {
      const loggedAsMonday: IncidentEvent = { ...jnimClaimReported, data: { ...jnimClaimReported.data, statedAt: MONDAY } };
      const fixedToSunday: IncidentEvent = { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, statedAt: SUNDAY, reason: 'SITE cited it on Sunday' } };
      const history = [ambushOpened, jnimStatementRecorded, loggedAsMonday, fixedToSunday];
      expect(viewOf(history, { statedBefore: SUNDAY }).claims.map((claim) => claim.statedAt)).toEqual([SUNDAY]);
      expect(viewOf(history.slice(0, 3), { statedBefore: SUNDAY }).claims).toEqual([]);
    });

    it("keeps a statement's stance on a claim it left out on the statement alone", () => {
      const standingPosition: IncidentEvent = { ...authoritiesDisputeJnim, data: { ...authoritiesDisputeJnim.data, statedAt: SUNDAY, stances: [{ claimId: BLOGS_CLAIM, stance: 'disputes' }] } };
      const view = viewOf([ambushOpened, blogsClaimReported, standingPosition], { statedBefore: SUNDAY });
      expect(view.claims).toEqual([]);
      expect(view.statements[0].stances).toEqual([{ claimId: BLOGS_CLAIM, stance: 'disputes' }]);
    });

    it('refuses a time that is not ISO-8601', () => {
      expect(() => foldView(stored(ambushHistory), { statedBefore: 'Sunday' })).toThrow(RangeError);
    });
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
