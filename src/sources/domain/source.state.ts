import { canonicalJson } from '../../common/canonical-json.js';
import type { SourceEvent } from './source.events.js';

// Only what decisions need: names and descriptions belong to the projections.
export type SourceState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      /** Of the SourceRegistered data, to tell a retried registration from a clashing id. */
      registeredFingerprint: string;
      erased: boolean;
    };

export function initialSourceState(): SourceState {
  return { exists: false };
}

export function evolve(state: SourceState, event: SourceEvent): SourceState {
  switch (event.type) {
    case 'SourceRegistered':
      return { exists: true, id: event.data.sourceId, registeredFingerprint: canonicalJson(event.data), erased: false };
    case 'SourceRevised':
      return state;
    case 'SourceErased':
      return state.exists ? { ...state, erased: true } : state;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled source event ${JSON.stringify(unhandled)}`);
    }
  }
}
