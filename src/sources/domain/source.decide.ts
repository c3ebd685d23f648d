import { requireRetryOf, requireSomeField, requireText, withoutUndefined, type Decider } from '../../common/decider.js';
import { DomainError } from '../../common/domain-error.js';
import { SOURCE_REVISABLE_FIELDS, type EraseSource, type RegisterSource, type ReviseSource, type SourceCommand } from './source.commands.js';
import type { SourceEvent } from './source.events.js';
import { evolve, initialSourceState, type SourceState } from './source.state.js';

export function registerSource(command: RegisterSource, state: SourceState): SourceEvent[] {
  if (state.exists) {
    requireRetryOf(state.registeredFingerprint, command.data, 'source_exists', 'sourceId');
    return []; // the client chose the id, so a retried registration finds its own source
  }
  return [{ type: 'SourceRegistered', data: withoutUndefined(command.data) }];
}

export function reviseSource(command: ReviseSource, state: SourceState): SourceEvent[] {
  requireLiveSource(command.data.sourceId, state);
  requireSomeField(command.data, SOURCE_REVISABLE_FIELDS, 'revision_empty');
  requireText(command.data.reason, 'reason', 'reason_required');
  return [{ type: 'SourceRevised', data: withoutUndefined(command.data) }];
}

/** Erasing an erased source again changes nothing: a retry, or a second admin a moment late. */
export function eraseSource(command: EraseSource, state: SourceState): SourceEvent[] {
  requireRegistered(command.data.sourceId, state);
  if (state.erased) return [];
  requireText(command.data.reason, 'reason', 'reason_required');
  return [{ type: 'SourceErased', data: command.data }];
}

function requireRegistered(sourceId: string, state: SourceState): asserts state is Extract<SourceState, { exists: true }> {
  if (!state.exists) throw new DomainError('not_found', 'source_not_found', `Source ${sourceId} is not registered`);
}

/** An erased source is what its SourceErased left: nothing of it can be written again, so nothing can be revised. */
function requireLiveSource(sourceId: string, state: SourceState): void {
  requireRegistered(sourceId, state);
  if (state.erased) throw new DomainError('conflict', 'source_erased', `Source ${sourceId} was erased: it can no longer be revised`);
}

export function decide(command: SourceCommand, state: SourceState): SourceEvent[] {
  switch (command.type) {
    case 'RegisterSource':
      return registerSource(command, state);
    case 'ReviseSource':
      return reviseSource(command, state);
    case 'EraseSource':
      return eraseSource(command, state);
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled source command ${JSON.stringify(unhandled)}`);
    }
  }
}

export const sourceDecider: Decider<SourceState, SourceCommand, SourceEvent> = {
  initialState: initialSourceState,
  evolve,
  decide,
};
