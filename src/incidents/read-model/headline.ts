import { withoutUndefined } from '../../common/decider.js';
import { ERASED_WORDS } from '../../sources/erasure/identifying-fields.js';
import {
  INVERSE_RELATIONS,
  RELATION_PHRASES,
  type CarriedEvent,
  type ClaimAmendedData,
  type ClaimKind,
  type ClaimReportedData,
  type ClaimRetractedData,
  type Figure,
  type FigureOutcome,
  type IncidentEventType,
  type IncidentRevisedData,
  type Location,
  type Occurred,
  type SourceStatementRecordedData,
  type Stance,
  type StatementMedium,
} from '../domain/incident.events.js';
import {
  COMPARED_CLAIM_FIELDS,
  diffViews,
  INCIDENT_FIELDS,
  type CasualtyDiff,
  type CasualtyRange,
  type ClaimDiff,
  type ComparedClaimField,
  type FieldChange,
  type IncidentField,
} from './view-diff.js';
import type { ClaimView, IncidentLink, IncidentView } from './incident-view.js';
import { possessive, withWordsOf } from './source-references.js';
import { statedAtOf, type StoredIncidentEvent } from './stored-incident-event.js';

// The narrative timeline of PRODUCT.md §4: per event, one plain English sentence and the
// changes it made to the incident view, in short human terms.

/** How the caller names what the events refer to by id. */
export interface Names {
  /** A source's display name; the caller decides how to name an unknown or confidential one. */
  source(sourceId: string): string;
  /** Words of a source, through conduits (an excerpt, in quotation marks): the caller decides whether they may be shown. */
  words(sourceIds: readonly string[], words: string): string;
  /** Another incident's title; undefined when unknown, and the id is shown instead. */
  incident(incidentId: string): string | undefined;
}

export interface TimelineEntry {
  version: number;
  type: IncidentEventType;
  recordedAt: string;
  statedAt?: string;
  recordedBy: string;
  headline: string;
  changes: string[];
}

/** A page of GET /incidents/{id}/timeline. */
export interface TimelinePage {
  incidentId: string;
  /** The incident's version as the timeline knows it. */
  version: number;
  /** Oldest first. */
  entries: TimelineEntry[];
  /** Where the next page starts; null on the last page. */
  nextFromVersion: number | null;
}

/** The timeline entry of `event`, which turned the view `before` into `after`. */
export function timelineEntry(event: StoredIncidentEvent, before: IncidentView | null, after: IncidentView, names: Names): TimelineEntry {
  const { revision, type, recordedAt, recordedBy } = event;
  return withoutUndefined({
    version: revision,
    type,
    recordedAt,
    statedAt: statedAtOf(event),
    recordedBy,
    headline: headline(event, before, names),
    changes: changesBetween(before, after, names, movedBy(event, names)),
  });
}

