import type { EventStore, Position, RecordedEvent } from './event-store.js';

/** Counted up to here: enough to tell "behind" from "far behind" without reading the backlog. */
const LAG_COUNT_CAP = 1_000;

export interface Lag {
  events: number;
  /** More than `events` are waiting: the count stopped at its cap. */
  eventsCapped: boolean;
  /** Since the oldest waiting event was recorded; 0 when none waits. */
  seconds: number;
}

/** How far a reader that has taken the ledger up to `after` is behind it, and the next event it would take. */
export async function lagBehind(store: EventStore, after: Position | undefined): Promise<Lag & { next?: RecordedEvent }> {
  const behind = await store.readAll({ after, maxCount: LAG_COUNT_CAP });
  const oldest = behind[0]?.metadata.recordedAt;
  return {
    events: behind.length,
    eventsCapped: behind.length === LAG_COUNT_CAP,
    seconds: typeof oldest === 'string' ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0,
    next: behind[0],
  };
}
