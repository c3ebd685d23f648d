import { v7 as uuidv7 } from 'uuid';
import type { DecisionContext, Decider } from '../common/decider.js';
import { DomainError } from '../common/domain-error.js';
import { type EventStore, type ExpectedRevision, WrongExpectedRevisionError } from './event-store.js';

/** Who asked for a write, and why; becomes every appended event's metadata. */
export interface WriteRequest {
  /** From If-Match. Absent: the server may retry a write that races another. */
  expectedVersion?: number;
  recordedBy: string;
  correlationId: string;
  causationId: string;
}

export interface WriteResult {
  id: string;
  /** The stream revision of the entity's last event after the write. */
  version: number;
  /** False when the outcome already held and nothing was appended (a retry). */
  appended: boolean;
}

export const SCHEMA_VERSION = 1;
const MAX_ATTEMPTS = 20;

/**
 * Read, fold, decide, append with the expected revision. Without an expected version from
 * the client, a write that loses a race to another is decided again on the new state (so
 * it is never lost, and never applied to a state it was not checked against).
 */
export async function handleCommand<State, Command, Event extends { type: string; data: object }>(
  store: EventStore,
  target: { streamId: string; entityId: string },
  decider: Decider<State, Command, Event>,
  command: Command,
  request: WriteRequest,
  context: Omit<DecisionContext, 'now'>,
): Promise<WriteResult> {
  return serialisedPerStream(target.streamId, async () => {
    for (let attempt = 1; ; attempt++) {
      const now = new Date();
      const events = await store.readStream(target.streamId);
      const revision = events.length ? events[events.length - 1].revision : -1;
      if (request.expectedVersion !== undefined && request.expectedVersion !== revision) {
        throw new WrongExpectedRevisionError(target.streamId, request.expectedVersion, revision);
      }
      const state = events.reduce((folded, event) => decider.evolve(folded, { type: event.type, data: event.data } as Event), decider.initialState());
      const decided = decider.decide(command, state, { ...context, now });
      if (decided.length === 0) return { id: target.entityId, version: revision, appended: false };

      const metadata = {
        recordedBy: request.recordedBy,
        recordedAt: now.toISOString(),
        correlationId: request.correlationId,
        causationId: request.causationId,
        schemaVersion: SCHEMA_VERSION,
      };
      const expectedRevision: ExpectedRevision = revision === -1 ? 'no_stream' : revision;
      try {
        const result = await store.appendToStream(
          target.streamId,
          decided.map((event) => ({ id: uuidv7(), type: event.type, data: event.data as Record<string, unknown>, metadata })),
          { expectedRevision },
        );
        return { id: target.entityId, version: result.nextExpectedRevision, appended: true };
      } catch (error) {
        const raced = error instanceof WrongExpectedRevisionError;
        if (!raced || request.expectedVersion !== undefined) throw error;
        if (attempt === MAX_ATTEMPTS) {
          throw new DomainError('conflict', 'concurrent_modification', `${target.streamId} kept changing under this write; try again.`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  });
}

// Writes to one stream from this process queue up rather than race: each would otherwise
// re-read and retry. Races with other processes are still caught by the expected revision.
const streamQueues = new Map<string, Promise<unknown>>();

async function serialisedPerStream<T>(streamId: string, work: () => Promise<T>): Promise<T> {
  const previous = streamQueues.get(streamId) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(work);
  streamQueues.set(streamId, current);
  try {
    return await current;
  } finally {
    if (streamQueues.get(streamId) === current) streamQueues.delete(streamId);
  }
}
