import type { RecordedEvent } from '../event-store/event-store.js';

/** How auditors see a stored event: everything it holds, nothing derived. */
export function toEventResponse(event: RecordedEvent) {
  return {
    position: event.position,
    eventId: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  };
}
