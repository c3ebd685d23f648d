import { canonicalJson } from './canonical-json.js';
import { DomainError } from './domain-error.js';

/**
 * Facts from outside the stream that a decision needs, which the command handler looks up:
 * the time for every decider, and what each one's rules need besides (its own context type,
 * which extends this one).
 */
export interface DecisionContext {
  now: Date;
}

export interface Decider<State, Command, Event, Context extends DecisionContext = DecisionContext> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State, context: Context): Event[];
}

// The few rules and helpers every decider shares.

/**
 * For a create whose id is taken: passes when the command repeats the data that created
 * the entity (a retry, to be answered with no events), throws a conflict otherwise.
 * Deciders keep `canonicalJson` of the creating event's data as the fingerprint.
 */
export function requireRetryOf(createdFingerprint: string, data: unknown, code: string, field: string): void {
  if (canonicalJson(data) !== createdFingerprint) {
    throw new DomainError('conflict', code, `This ${field} is already taken, with different data`, field);
  }
}

/**
 * Event data without undefined fields, at any depth: events are stored as JSON and
 * compared deeply, so an absent optional field is left out rather than written undefined.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUndefined(item)) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([key, field]) => [key, withoutUndefined(field)]),
  ) as T;
}

/** Text a rule requires (a reason, a rationale, a figure's original words) must say something. */
export function requireText(text: string, field: string, code: string): void {
  if (text.trim() === '') throw new DomainError('invalid', code, `${field} must not be empty`, field);
}

/**
 * A revision, amendment or correction must change at least one of the fields it may change;
 * the error names them all, so that a form can mark each.
 */
export function requireSomeField(data: object, fields: readonly string[], code: string): void {
  const given = Object.entries(data).some(([key, value]) => fields.includes(key) && value !== undefined);
  if (!given) throw new DomainError('invalid', code, `Give at least one of: ${fields.join(', ')}`, undefined, fields);
}

// The years PostgreSQL takes in an ISO-8601 timestamp (it has no year 0) and that ISO-8601
// writes in four digits: a time outside them, once recorded, would stall the projections.
const EARLIEST_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** Whether epoch milliseconds fall in the years 0001..9999, UTC. */
export function isStorableTime(milliseconds: number): boolean {
  return milliseconds >= EARLIEST_TIME && milliseconds <= LATEST_TIME;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
