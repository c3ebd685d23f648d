// The body of every error answer (RFC 9457 problem+json), as the API writes it and the desk
// reads it (web/src/api.ts): this file imports nothing, so both can take it.

export interface FieldError {
  /** Path into the request, e.g. `figures[0].value`, `query.limit`, `header.if-match`. */
  field: string;
  /** The rule that failed, machine-readable (e.g. `too_big`, `figure_value_required`). */
  code: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  /** On `incident_merged`: the incident it was merged into, where the write belongs. */
  mergedInto?: string;
  /** On `claim_moved`, `statement_moved`: the incident it was split off to, where the write belongs. */
  movedTo?: string;
}
