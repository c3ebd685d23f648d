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

// For deciders that look at neither time nor sources; tests of those that do pass their own.
const emptyContext: DecisionContext = { now: new Date(0), registeredSources: new Set() };

export function given<State, Command, Event>(
  decider: Decider<State, Command, Event>,
  history: readonly Event[],
  context: DecisionContext = emptyContext,
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
