import { canonicalJson } from '../../common/canonical-json.js';
import type { FigureOutcome } from '../domain/incident.events.js';
import { casualtyKey, compareCasualties, type CasualtyEntry } from './casualty-summary.js';
import type { ClaimStanceView, ClaimView, IncidentLink, IncidentView, StatementView } from './incident-view.js';

// What changed between two views of one incident (GET /incidents/{id}/diff). Either view
// may be the later one: a diff from a later to an earlier version lists what that
// version did not yet have as removed. Values are compared deeply; an absent optional
// field reads as null, since the diff travels as JSON.
//
// Order, so that equal inputs give equal output: incident fields in INCIDENT_FIELDS
// order; sources sorted; added items in `to`'s order and removed ones in `from`'s;
// changed claims in `to`'s order; casualties in the casualty summary's order.

export const INCIDENT_FIELDS = ['title', 'description', 'location', 'occurred', 'tags'] as const;
export type IncidentField = (typeof INCIDENT_FIELDS)[number];

export const COMPARED_CLAIM_FIELDS = ['status', 'figures', 'grade', 'summary', 'kind', 'claimantId', 'via', 'statementId', 'statedAt'] as const;
export type ComparedClaimField = (typeof COMPARED_CLAIM_FIELDS)[number];

type OrNull<T> = Exclude<T, undefined> | null;

export interface Change<T> {
  before: T;
  after: T;
}

export interface AddedRemoved<T> {
  added: T[];
  removed: T[];
}

export type FieldChange = { [F in IncidentField]: { path: F } & Change<OrNull<IncidentView[F]>> }[IncidentField];

/** Only the fields that changed are present. */
export type ClaimDiff = { claimId: string } & { [F in ComparedClaimField]?: Change<OrNull<ClaimView[F]>> } & {
  stances?: AddedRemoved<ClaimStanceView>;
};

export interface CasualtyRange {
  lowestClaimed: number | null;
  highestClaimed: number | null;
  contested: boolean;
}

/** `before` or `after` is null where the (party, outcome) had no active figure. */
export interface CasualtyDiff {
  party: string;
  outcome: FigureOutcome;
  before: CasualtyRange | null;
  after: CasualtyRange | null;
}

export interface ViewDiff {
  fromVersion: number;
  toVersion: number;
  fields: FieldChange[];
  sources: AddedRemoved<string>;
  /** Claim ids added and removed, and the claims present in both that changed. */
  claims: AddedRemoved<string> & { changed: ClaimDiff[] };
  /** Only the entries whose range or contested flag changed, or that appeared or went. */
  casualties: CasualtyDiff[];
  /** Statement ids. */
  statements: AddedRemoved<string>;
  links: AddedRemoved<IncidentLink>;
}

export function diffViews(from: IncidentView, to: IncidentView): ViewDiff {
  if (from.id !== to.id) throw new Error(`Cannot diff incident ${from.id} against incident ${to.id}`);
  return {
    fromVersion: from.version,
    toVersion: to.version,
    fields: fieldChanges(from, to),
    sources: addedRemoved(from.sourceIds, to.sourceIds),
    claims: { ...addedRemoved(from.claims.map(claimIdOf), to.claims.map(claimIdOf)), changed: claimChanges(from.claims, to.claims) },
    casualties: casualtyChanges(from.casualties, to.casualties),
    statements: addedRemoved(from.statements.map(statementIdOf), to.statements.map(statementIdOf)),
    links: addedRemoved(from.links, to.links, canonicalJson),
  };
}

function fieldChanges(from: IncidentView, to: IncidentView): FieldChange[] {
  return INCIDENT_FIELDS.filter((path) => !same(from[path], to[path])).map((path) => ({ path, ...change(from[path], to[path]) }) as FieldChange);
}

function claimChanges(from: readonly ClaimView[], to: readonly ClaimView[]): ClaimDiff[] {
  const earlier = new Map(from.map((claim) => [claim.claimId, claim]));
  return to.flatMap((claim) => {
    const before = earlier.get(claim.claimId);
    return before === undefined ? [] : claimDiff(before, claim);
  });
}

// The stances are compared as a set; the change list is not compared, since every
// change to a claim appends to it and it would only repeat what the fields say.
function claimDiff(before: ClaimView, after: ClaimView): ClaimDiff[] {
  // A fold leaves a claim the event did not touch as it was: the same object.
  if (before === after) return [];
  const fields = COMPARED_CLAIM_FIELDS.filter((field) => !same(before[field], after[field])).map((field) => [field, change(before[field], after[field])]);
  const stances = addedRemoved(before.stances, after.stances, canonicalJson);
  const stancesChanged = stances.added.length > 0 || stances.removed.length > 0;
  if (fields.length === 0 && !stancesChanged) return [];
  return [{ claimId: after.claimId, ...Object.fromEntries(fields), ...(stancesChanged && { stances }) }];
}

function casualtyChanges(from: readonly CasualtyEntry[], to: readonly CasualtyEntry[]): CasualtyDiff[] {
  const keyOf = (entry: CasualtyEntry) => casualtyKey(entry.party, entry.outcome);
  const earlier = new Map(from.map((entry) => [keyOf(entry), entry]));
  const later = new Map(to.map((entry) => [keyOf(entry), entry]));
  return [...new Set([...earlier.keys(), ...later.keys()])]
    .map((key) => casualtyDiff(earlier.get(key), later.get(key)))
    .filter((diff) => !sameRange(diff.before, diff.after))
    .sort(compareCasualties);
}

function casualtyDiff(before: CasualtyEntry | undefined, after: CasualtyEntry | undefined): CasualtyDiff {
  // One of the two is always there: the key came from it. `to`'s spelling is shown.
  const { party, outcome } = (after ?? before)!;
  return { party, outcome, before: before ? rangeOf(before) : null, after: after ? rangeOf(after) : null };
}

function sameRange(a: CasualtyRange | null, b: CasualtyRange | null): boolean {
  return a === null || b === null ? a === b : a.lowestClaimed === b.lowestClaimed && a.highestClaimed === b.highestClaimed && a.contested === b.contested;
}

function rangeOf({ lowestClaimed, highestClaimed, contested }: CasualtyEntry): CasualtyRange {
  return { lowestClaimed, highestClaimed, contested };
}

function addedRemoved<T>(before: readonly T[], after: readonly T[], key: (item: T) => string = String): AddedRemoved<T> {
  const keysBefore = new Set(before.map(key));
  const keysAfter = new Set(after.map(key));
  return { added: after.filter((item) => !keysBefore.has(key(item))), removed: before.filter((item) => !keysAfter.has(key(item))) };
}

const claimIdOf = (claim: ClaimView) => claim.claimId;
const statementIdOf = (statement: StatementView) => statement.statementId;

function change<T>(before: T, after: T): Change<T | null> {
  return { before: before ?? null, after: after ?? null };
}

function same(a: unknown, b: unknown): boolean {
  // An absent field (undefined) has no JSON text.
  return a === b || (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b));
}
