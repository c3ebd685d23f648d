// Errors the domain raises when a rule is broken. The HTTP layer maps `kind` to a status
// (not_found 404, invalid 422, conflict 409) and `code` becomes problem+json's `code`.
export type DomainErrorKind = 'not_found' | 'invalid' | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Machine-readable, stable: e.g. `claim_not_found`, `claim_retracted`. */
    readonly code: string,
    message: string,
    /** The request field the rule concerns, when there is one (e.g. `claimantId`). */
    readonly field?: string,
    /** When the rule needs any one of several fields (e.g. what a revision may change): all of them. */
    readonly anyOf: readonly string[] = [],
    /** Facts the client needs to act on the error, as members of the problem (e.g. `mergedInto`). */
    readonly extensions: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
