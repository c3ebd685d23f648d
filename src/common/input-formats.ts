// Formats of request text that the API checks and the desk checks before sending: this
// file imports nothing, so both take it (web/tsconfig.json type-checks what the desk imports).

export interface TextFormat {
  pattern: RegExp;
  /** Said after the field's name: `Country must be …`. */
  message: string;
}

export const COUNTRY_CODE: TextFormat = { pattern: /^[A-Z]{2}$/, message: 'must be an ISO-3166 alpha-2 code such as ML' };

export const LANGUAGE_TAG: TextFormat = { pattern: /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, message: 'must be a language tag such as en or ar' };

/** A web address's scheme, without its colon. */
export const WEB_PROTOCOL = /^https?$/;

// PostgreSQL's text and jsonb hold neither U+0000 nor an unpaired surrogate (which has no
// UTF-8 form): such a string would fail at the database, after validation, as a 500.
// In a `u` regex an unpaired surrogate is a code point of category Cs; a pair is not.
// ⟦ and ⟧ mark the timeline's references to sources (source-references.ts): in free text
// they could make a name appear, or words escape being withheld.
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !/\p{Cs}|[\u27E6\u27E7]/u.test(text);
}
