// Given past events, when a command is decided, then these events (or this error).
// Runs the pure decider only: no store, no clock, milliseconds per test.
import type { Decider, DecisionContext } from '../../src/common/decider.js';
import { DomainError, type DomainErrorKind } from '../../src/common/domain-error.js';

export interface ExpectedDomainError {
  kind: DomainErrorKind;
  code: string;
  /** Leave out only when the error names no field. */
  field?: string;
}

// For deciders that need no more than the time; tests of those that need other facts pass their own.
const noFacts: DecisionContext = { now: new Date(0) };

export function given<State, Command, Event, Context extends DecisionContext>(
  decider: Decider<State, Command, Event, Context>,
  history: readonly Event[],
  context: Context = noFacts as Context,
) {
  return {
    when(command: Command) {
      const decide = () => {
        const state = history.reduce(decider.evolve, decider.initialState());
        return decider.decide(command, state, context);
      };
      return {
        /** Deep and strict: an optional field written as undefined does not equal a left-out one. */
        then(expected: readonly Event[]): void {
          expect(decide()).toStrictEqual(expected);
        },
        thenThrows(expected: ExpectedDomainError): void {
          let events: Event[];
          try {
            events = decide();
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            const { kind, code, field } = error as DomainError;
            expect({ kind, code, field }).toEqual(expected);
            return;
          }
          throw new Error(`Expected ${expected.code}, but the decider returned ${JSON.stringify(events)}`);
        },
      };
    },
  };
}
