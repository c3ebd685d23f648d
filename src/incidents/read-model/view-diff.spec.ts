// The structured diff between two versions of the convoy ambush (GET /incidents/{id}/diff).
import type { IncidentEvent } from '../domain/incident.events.js';
import { foldView, type IncidentView } from './incident-view.js';
import {
  AMBUSH,
  ambushHistory,
  ambushOpened,
  AUTHORITIES_STATEMENT,
  BLOGS_CLAIM,
  blogsClaimReported,
  JNIM_CLAIM,
  jnimClaimReported,
  jnimStatementRecorded,
  jnimClaimRetracted,
  malianSoldiersKilled,
  MALIAN_AUTHORITIES,
  MONDAY,
  recordedAtOf,
  RUSSIAN_BLOGS,
  stored,
  WAGNER,
  WAGNER_CLAIM,
  WAGNER_STATEMENT,
  wagnerKilledByJnim,
} from './tinzaouaten.fixture.js';
import { diffViews } from './view-diff.js';

/** The views of `history` at each of the given versions. */
function viewsAt(history: IncidentEvent[], ...versions: number[]): IncidentView[] {
  const events = stored(history);
  return versions.map((version) => foldView(events.slice(0, version + 1))!);
}

describe('diffViews', () => {
  it('finds nothing between a view and itself', () => {
    const [view] = viewsAt(ambushHistory, 7);
    expect(diffViews(view, view)).toStrictEqual({
      fromVersion: 7,
      toVersion: 7,
      fields: [],
      sources: { added: [], removed: [] },
      claims: { added: [], removed: [], changed: [] },
      casualties: [],
      statements: { added: [], removed: [] },
      links: { added: [], removed: [] },
    });
  });

  it("shows JNIM's retraction as a status change and two casualty entries", () => {
    const [before, after] = viewsAt([...ambushHistory, jnimClaimRetracted], 7, 8);
    expect(diffViews(before, after)).toStrictEqual({
      fromVersion: 7,
      toVersion: 8,
      fields: [],
      sources: { added: [], removed: [] },
      claims: { added: [], removed: [], changed: [{ claimId: JNIM_CLAIM, status: { before: 'active', after: 'retracted' } }] },
      casualties: [
        { party: 'Malian soldiers', outcome: 'killed', before: { lowestClaimed: 10, highestClaimed: 10, contested: false }, after: null },
        { party: 'Wagner', outcome: 'killed', before: { lowestClaimed: 1, highestClaimed: 50, contested: false }, after: { lowestClaimed: 1, highestClaimed: 20, contested: false } },
      ],
      statements: { added: [], removed: [] },
      links: { added: [], removed: [] },
    });
  });

  describe('from Sunday, when only JNIM had spoken, to Monday evening', () => {
    const [sunday, monday] = viewsAt(ambushHistory, 3, 7);
    const diff = diffViews(sunday, monday);

    it('adds the claims, statements and sources of Monday, in the order recorded', () => {
      expect(diff.claims.added).toEqual([WAGNER_CLAIM, BLOGS_CLAIM]);
      expect(diff.statements.added).toEqual([WAGNER_STATEMENT, AUTHORITIES_STATEMENT]);
      expect(diff.sources.added).toEqual([WAGNER, RUSSIAN_BLOGS, MALIAN_AUTHORITIES].sort());
    });

    it("shows the Malian authorities' stance on JNIM's claim", () => {
      expect(diff.claims.changed).toEqual([
        { claimId: JNIM_CLAIM, stances: { added: [{ statementId: AUTHORITIES_STATEMENT, sourceId: MALIAN_AUTHORITIES, stance: 'disputes', statedAt: MONDAY }], removed: [] } },
      ]);
    });

    it('widens Wagner killed from 50 to 1–50', () => {
      expect(diff.casualties).toEqual([
        { party: 'Wagner', outcome: 'killed', before: { lowestClaimed: 50, highestClaimed: 50, contested: false }, after: { lowestClaimed: 1, highestClaimed: 50, contested: false } },
      ]);
    });

    it('read backwards, lists the same as removed', () => {
      const backwards = diffViews(monday, sunday);
      expect(backwards).toMatchObject({
        fromVersion: 7,
        toVersion: 3,
        claims: { added: [], removed: [WAGNER_CLAIM, BLOGS_CLAIM] },
        statements: { added: [], removed: [WAGNER_STATEMENT, AUTHORITIES_STATEMENT] },
        sources: { added: [], removed: [WAGNER, RUSSIAN_BLOGS, MALIAN_AUTHORITIES].sort() },
      });
      expect(backwards.claims.changed[0].stances).toEqual({ added: [], removed: diff.claims.changed[0].stances!.added });
    });
  });

  it('shows changed incident fields whole, an absent one as null', () => {
    const { description: _description, ...withoutDescription } = ambushOpened.data;
    const revised: IncidentEvent = {
      type: 'IncidentRevised',
      data: { incidentId: AMBUSH, description: 'A convoy was ambushed south of Tinzaouaten.', occurred: { from: '2024-07-27', to: '2024-07-28', precision: 'day' }, reason: 'Fighting ran into Sunday' },
    };
    const [before, after] = viewsAt([{ type: 'IncidentOpened', data: withoutDescription }, revised], 0, 1);
    expect(diffViews(before, after).fields).toStrictEqual([
      { path: 'description', before: null, after: 'A convoy was ambushed south of Tinzaouaten.' },
      { path: 'occurred', before: { from: '2024-07-27', precision: 'day' }, after: { from: '2024-07-27', to: '2024-07-28', precision: 'day' } },
    ]);
  });

  it("shows a claim's new figures and grade with their former values", () => {
    const amended: IncidentEvent = {
      type: 'ClaimAmended',
      data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, figures: [malianSoldiersKilled, { ...wagnerKilledByJnim, value: 80 }], statedAt: MONDAY, reason: 'Second communique' },
    };
    const graded: IncidentEvent = { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, grade: 'contested', rationale: 'Far above other tolls' } };
    const [before, after] = viewsAt([...ambushHistory, amended, graded], 7, 9);
    expect(diffViews(before, after).claims.changed).toStrictEqual([
      {
        claimId: JNIM_CLAIM,
        status: { before: 'active', after: 'amended' },
        figures: { before: [malianSoldiersKilled, wagnerKilledByJnim], after: [malianSoldiersKilled, { ...wagnerKilledByJnim, value: 80 }] },
        grade: { before: null, after: { grade: 'contested', rationale: 'Far above other tolls', assessedAt: recordedAtOf(9) } },
      },
    ]);
  });

  it('lists casualty entries in the summary order, the new before the old', () => {
    const [blogsOnly, withJnim] = viewsAt([ambushOpened, blogsClaimReported, jnimStatementRecorded, jnimClaimReported], 1, 3);
    expect(diffViews(blogsOnly, withJnim).casualties.map(({ party, outcome }) => `${party} ${outcome}`)).toEqual(['Malian soldiers killed', 'Wagner killed']);
  });

  it('names a party as the later view spells it', () => {
    const lowerCase: IncidentEvent = { ...blogsClaimReported, data: { ...blogsClaimReported.data, figures: [{ ...blogsClaimReported.data.figures[0], party: 'wagner' }] } };
    const corrected: IncidentEvent = {
      type: 'ClaimCorrected',
      data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, figures: [{ ...blogsClaimReported.data.figures[0], value: 25, originalText: 'At least 25 Wagner deaths' }], reason: 'Misread the post' },
    };
    const [before, after] = viewsAt([ambushOpened, lowerCase, corrected], 1, 2);
    expect(diffViews(before, after).casualties).toEqual([
      { party: 'Wagner', outcome: 'killed', before: { lowestClaimed: 20, highestClaimed: 20, contested: false }, after: { lowestClaimed: 25, highestClaimed: 25, contested: false } },
    ]);
  });

  it('lists a new link', () => {
    const [opened, linked] = viewsAt(ambushHistory, 0, 1);
    expect(diffViews(opened, linked).links).toEqual({ added: linked.links, removed: [] });
  });

  it('refuses to compare two incidents', () => {
    const [view] = viewsAt(ambushHistory, 0);
    expect(() => diffViews(view, { ...view, id: '0190f17c-b400-7000-8000-000000000201' })).toThrow('Cannot diff incident');
  });
});
