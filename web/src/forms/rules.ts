import type { FieldError } from '../api';
import { INCIDENT_LIMITS, isStorableText, type TextFormat } from '../api-types';

// What a field must hold, as the API rules it (the limits and formats come from the very
// files the API checks with), so that the desk finds every problem before it sends; and
// the API's own field errors, for what only the service can know, in the same plain words.

export interface Rule {
  /** `true`, or what is missing in the form's own words. */
  required?: boolean | string;
  /** In characters, as the API counts them: after trimming. */
  maxLength?: number;
  number?: { min?: number; max?: number; integer?: boolean };
  /** A comma-separated list (aliases, tags). */
  list?: { maxItems: number; maxLength: number };
  format?: TextFormat;
  /** A rule of this form alone (a time not in the future, an end not before its start): what breaks it. */
  check?: (value: string) => string | undefined;
}

/** What a figure's number lacks, or has too much of, by its qualifier. */
export const FIGURE_NUMBER = {
  missing: 'needs a number, unless the qualifier is “unspecified”',
  forbidden: 'takes no number when the qualifier is “unspecified”',
};

const UNSTORABLE = 'contains a character the ledger cannot store (⟦, ⟧, or a broken or null character)';

/** What is wrong with `value` under `rule`, said after the field's label; nothing when it is fine. */
export function problemOf(value: string, rule: Rule = {}): string | undefined {
  if (!isStorableText(value)) return UNSTORABLE;
  const text = value.trim();
  if (text === '') return rule.required ? (typeof rule.required === 'string' ? rule.required : 'is required') : undefined;
  if (rule.maxLength !== undefined && text.length > rule.maxLength) return `must be at most ${rule.maxLength} characters (it has ${text.length})`;
  if (rule.number) {
    const { min, max, integer } = rule.number;
    const number = Number(text);
    if (!Number.isFinite(number)) return 'must be a number';
    if (integer && !Number.isSafeInteger(number)) return 'must be a whole number';
    if (min !== undefined && number < min) return `must be ${min} or more`;
    if (max !== undefined && number > max) return `must be ${max} or less`;
  }
  if (rule.list) {
    const items = listOf(value);
    if (items.length > rule.list.maxItems) return `must name at most ${rule.list.maxItems} (it names ${items.length})`;
    const long = items.find((item) => item.length > rule.list!.maxLength);
    if (long) return `must keep each to ${rule.list.maxLength} characters (“${long.slice(0, 20)}…” is longer)`;
  }
  if (rule.format && !rule.format.pattern.test(value)) return rule.format.message;
  return rule.check?.(value);
}

/** `a, b` → `['a', 'b']`. */
export function listOf(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** What is wrong with a list the form builds row by row (figures, conduits, stances) when it is too long. */
export function tooMany(count: number, max: number, what: string): string | undefined {
  return count > max ? `may hold at most ${max} ${what} (it holds ${count})` : undefined;
}

// The API's words for a rule only it can check (it knows the incident and the sources), or
// that the desk's own check let through, as the desk says them. Keyed by problem code.
const SAID = {
  required: 'is required',
  invalid_characters: UNSTORABLE,
  invalid_value: 'is not one of the choices',
  invalid_type: 'is not valid here',
  invalid_union: 'is not valid here',
  unknown_field: 'is not a field this form may send',
  original_text_required: 'is required',
  reason_required: 'is required',
  rationale_required: 'is required',
  figure_value_required: FIGURE_NUMBER.missing,
  figure_value_invalid: 'must be a whole number, 0 or more',
  figure_value_forbidden: FIGURE_NUMBER.forbidden,
  too_many_figures: `may hold at most ${INCIDENT_LIMITS.figures} figures`,
  stated_at_in_future: 'lies in the future',
  published_at_in_future: 'lies in the future',
  retrieved_at_in_future: 'lies in the future',
  time_invalid: 'must be a date, with its time if known',
  time_out_of_range: 'must lie in the years 0001 to 9999',
  occurred_range_invalid: 'is before the start',
  source_not_registered: 'is not a registered source: register it first',
  source_erased: 'was erased: nothing more is recorded from it, or through it',
  source_not_found: 'is not a registered source',
  statement_not_found: 'is not a statement recorded on this incident',
  claim_not_found: 'is not a claim of this incident',
  claim_retracted: 'was retracted: it takes no amendment',
  claim_moved: 'was split off to another incident: write to that one',
  statement_moved: 'was split off to another incident: write to that one',
  stance_duplicate: 'names a claim another stance names already: one stance per claim',
  duplicate_id: 'is named twice',
  link_to_self: 'is this incident itself',
  merge_into_self: 'is this incident itself',
  incident_not_found: 'is not an incident the desk has opened',
  incident_merged: 'was merged into another incident: name that one',
  ids_shared: 'holds a claim or statement with the same id as this one: correct one of them first',
  statement_stays: 'cites a statement that is not moved: move the statement with it',
  statement_cited: 'is cited by a claim that is not moved: move the claim with it',
  split_empty: 'has nothing ticked, nor has the other list: tick at least one claim or statement',
  amendment_empty: 'is unchanged, as is everything else the amendment may change: change at least one',
  correction_empty: 'is unchanged, as is everything else a correction may change: change at least one',
  revision_empty: 'is unchanged, as is everything else a revision may change: change at least one',
} satisfies Record<string, string>;

type Said = keyof typeof SAID;

/** An API field error in the desk's words, said after the field's label: never the validator's. */
export function plainMessage(error: FieldError, rule: Rule = {}): string {
  const said = SAID[error.code as Said] as string | undefined;
  if (said) return said;
  switch (error.code) {
    case 'too_small':
      return rule.number?.min === undefined ? 'is required' : `must be ${rule.number.min} or more`;
    case 'too_big':
      if (rule.number?.max !== undefined) return `must be ${rule.number.max} or less`;
      if (rule.maxLength !== undefined) return `must be at most ${rule.maxLength} characters`;
      if (rule.list) return `must name at most ${rule.list.maxItems}, each at most ${rule.list.maxLength} characters`;
      return 'is too long';
    case 'invalid_format':
      return rule.format?.message ?? (startsLowerCase(error.message) ? error.message : 'is not in a form the service accepts');
  }
  // A rule the desk does not know yet: its message, when it is written for people.
  return startsLowerCase(error.message) ? error.message : 'is not accepted by the service';
}

function startsLowerCase(message: string): boolean {
  return /^[a-z]/.test(message);
}

/** What the service would say for `code`, in the desk's words: for a rule the desk checks as the service does. */
export function said(code: Said): string {
  return SAID[code];
}

/** A rule across fields that the desk checks as the service would, said at `field`. */
export function problemFor(field: string, code: Said): Omit<FieldError, 'code'> {
  return { field, message: said(code) };
}

/** A revision, amendment or correction must change something: when it would not, said at the first field it could change. */
export function nothingChanged(changes: object, firstField: string, code: Extract<Said, `${string}_empty`>): Omit<FieldError, 'code'>[] {
  return Object.keys(changes).length === 0 ? [problemFor(firstField, code)] : [];
}
