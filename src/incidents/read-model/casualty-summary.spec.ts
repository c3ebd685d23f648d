// The casualty summary of PRODUCT.md §4, told with the Wagner tolls of July 2024.
import type { Figure, FigureQualifier } from '../domain/incident.events.js';
import type { ClaimStatus } from '../domain/incident.state.js';
import { casualtySummary, type SummarizedClaim } from './casualty-summary.js';
import { CSP_PSD, JNIM, RUSSIAN_BLOGS, WAGNER } from './tinzaouaten.fixture.js';

let claimCount = 0;
function claimBy(claimantId: string, figures: Figure[], status: ClaimStatus = 'active'): SummarizedClaim {
  claimCount += 1;
  return { claimId: `claim-${claimCount}`, claimantId, status, figures };
}

function wagnerKilled(qualifier: FigureQualifier, value?: number): Figure {
  return { party: 'Wagner', outcome: 'killed', qualifier, ...(value !== undefined && { value }), originalText: `${qualifier} ${value ?? ''}`.trim() };
}

const contestedBetween = (a: Figure, b: Figure) => casualtySummary([claimBy(JNIM, [a]), claimBy(RUSSIAN_BLOGS, [b])])[0].contested;

describe('casualtySummary', () => {
  describe('the worked example: JNIM "50 killed", the blogs "at least 20", Wagner "at least 1"', () => {
    const jnim = claimBy(JNIM, [wagnerKilled('exact', 50)]);
    const blogs = claimBy(RUSSIAN_BLOGS, [wagnerKilled('at_least', 20)]);
    const wagner = claimBy(WAGNER, [wagnerKilled('at_least', 1)]);

    it('reads Wagner killed 1–50, not contested, from three figures', () => {
      const [entry] = casualtySummary([jnim, blogs, wagner]);
      expect(entry).toEqual({
        party: 'Wagner',
        outcome: 'killed',
        lowestClaimed: 1,
        highestClaimed: 50,
        contested: false,
        figures: [
          { claimId: jnim.claimId, claimantId: JNIM, qualifier: 'exact', value: 50, originalText: 'exact 50' },
          { claimId: blogs.claimId, claimantId: RUSSIAN_BLOGS, qualifier: 'at_least', value: 20, originalText: 'at_least 20' },
          { claimId: wagner.claimId, claimantId: WAGNER, qualifier: 'at_least', value: 1, originalText: 'at_least 1' },
        ],
      });
    });

    it('reads 1–20 once JNIM has retracted, its figure dropped', () => {
      const [entry] = casualtySummary([{ ...jnim, status: 'retracted' }, blogs, wagner]);
      expect(entry).toMatchObject({ lowestClaimed: 1, highestClaimed: 20, contested: false });
      expect(entry.figures.map((figure) => figure.claimantId)).toEqual([RUSSIAN_BLOGS, WAGNER]);
    });

    it('keeps an amended claim in the summary', () => {
      const [entry] = casualtySummary([{ ...jnim, status: 'amended' }, blogs]);
      expect(entry).toMatchObject({ lowestClaimed: 20, highestClaimed: 50 });
    });
  });

  describe('contested', () => {
    it('when two claimants give exact figures that differ: JNIM 50, another 10', () => {
      expect(contestedBetween(wagnerKilled('exact', 50), wagnerKilled('exact', 10))).toBe(true);
    });

    it('when at most 5 meets at least 20', () => {
      expect(contestedBetween(wagnerKilled('at_most', 5), wagnerKilled('at_least', 20))).toBe(true);
    });

    it('not when the ranges touch: at most 20 and at least 20', () => {
      expect(contestedBetween(wagnerKilled('at_most', 20), wagnerKilled('at_least', 20))).toBe(false);
    });

    it('not by one claimant against itself, in two claims', () => {
      const [entry] = casualtySummary([claimBy(JNIM, [wagnerKilled('exact', 50)]), claimBy(JNIM, [wagnerKilled('exact', 10)])]);
      expect(entry.contested).toBe(false);
    });

    it('not by an unspecified figure, which constrains nothing', () => {
      expect(contestedBetween(wagnerKilled('exact', 0), wagnerKilled('unspecified'))).toBe(false);
    });

    it('not once the clashing claim is retracted', () => {
      const clashing = claimBy(CSP_PSD, [wagnerKilled('exact', 10)], 'retracted');
      const [entry] = casualtySummary([claimBy(JNIM, [wagnerKilled('exact', 50)]), clashing]);
      expect(entry.contested).toBe(false);
    });

    // "About 10" spans 7.5–12.5, rounded outward to 7–13.
    it.each([
      [7, false],
      [13, false],
      [6, true],
      [14, true],
    ])('reads "about 10" against exactly %i as contested: %s', (exact, contested) => {
      expect(contestedBetween(wagnerKilled('approximately', 10), wagnerKilled('exact', exact))).toBe(contested);
    });

    it('compares "about" figures by their tolerances: about 40 (30–50) and about 70 (52–88)', () => {
      expect(contestedBetween(wagnerKilled('approximately', 40), wagnerKilled('approximately', 70))).toBe(true);
      expect(contestedBetween(wagnerKilled('approximately', 40), wagnerKilled('approximately', 65))).toBe(false);
    });
  });

  describe('lowest and highest claimed', () => {
    it('come from every qualifier but unspecified, at most included', () => {
      const [entry] = casualtySummary([claimBy(CSP_PSD, [wagnerKilled('unspecified')]), claimBy(JNIM, [wagnerKilled('at_most', 5)]), claimBy(WAGNER, [wagnerKilled('approximately', 8)])]);
      expect(entry).toMatchObject({ lowestClaimed: 5, highestClaimed: 8 });
      expect(entry.figures).toHaveLength(3);
    });

    it('are null when every figure is unspecified, like the CSP-PSD\'s "numerous"', () => {
      const [entry] = casualtySummary([claimBy(CSP_PSD, [wagnerKilled('unspecified')])]);
      expect(entry).toMatchObject({ lowestClaimed: null, highestClaimed: null, contested: false });
      expect(entry.figures[0]).not.toHaveProperty('value');
    });
  });

  describe('entries', () => {
    it('group a party whatever its case and spacing, under the first spelling seen', () => {
      const entries = casualtySummary([
        claimBy(JNIM, [{ ...wagnerKilled('exact', 50), party: '  Wagner   mercenaries ' }]),
        claimBy(RUSSIAN_BLOGS, [{ ...wagnerKilled('at_least', 20), party: 'wagner\tMercenaries' }]),
      ]);
      expect(entries.map(({ party, figures }) => [party, figures.length])).toEqual([['Wagner mercenaries', 2]]);
    });

    it('keep the first spelling when the claim that gave it is retracted', () => {
      const entries = casualtySummary([
        claimBy(JNIM, [{ ...wagnerKilled('exact', 50), party: 'WAGNER' }], 'retracted'),
        claimBy(RUSSIAN_BLOGS, [wagnerKilled('at_least', 20)]),
      ]);
      expect(entries.map((entry) => entry.party)).toEqual(['WAGNER']);
    });

    it('leave out a party and outcome whose only claims are retracted', () => {
      expect(casualtySummary([claimBy(JNIM, [wagnerKilled('exact', 50)], 'retracted')])).toEqual([]);
    });

    it('are sorted by party, then killed, injured, captured, missing', () => {
      const figure = (party: string, outcome: Figure['outcome']): Figure => ({ party, outcome, qualifier: 'unspecified', originalText: 'numerous' });
      const entries = casualtySummary([
        claimBy(CSP_PSD, [figure('Wagner', 'missing'), figure('Wagner', 'injured'), figure('Malian soldiers', 'captured'), figure('Wagner', 'killed'), figure('Wagner', 'captured')]),
        claimBy(JNIM, [figure('Malian soldiers', 'killed')]),
      ]);
      expect(entries.map(({ party, outcome }) => `${party} ${outcome}`)).toEqual([
        'Malian soldiers killed',
        'Malian soldiers captured',
        'Wagner killed',
        'Wagner injured',
        'Wagner captured',
        'Wagner missing',
      ]);
    });
  });
});