/** One sentence, without a final full stop, saying who did what; `before` is the view the event found. */
export function headline(event: StoredIncidentEvent, before: IncidentView | null, names: Names): string {
  switch (event.type) {
    case 'IncidentOpened':
      return `The desk opened the incident '${event.data.title}'`;
    case 'IncidentRevised':
      return `The desk revised the incident's ${listed(revisedFields(event.data))} (${event.data.reason})`;
    case 'IncidentsLinked':
      return `The desk linked this incident: it ${linkText({ incidentId: event.data.otherIncidentId, relation: event.data.relation }, names)}`;
    case 'IncidentLinkedFrom':
      return `The desk linked another incident to this one: it ${linkText({ incidentId: event.data.otherIncidentId, relation: INVERSE_RELATIONS[event.data.relation] }, names)}`;
    case 'IncidentMerged':
      return `The desk merged this incident into ${incidentName(event.data.into, names)} (${event.data.reason})`;
    case 'IncidentAbsorbed':
      return `The desk merged ${incidentName(event.data.absorbedIncidentId, names)} into this incident, with ${carriedCount(event.data.events)} (${event.data.reason})`;
    case 'IncidentSplit':
      return `The desk split ${movedCount(event.data.claimIds.length, event.data.statementIds.length)} off into ${incidentName(event.data.newIncidentId, names)} (${event.data.reason})`;
    case 'IncidentSplitFrom':
      return `The desk split ${carriedCount(event.data.events)} off from ${incidentName(event.data.fromIncidentId, names)} into this incident (${event.data.reason})`;
    case 'SourceStatementRecorded':
      return statementHeadline(event.data, before, names);
    case 'ClaimReported':
      return reportHeadline(event.data, names);
    case 'ClaimAmended':
      return amendmentHeadline(event.data, claimIn(before, event.data.claimId), names);
    case 'ClaimRetracted':
      return retractionHeadline(event.data, claimIn(before, event.data.claimId), names);
    case 'ClaimCorrected':
      return `The desk corrected its record of ${claimLabel(claimIn(before, event.data.claimId), names)} (${event.data.reason})`;
    case 'ClaimAssessed':
      return `The desk graded ${claimLabel(claimIn(before, event.data.claimId), names)} as ${event.data.grade}`;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** How claims and statements an event added or removed got there, or went: `added`, `merged from 'Kidal convoy attack'`. */
interface Moved {
  added: string;
  removed: string;
}

const ADDED_OR_REMOVED: Moved = { added: 'added', removed: 'removed' };

function movedBy(event: StoredIncidentEvent, names: Names): Moved {
  switch (event.type) {
    case 'IncidentAbsorbed':
      return { ...ADDED_OR_REMOVED, added: `merged from ${incidentName(event.data.absorbedIncidentId, names)}` };
    case 'IncidentSplitFrom':
      return { ...ADDED_OR_REMOVED, added: `split off from ${incidentName(event.data.fromIncidentId, names)}` };
    case 'IncidentSplit':
      return { ...ADDED_OR_REMOVED, removed: `split off into ${incidentName(event.data.newIncidentId, names)}` };
    default:
      return ADDED_OR_REMOVED;
  }
}

/**
 * What turned `before` into `after`, one short line per change: incident fields, links,
 * claims, statements, casualty ranges, sources involved. An opening (no `before`) is
 * told by its headline alone. `moved` says how claims and statements came or went.
 */
export function changesBetween(before: IncidentView | null, after: IncidentView, names: Names, moved = ADDED_OR_REMOVED): string[] {
  if (before === null) return [];
  const diff = diffViews(before, after);
  const claimFrom = (claimId: string) => (before.claims.find((claim) => claim.claimId === claimId) ?? claimIn(after, claimId));
  const statementSource = (statementId: string) =>
    [...after.statements, ...before.statements].find((statement) => statement.statementId === statementId)!.sourceId;
  return [
    ...diff.fields.map(fieldLine),
    ...diff.links.added.map((link) => `linked: ${linkText(link, names)}`),
    ...diff.links.removed.map((link) => `unlinked: ${linkText(link, names)}`),
    ...diff.claims.added.map((claimId) => `${claimLabel(claimFrom(claimId), names)}: ${moved.added}`),
    ...diff.claims.changed.flatMap((claimDiff) => claimLines(claimDiff, claimLabel(claimFrom(claimDiff.claimId), names), names)),
    ...diff.claims.removed.map((claimId) => `${claimLabel(claimFrom(claimId), names)}: ${moved.removed}`),
    ...diff.statements.added.map((statementId) => `${possessive(names.source(statementSource(statementId)))} statement: ${moved.added}`),
    ...diff.statements.removed.map((statementId) => `${possessive(names.source(statementSource(statementId)))} statement: ${moved.removed}`),
    ...diff.casualties.flatMap(casualtyLines),
    ...(diff.sources.added.length ? [`sources: + ${sourceList(diff.sources.added, names)}`] : []),
    ...(diff.sources.removed.length ? [`sources: − ${sourceList(diff.sources.removed, names)}`] : []),
  ];
}

const MEDIUM_PHRASES: Record<StatementMedium, string> = {
  communique: 'issued a communique',
  social_post: 'posted on social media',
  interview: 'gave an interview',
  press_release: 'issued a press release',
  article: 'published an article',
  report: 'published a report',
  other: 'made a statement',
};

const STANCE_VERBS: Record<Stance, string> = { supports: 'supported', disputes: 'disputed', denies: 'denied' };


const KIND_TOPICS: Record<ClaimKind, string> = {
  casualties: 'casualties',
  responsibility: 'responsibility',
  characterization: 'the nature of the incident',
  event: 'what happened',
  other: 'the incident',
};

const FIELD_WORDS: Record<IncidentField, string> = { title: 'title', description: 'description', location: 'location', occurred: 'date', tags: 'tags' };

// Quotes can run to 20,000 characters; a headline shows their opening words.
const QUOTE_EXCERPT_LENGTH = 120;

function statementHeadline(data: SourceStatementRecordedData, before: IncidentView | null, names: Names): string {
  const speaker = sourceVia(data.sourceId, data.via, names);
  if (data.stances.length === 0) return `${speaker} ${MEDIUM_PHRASES[data.medium]}: ${names.words([data.sourceId, ...data.via], quoted(data.quote))}`;
  // The write side only lets a statement take stances on claims of its incident; a
  // statedBefore view may still lack one, which is then named vaguely.
  const stances = data.stances.map(({ claimId, stance }) => {
    const claim = before?.claims.find((known) => known.claimId === claimId);
    return `${STANCE_VERBS[stance]} ${claim ? claimLabel(claim, names) : 'a claim'}`;
  });
  return `${speaker} ${listed(stances)}`;
}

function reportHeadline(data: ClaimReportedData, names: Names): string {
  const claimant = sourceVia(data.claimantId, data.via, names);
  if (data.figures.length) return `${claimant} claimed ${casualtyPhrase(data.figures, 'active')}`;
  return `${claimant} made a claim about ${KIND_TOPICS[data.kind]}: “${withoutFullStop(data.summary)}”`;
}

function amendmentHeadline(data: ClaimAmendedData, claim: ClaimView, names: Names): string {
  const claimant = names.source(claim.claimantId);
  if (data.figures?.length) return `${claimant} amended its claim to ${casualtyPhrase(data.figures, 'active')}`;
  return `${claimant} amended its claim: “${withoutFullStop(data.summary ?? claim.summary)}”`;
}

// A conduit (SITE, say) may withdraw what it relayed; the headline then names the conduit.
function retractionHeadline(data: ClaimRetractedData, claim: ClaimView, names: Names): string {
  const content = claim.figures.length ? `that ${casualtyPhrase(claim.figures, 'passive')}` : `“${withoutFullStop(claim.summary)}”`;
  if (data.retractedBy === 'claimant') return `${names.source(claim.claimantId)} retracted its claim ${content}`;
  const conduit = claim.via.length ? sourceList(claim.via, names) : 'A conduit';
  return `${conduit} retracted ${claimLabel(claim, names)} ${content}`;
}

/**
 * Figures in words, grouped by outcome: "10 Malian soldiers and 50 Wagner killed";
 * outcomes with the same counts share them: "numerous Wagner killed and injured".
 * The passive voice serves retractions: "50 Wagner were killed".
 */
function casualtyPhrase(figures: readonly Figure[], voice: 'active' | 'passive'): string {
  const byOutcome = new Map<FigureOutcome, Figure[]>();
  for (const figure of figures) byOutcome.set(figure.outcome, [...(byOutcome.get(figure.outcome) ?? []), figure]);
  const outcomesByCounts = new Map<string, { counted: Figure[]; outcomes: FigureOutcome[] }>();
  for (const [outcome, counted] of byOutcome) {
    const counts = listed(counted.map((figure) => `${countOf(figure)} ${figure.party}`));
    const group = outcomesByCounts.get(counts) ?? { counted, outcomes: [] };
    outcomesByCounts.set(counts, { ...group, outcomes: [...group.outcomes, outcome] });
  }
  const clauses = [...outcomesByCounts].map(([counts, { counted, outcomes }]) => {
    const verb = voice === 'active' ? '' : isOne(counted) ? 'was ' : 'were ';
    return `${counts} ${verb}${listed(outcomes)}`;
  });
  // Clauses already contain "and": a comma before the last one keeps them apart.
  return clauses.length > 1 ? `${clauses.slice(0, -1).join(', ')}, and ${clauses.at(-1)}` : clauses[0];
}

function countOf({ qualifier, value }: Figure): string {
  switch (qualifier) {
    case 'exact':
      return `${value}`;
    case 'at_least':
      return `at least ${value}`;
    case 'at_most':
      return `at most ${value}`;
    case 'approximately':
      return `about ${value}`;
    case 'unspecified':
      return 'numerous';
    default: {
      const unhandled: never = qualifier;
      throw new Error(`Unhandled figure qualifier ${String(unhandled)}`);
    }
  }
}

function isOne(figures: readonly Figure[]): boolean {
  return figures.length === 1 && figures[0].value === 1;
}

function fieldLine(change: FieldChange): string {
  // The record's key and the value's type vary together, which TypeScript cannot follow.
  const toText = FIELD_TEXT[change.path] as (value: unknown) => string;
  const [before, after] = [change.before, change.after].map((value) => (value === null ? 'none' : toText(value)));
  return `${change.path}: ${transition(before, after)}`;
}

const FIELD_TEXT: { [F in IncidentField]: (value: NonNullable<IncidentView[F]>) => string } = {
  title: (title) => `"${title}"`,
  description: (description) => `"${description}"`,
  location: locationText,
  occurred: occurredText,
  tags: (tags) => (tags.length ? tags.join(', ') : 'none'),
};

function locationText({ place, region, country, lat, lon, precision }: Location): string {
  const where = [place, region, country].filter((part) => part !== undefined).join(', ');
  const coordinates = lat !== undefined && lon !== undefined ? ` ${lat}, ${lon}` : '';
  return `${where} (${precision}${coordinates})`;
}

function occurredText({ from, to, precision }: Occurred): string {
  return `${to === undefined ? from : `${from} to ${to}`} (${precision})`;
}

// The status has no word: "JNIM's claim: active → retracted" reads best bare.
const CLAIM_FIELD_WORDS: Record<Exclude<ComparedClaimField, 'status'>, string> = {
  figures: 'figures',
  grade: 'grade',
  summary: 'summary',
  kind: 'kind',
  claimantId: 'claimant',
  via: 'via',
  statementId: 'statement',
  statedAt: 'stated',
};

const CLAIM_FIELD_TEXT: { [F in ComparedClaimField]: (value: NonNullable<ClaimView[F]>, names: Names) => string } = {
  status: (status) => status,
  figures: (figures) => (figures.length ? casualtyPhrase(figures, 'active') : 'none'),
  grade: ({ grade }) => grade,
  summary: (summary) => `"${summary}"`,
  kind: (kind) => kind,
  claimantId: (claimantId, names) => names.source(claimantId),
  via: (via, names) => (via.length ? sourceList(via, names) : 'none'),
  // A statement has no name of its own.
  statementId: (statementId) => statementId,
  statedAt: (statedAt) => statedAt,
};

function claimLines(diff: ClaimDiff, label: string, names: Names): string[] {
  const fieldLines = COMPARED_CLAIM_FIELDS.flatMap((field) => {
    const change = diff[field];
    if (change === undefined) return [];
    // As in fieldLine, the field and its value's type vary together.
    const toText = CLAIM_FIELD_TEXT[field] as (value: unknown, names: Names) => string;
    const [before, after] = [change.before, change.after].map((value) => (value === null ? 'none' : toText(value, names)));
    return [`${label}: ${field === 'status' ? '' : `${CLAIM_FIELD_WORDS[field]} `}${transition(before, after)}`];
  });
  const { added = [], removed = [] } = diff.stances ?? {};
  return [
    ...fieldLines,
    ...added.map(({ stance, sourceId }) => `${label}: ${STANCE_VERBS[stance]} by ${names.source(sourceId)}`),
    ...removed.map(({ stance, sourceId }) => `${label}: no longer ${STANCE_VERBS[stance]} by ${names.source(sourceId)}`),
  ];
}

function casualtyLines({ party, outcome, before, after }: CasualtyDiff): string[] {
  const label = `${party} ${outcome}`;
  const lines: string[] = [];
  if (rangeText(before) !== rangeText(after)) lines.push(`${label}: ${rangeText(before)} → ${rangeText(after)}`);
  if ((before?.contested ?? false) !== (after?.contested ?? false)) lines.push(`${label}: ${after?.contested ? 'now contested' : 'no longer contested'}`);
  return lines;
}

function rangeText(range: CasualtyRange | null): string {
  if (range === null) return 'none';
  const { lowestClaimed: lowest, highestClaimed: highest } = range;
  if (lowest === null || highest === null) return 'unquantified';
  return lowest === highest ? `${lowest}` : `${lowest}–${highest}`;
}

// A change whose two sides read the same (a new grade rationale, say) still changed.
function transition(before: string, after: string): string {
  return before === after ? 'revised' : `${before} → ${after}`;
}

function revisedFields(data: IncidentRevisedData): string[] {
  return INCIDENT_FIELDS.filter((field) => data[field] !== undefined).map((field) => FIELD_WORDS[field]);
}

function linkText({ incidentId, relation }: IncidentLink, names: Names): string {
  return `${RELATION_PHRASES[relation]} ${incidentName(incidentId, names)}`;
}

function incidentName(incidentId: string, names: Names): string {
  const title = names.incident(incidentId);
  return title === undefined ? `incident ${incidentId}` : `'${title}'`;
}

function carriedCount(events: readonly CarriedEvent[]): string {
  const count = (type: CarriedEvent['type']) => events.filter((event) => event.type === type).length;
  return movedCount(count('ClaimReported'), count('SourceStatementRecorded'));
}

/** "2 claims and 1 statement", "1 claim", "no claims". */
function movedCount(claims: number, statements: number): string {
  const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const parts = [...(claims > 0 ? [counted(claims, 'claim')] : []), ...(statements > 0 ? [counted(statements, 'statement')] : [])];
  return parts.length > 0 ? listed(parts) : 'no claims';
}

function sourceVia(sourceId: string, via: readonly string[], names: Names): string {
  return via.length ? `${names.source(sourceId)}, via ${sourceList(via, names)},` : names.source(sourceId);
}

function sourceList(sourceIds: readonly string[], names: Names): string {
  return listed(sourceIds.map((sourceId) => names.source(sourceId)));
}

function claimIn(view: IncidentView | null, claimId: string): ClaimView {
  const claim = view?.claims.find((known) => known.claimId === claimId);
  if (claim === undefined) throw new Error(`Claim ${claimId} is not in the view`);
  return claim;
}

function claimLabel(claim: ClaimView, names: Names): string {
  return `${possessive(names.source(claim.claimantId))} claim`;
}


/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

/**
 * An entry once `sourceId` is erased: the words it spoke or relayed read as the statement's
 * erased quote reads (identifying-fields.ts), as an entry told afresh from the ledger would read.
 */
export function entryWithSourceErased(entry: TimelineEntry, sourceId: string): TimelineEntry {
  const erased = (text: string) => withWordsOf(text, sourceId, quoted(ERASED_WORDS));
  return { ...entry, headline: erased(entry.headline), changes: entry.changes.map(erased) };
}

function quoted(quote: string): string {
  return `“${excerpt(quote)}”`;
}

function excerpt(quote: string): string {
  if (quote.length <= QUOTE_EXCERPT_LENGTH) return quote;
  const cut = quote.slice(0, QUOTE_EXCERPT_LENGTH);
  const lastSpace = cut.lastIndexOf(' ');
  return `${lastSpace > 0 ? cut.slice(0, lastSpace) : cut}…`;
}

function withoutFullStop(text: string): string {
  return text.trim().replace(/\.$/, '');
}
