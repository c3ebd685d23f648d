// The narrative timeline, told with the convoy ambush of July 2024: given the stored
// stream, when each event is folded in turn, then its headline and changes read so.
import type { IncidentEvent } from '../domain/incident.events.js';
import { changesBetween, headline, timelineEntry, type TimelineEntry } from './headline.js';
import { emptyView, evolveView, foldView } from './incident-view.js';
import {
  AMBUSH,
  ambushHistory,
  BATTLE,
  ambushOpened,
  BLOGS_CLAIM,
  blogsClaimReported,
  CSP_PSD,
  JNIM_CLAIM,
  jnimClaimReported,
  jnimClaimRetracted,
  malianSoldiersKilled,
  MONDAY,
  names,
  recordedAtOf,
  RECORDED_BY,
  stored,
  wagnerKilledByJnim,
  WAGNER_CLAIM,
} from './tinzaouaten.fixture.js';

// JNIM's claim as another incident recorded it, carried in by a merge or split.
const jnimCarried = { ...jnimClaimReported, revision: 3, recordedAt: recordedAtOf(3), recordedBy: RECORDED_BY };

function timelineOf(history: IncidentEvent[]): TimelineEntry[] {
  let view = emptyView();
  return stored(history).map((event) => {
    const after = evolveView(view, event);
    const entry = timelineEntry(event, view, after, names);
    view = after;
    return entry;
  });
}

/** The headline and changes of the last event of `history`. */
function lastEntryOf(history: IncidentEvent[]): TimelineEntry {
  return timelineOf(history).at(-1)!;
}

const withAmbush = (...events: IncidentEvent[]) => lastEntryOf([...ambushHistory, ...events]);

