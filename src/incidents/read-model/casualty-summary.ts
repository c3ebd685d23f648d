import { FIGURE_OUTCOMES, type Figure, type FigureOutcome, type FigureQualifier } from '../domain/incident.events.js';
import type { ClaimStatus } from '../domain/incident.state.js';

// The casualty summary of PRODUCT.md §4: for each (party, outcome), the range of numbers
// active claims state and whether two claimants' figures cannot both be true.

export interface CasualtyFigure {
  claimId: string;
  claimantId: string;
  qualifier: FigureQualifier;
  /** Absent exactly when the qualifier is `unspecified`. */
  value?: number;
  originalText: string;
  /**
   * Other claims by the same claimant giving the same figure (qualifier and value), shown
   * once: a claim logged on two incidents that were then merged, or repeated in a second
   * statement. Absent when there are none.
   */
  alsoClaimIds?: string[];
}

export interface CasualtyEntry {
  /** The first spelling seen among the incident's claims. */
  party: string;
  outcome: FigureOutcome;
  /** Null when no active claim gives a number. */
  lowestClaimed: number | null;
  highestClaimed: number | null;
  contested: boolean;
  /** In claim order, then in each claim's figure order. */
  figures: CasualtyFigure[];
}

/** What the summary needs of a claim. */
export interface SummarizedClaim {
  claimId: string;
  claimantId: string;
  status: ClaimStatus;
  figures: Figure[];
}

/**
 * "About 40" is read as 30–50: a quarter either side, rounded outward to whole people,
 * wide enough that newsroom rounding ("about 40" for 36) does not count as a contradiction.
 */
export const APPROXIMATELY_TOLERANCE = 0.25;

/**
 * One entry per (party, outcome) with a figure in an active claim (amended claims are
 * active; retracted ones drop out), sorted by party, then killed, injured, captured, missing.
 */
export function casualtySummary(claims: readonly SummarizedClaim[]): CasualtyEntry[] {
  const spellings = firstSpellings(claims);
  const groups = new Map<string, { party: string; outcome: FigureOutcome; figures: CasualtyFigure[] }>();
  for (const claim of claims.filter((c) => c.status !== 'retracted')) {
    for (const { party, outcome, qualifier, value, originalText } of claim.figures) {
      const key = casualtyKey(party, outcome);
      const group = groups.get(key) ?? { party: spellings.get(partyKey(party))!, outcome, figures: [] };
      groups.set(key, group);
      const same = group.figures.findIndex((figure) => figure.claimantId === claim.claimantId && figure.qualifier === qualifier && figure.value === value);
      if (same === -1) {
        group.figures.push({ claimId: claim.claimId, claimantId: claim.claimantId, qualifier, ...(value !== undefined && { value }), originalText });
      } else if (group.figures[same].claimId !== claim.claimId) {
        const figure = group.figures[same];
        group.figures[same] = { ...figure, alsoClaimIds: [...(figure.alsoClaimIds ?? []), claim.claimId] };
      }
    }
  }
  return [...groups.values()].map(summarize).sort(compareCasualties);
}

/** Party names match whatever their case and spacing: "Wagner" and " wagner" are one party. */
export function casualtyKey(party: string, outcome: FigureOutcome): string {
  return `${partyKey(party)}\n${outcome}`;
}

/** The summary's order, by code units rather than locale so it is the same on every machine. */
export function compareCasualties(a: { party: string; outcome: FigureOutcome }, b: { party: string; outcome: FigureOutcome }): number {
  const [partyA, partyB] = [partyKey(a.party), partyKey(b.party)];
  if (partyA !== partyB) return partyA < partyB ? -1 : 1;
  return FIGURE_OUTCOMES.indexOf(a.outcome) - FIGURE_OUTCOMES.indexOf(b.outcome);
}

function summarize({ party, outcome, figures }: { party: string; outcome: FigureOutcome; figures: CasualtyFigure[] }): CasualtyEntry {
  const values = figures.flatMap((figure) => (figure.value === undefined ? [] : [figure.value]));
  return {
    party,
    outcome,
    lowestClaimed: values.length ? Math.min(...values) : null,
    highestClaimed: values.length ? Math.max(...values) : null,
    contested: isContested(figures),
    figures,
  };
}

// A claimant's own figures never contest each other: only a pair from two claimants
// whose ranges do not overlap does.
function isContested(figures: CasualtyFigure[]): boolean {
  return figures.some((a, i) =>
    figures.slice(i + 1).some((b) => a.claimantId !== b.claimantId && !overlap(rangeOf(a), rangeOf(b))),
  );
}

interface Range {
  low: number;
  high: number;
}

function rangeOf({ qualifier, value = 0 }: CasualtyFigure): Range {
  switch (qualifier) {
    case 'exact':
      return { low: value, high: value };
    case 'at_least':
      return { low: value, high: Infinity };
    case 'at_most':
      return { low: 0, high: value };
    case 'approximately':
      return { low: Math.floor(value * (1 - APPROXIMATELY_TOLERANCE)), high: Math.ceil(value * (1 + APPROXIMATELY_TOLERANCE)) };
    case 'unspecified':
      return { low: 0, high: Infinity };
    default: {
      const unhandled: never = qualifier;
      throw new Error(`Unhandled figure qualifier ${String(unhandled)}`);
    }
  }
}

function overlap(a: Range, b: Range): boolean {
  return a.low <= b.high && b.low <= a.high;
}

// Looked up over every claim, retracted ones included, so that a retraction never
// renames a party in the summary.
function firstSpellings(claims: readonly SummarizedClaim[]): Map<string, string> {
  const spellings = new Map<string, string>();
  for (const { party } of claims.flatMap((claim) => claim.figures)) {
    if (!spellings.has(partyKey(party))) spellings.set(partyKey(party), tidy(party));
  }
  return spellings;
}

// Every summary of every event asks for these keys, over and over for the same few parties.
const partyKeys = new Map<string, string>();
const PARTY_KEYS_KEPT = 10_000;

function partyKey(party: string): string {
  let key = partyKeys.get(party);
  if (key === undefined) {
    key = tidy(party).toLowerCase();
    if (partyKeys.size >= PARTY_KEYS_KEPT) partyKeys.clear();
    partyKeys.set(party, key);
  }
  return key;
}

function tidy(party: string): string {
  return party.trim().replace(/\s+/g, ' ');
}