describe('headline', () => {
  it('tells the ambush as the article does, one sentence per event', () => {
    expect(timelineOf(ambushHistory).map((entry) => entry.headline)).toEqual([
      "The desk opened the incident 'Convoy ambush south of Tinzaouaten'",
      "The desk linked this incident: it follows 'Battle at Tinzaouaten'",
      'JNIM, via SITE Intelligence Group, issued a communique: “ensnared a convoy of the Malian army and Wagner mercenaries in a complex ambush”',
      'JNIM, via SITE Intelligence Group, claimed 10 Malian soldiers and 50 Wagner killed',
      'Wagner Group issued a communique: “its forces sustained severe losses—including the death of their commander Sergei Shevchenko—during their combat with…”',
      'Wagner Group claimed at least 1 Wagner killed',
      'Russian military blogs claimed at least 20 Wagner killed',
      "Malian authorities disputed JNIM's claim",
    ]);
  });

  it('names the other incident by its id when its title is unknown', () => {
    const other = '0190f17c-b400-7000-8000-000000000299';
    expect(lastEntryOf([ambushOpened, { type: 'IncidentsLinked', data: { incidentId: AMBUSH, otherIncidentId: other, relation: 'part_of' } }]).headline).toBe(
      `The desk linked this incident: it is part of incident ${other}`,
    );
  });

  it('tells links, merges and splits from each incident’s side', () => {
    const reason = 'One incident, logged twice';
    const told = (event: IncidentEvent, before: IncidentEvent[] = ambushHistory) => lastEntryOf([...before, event]).headline;
    expect(told({ type: 'IncidentLinkedFrom', data: { incidentId: AMBUSH, otherIncidentId: BATTLE, relation: 'part_of' } })).toBe(
      "The desk linked another incident to this one: it has as a part 'Battle at Tinzaouaten'",
    );
    expect(told({ type: 'IncidentMerged', data: { incidentId: AMBUSH, into: BATTLE, reason } })).toBe(`The desk merged this incident into 'Battle at Tinzaouaten' (${reason})`);
    expect(told({ type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: BATTLE, reason, events: [jnimCarried] } }, [ambushOpened])).toBe(
      `The desk merged 'Battle at Tinzaouaten' into this incident, with 1 claim (${reason})`,
    );
    expect(told({ type: 'IncidentSplit', data: { incidentId: AMBUSH, newIncidentId: BATTLE, claimIds: [JNIM_CLAIM, BLOGS_CLAIM], statementIds: [], reason } })).toBe(
      `The desk split 2 claims off into 'Battle at Tinzaouaten' (${reason})`,
    );
    expect(told({ type: 'IncidentSplitFrom', data: { incidentId: AMBUSH, fromIncidentId: BATTLE, reason, events: [jnimCarried] } }, [ambushOpened])).toBe(
      `The desk split 1 claim off from 'Battle at Tinzaouaten' into this incident (${reason})`,
    );
  });

  it('says where a merge or split brought claims from, or took them', () => {
    const merged: IncidentEvent = { type: 'IncidentAbsorbed', data: { incidentId: AMBUSH, absorbedIncidentId: BATTLE, reason: 'same', events: [jnimCarried] } };
    expect(lastEntryOf([ambushOpened, merged]).changes).toContain("JNIM's claim: merged from 'Battle at Tinzaouaten'");
    const split: IncidentEvent = { type: 'IncidentSplit', data: { incidentId: AMBUSH, newIncidentId: BATTLE, claimIds: [BLOGS_CLAIM], statementIds: [], reason: 'two incidents' } };
    expect(withAmbush(split).changes).toContain("Russian military blogs' claim: split off into 'Battle at Tinzaouaten'");
  });

  it('names the fields the desk revised, and why', () => {
    const revised: IncidentEvent = { type: 'IncidentRevised', data: { incidentId: AMBUSH, title: 'JNIM ambush of a convoy', occurred: { from: '2024-07-26', precision: 'day' }, reason: 'JNIM dates it Friday' } };
    expect(lastEntryOf([ambushOpened, revised]).headline).toBe("The desk revised the incident's title and date (JNIM dates it Friday)");
  });

  it('says "numerous" for figures without a number, and shares counts between outcomes', () => {
    const numerous = (party: string, outcome: 'killed' | 'injured') => ({ party, outcome, qualifier: 'unspecified' as const, originalText: 'killed and injured numerous Wagner mercenaries and Malian soldiers' });
    const cspClaim: IncidentEvent = {
      type: 'ClaimReported',
      data: {
        incidentId: AMBUSH,
        claimId: '0190f17c-b400-7000-8000-000000000402',
        claimantId: CSP_PSD,
        via: [],
        summary: 'The CSP-PSD claimed to have killed and injured numerous Wagner mercenaries and Malian soldiers.',
        kind: 'casualties',
        figures: [numerous('Wagner', 'killed'), numerous('Malian soldiers', 'killed'), numerous('Wagner', 'injured'), numerous('Malian soldiers', 'injured')],
        statedAt: '2024-07-27T00:00:00.000Z',
      },
    };
    expect(lastEntryOf([ambushOpened, cspClaim]).headline).toBe('CSP-PSD claimed numerous Wagner and numerous Malian soldiers killed and injured');
  });

  it('keeps outcomes with different counts apart with a comma', () => {
    const captured = { party: 'Wagner', outcome: 'captured' as const, qualifier: 'approximately' as const, value: 3, originalText: 'about three captured' };
    const claim: IncidentEvent = { ...blogsClaimReported, data: { ...blogsClaimReported.data, figures: [...blogsClaimReported.data.figures, captured] } };
    expect(lastEntryOf([ambushOpened, claim]).headline).toBe('Russian military blogs claimed at least 20 Wagner killed, and about 3 Wagner captured');
  });

  it('quotes the summary of a claim without figures', () => {
    const securitySources = '0190f17c-b400-7000-8000-000000000108';
    const claim: IncidentEvent = {
      type: 'ClaimReported',
      data: {
        incidentId: AMBUSH,
        claimId: '0190f17c-b400-7000-8000-000000000406',
        claimantId: securitySources,
        via: [],
        summary: 'JNIM and separatists attacked the convoy together.',
        kind: 'responsibility',
        figures: [],
        statedAt: MONDAY,
      },
    };
    const named = { ...names, source: (id: string) => (id === securitySources ? 'Two security sources' : names.source(id)) };
    const [before, event] = [foldView(stored([ambushOpened]))!, stored([ambushOpened, claim])[1]];
    expect(headline(event, before, named)).toBe('Two security sources made a claim about responsibility: “JNIM and separatists attacked the convoy together”');
  });

  it('tells a retraction by the claimant', () => {
    expect(withAmbush(jnimClaimRetracted).headline).toBe('JNIM retracted its claim that 10 Malian soldiers and 50 Wagner were killed');
  });

  it('tells a retraction by the conduit, naming it', () => {
    const bySite: IncidentEvent = { ...jnimClaimRetracted, data: { ...jnimClaimRetracted.data, retractedBy: 'conduit' } };
    expect(withAmbush(bySite).headline).toBe("SITE Intelligence Group retracted JNIM's claim that 10 Malian soldiers and 50 Wagner were killed");
  });

  it('speaks of one death in the singular', () => {
    const retracted: IncidentEvent = { type: 'ClaimRetracted', data: { incidentId: AMBUSH, claimId: WAGNER_CLAIM, reason: 'Statement deleted', statedAt: MONDAY, retractedBy: 'claimant' } };
    expect(withAmbush(retracted).headline).toBe('Wagner Group retracted its claim that at least 1 Wagner was killed');
  });

  it('tells an amendment by its new figures', () => {
    const amended: IncidentEvent = {
      type: 'ClaimAmended',
      data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, figures: [malianSoldiersKilled, { ...wagnerKilledByJnim, value: 80 }], statedAt: MONDAY, reason: 'Second communique' },
    };
    expect(withAmbush(amended).headline).toBe('JNIM amended its claim to 10 Malian soldiers and 80 Wagner killed');
  });

  it("tells the desk's correction with its reason", () => {
    const corrected: IncidentEvent = { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, via: [], reason: 'SITE relayed it; logged twice' } };
    expect(withAmbush(corrected).headline).toBe("The desk corrected its record of JNIM's claim (SITE relayed it; logged twice)");
  });

  it("tells the desk's grade", () => {
    const graded: IncidentEvent = { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, grade: 'contested', rationale: 'Far above other tolls' } };
    expect(withAmbush(graded).headline).toBe("The desk graded JNIM's claim as contested");
  });

  it("puts the apostrophe after a name ending in s, and lists several stances", () => {
    const wagnerDisputes: IncidentEvent = {
      type: 'SourceStatementRecorded',
      data: {
        incidentId: AMBUSH,
        statementId: '0190f17c-b400-7000-8000-000000000399',
        sourceId: '0190f17c-b400-7000-8000-000000000104',
        via: [],
        medium: 'social_post',
        quote: 'Our losses are below what the blogs say',
        language: 'en',
        statedAt: MONDAY,
        stances: [
          { claimId: BLOGS_CLAIM, stance: 'disputes' },
          { claimId: JNIM_CLAIM, stance: 'denies' },
        ],
      },
    };
    expect(withAmbush(wagnerDisputes).headline).toBe("Wagner Group disputed Russian military blogs' claim and denied JNIM's claim");
  });
});

describe('changesBetween', () => {
  it('names nothing for the opening, which its headline tells', () => {
    expect(lastEntryOf([ambushOpened]).changes).toEqual([]);
  });

  it("narrows Wagner killed when JNIM retracts: 1–50 → 1–20", () => {
    expect(withAmbush(jnimClaimRetracted).changes).toEqual(["JNIM's claim: active → retracted", 'Malian soldiers killed: 10 → none', 'Wagner killed: 1–50 → 1–20']);
  });

  it('says when a casualty count becomes contested', () => {
    const raised: IncidentEvent = {
      type: 'ClaimAmended',
      data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, figures: [{ ...blogsClaimReported.data.figures[0], value: 60, originalText: 'At least 60 Wagner deaths' }], statedAt: MONDAY, reason: 'New posts' },
    };
    expect(withAmbush(raised).changes).toEqual([
      "Russian military blogs' claim: active → amended",
      "Russian military blogs' claim: figures at least 20 Wagner killed → at least 60 Wagner killed",
      'Wagner killed: 1–50 → 1–60',
      'Wagner killed: now contested',
    ]);
  });

  it('shows a new claim and the casualty entries it opens', () => {
    expect(timelineOf(ambushHistory)[3].changes).toEqual(["JNIM's claim: added", 'Malian soldiers killed: none → 10', 'Wagner killed: none → 50']);
  });

  it('shows a stance, its statement and a newly involved source', () => {
    expect(timelineOf(ambushHistory)[7].changes).toEqual(["JNIM's claim: disputed by Malian authorities", "Malian authorities' statement: added", 'sources: + Malian authorities']);
  });

  it('calls a casualty entry without numbers unquantified', () => {
    const numerous: IncidentEvent = {
      ...blogsClaimReported,
      data: { ...blogsClaimReported.data, figures: [{ party: 'Wagner', outcome: 'injured', qualifier: 'unspecified', originalText: 'many wounded' }] },
    };
    expect(lastEntryOf([ambushOpened, numerous]).changes).toEqual(["Russian military blogs' claim: added", 'Wagner injured: none → unquantified', 'sources: + Russian military blogs']);
  });

  it('shows revised incident fields before and after', () => {
    const revised: IncidentEvent = { type: 'IncidentRevised', data: { incidentId: AMBUSH, title: 'JNIM ambush of a convoy', tags: ['Wagner', 'JNIM'], reason: 'Shorter' } };
    expect(lastEntryOf([ambushOpened, revised]).changes).toEqual(['title: "Convoy ambush south of Tinzaouaten" → "JNIM ambush of a convoy"', 'tags: Wagner, JNIM, ambush, Sahel → Wagner, JNIM']);
  });

  it("shows the desk's grade, and a new rationale for the same grade as revised", () => {
    const grade = (rationale: string): IncidentEvent => ({ type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, grade: 'contested', rationale } });
    expect(withAmbush(grade('Far above other tolls')).changes).toEqual(["JNIM's claim: grade none → contested"]);
    expect(withAmbush(grade('Far above other tolls'), grade('Wagner admits only severe losses')).changes).toEqual(["JNIM's claim: grade revised"]);
  });

  it('shows a corrected claimant under the name the record had', () => {
    const corrected: IncidentEvent = { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, claimantId: CSP_PSD, reason: 'Wrong source' } };
    expect(withAmbush(corrected).changes).toEqual(["Russian military blogs' claim: claimant Russian military blogs → CSP-PSD", 'sources: + CSP-PSD', 'sources: − Russian military blogs']);
  });

  it('describes two views of any distance apart, not only one event', () => {
    const events = stored([...ambushHistory, jnimClaimRetracted]);
    const [atSunday, now] = [foldView(events.slice(0, 4))!, foldView(events)!];
    expect(changesBetween(atSunday, now, names)).toEqual([
      "Wagner Group's claim: added",
      "Russian military blogs' claim: added",
      "JNIM's claim: active → retracted",
      "JNIM's claim: disputed by Malian authorities",
      "Wagner Group's statement: added",
      "Malian authorities' statement: added",
      'Malian soldiers killed: 10 → none',
      'Wagner killed: 50 → 1–20',
      'sources: + Wagner Group, Russian military blogs and Malian authorities',
    ]);
  });
});

describe('timelineEntry', () => {
  it('carries the version, times and recorder of its event', () => {
    const [linked, statement] = timelineOf(ambushHistory).slice(1, 3);
    expect(linked).toStrictEqual({
      version: 1,
      type: 'IncidentsLinked',
      recordedAt: recordedAtOf(1),
      recordedBy: RECORDED_BY,
      headline: "The desk linked this incident: it follows 'Battle at Tinzaouaten'",
      changes: ["linked: follows 'Battle at Tinzaouaten'"],
    });
    expect(statement).toMatchObject({ version: 2, type: 'SourceStatementRecorded', statedAt: '2024-07-28T00:00:00.000Z' });
  });
});
