import type { RecordedEvent } from '../../event-store/event-store.js';
import { INCIDENT_EVENT_TYPES, type CarriedEvent, type IncidentEvent, type IncidentEventType } from '../domain/incident.events.js';

/** What the read side keeps of a stored event's place in its stream and its metadata. */
export interface EventRecord {
  /** The event's stream revision (counts from 0). */
  revision: number;
  recordedAt: string;
  recordedBy: string;
}

/** An incident event as the read side folds it: typed data at today's schema, plus its record. */
export type StoredIncidentEvent = IncidentEvent & EventRecord;

// The schema versions this reader understands. Owned here rather than imported from the
// write side: when writers move to version 2, reading old events needs an upcaster, and
// a shared constant would silently make the reader reject every version-1 event instead.
const READABLE_SCHEMA_VERSION = 1;

/**
 * The one door from the event store to the read side. Upcasters for older schema
 * versions belong here, so that every fold (projections, time travel) reads the same
 * shape; until one exists, an unknown version stops the fold rather than being misread.
 */
export function storedIncidentEvent(recorded: Pick<RecordedEvent, 'type' | 'data' | 'revision' | 'metadata'>): StoredIncidentEvent {
  const { type, revision, metadata } = recorded;
  if (!isIncidentEventType(type)) throw new Error(`Revision ${revision}: ${type} is not an incident event`);
  if (metadata.schemaVersion !== READABLE_SCHEMA_VERSION) {
    throw new Error(`Revision ${revision}: no upcaster reads ${type} at schemaVersion ${String(metadata.schemaVersion)}`);
  }
  const { recordedAt, recordedBy } = metadata;
  if (typeof recordedAt !== 'string' || typeof recordedBy !== 'string') {
    throw new Error(`Revision ${revision}: ${type} lacks recordedAt or recordedBy metadata`);
  }
  // The write side checked the data against its event type before appending it.
  return { type, data: recorded.data, revision, recordedAt, recordedBy } as unknown as StoredIncidentEvent;
}

/**
 * An event a merge or split carried in, read as if `incidentId` had recorded it: for read
 * models that keep a claim by the incident that now holds it.
 */
export function asOwn(carried: CarriedEvent, incidentId: string): StoredIncidentEvent {
  return { ...carried, data: { ...carried.data, incidentId } } as StoredIncidentEvent;
}

/**
 * When the words behind the event were stated, for events that report words. A
 * correction's `statedAt` is a corrected field of the claim, not when the correction was
 * stated, so corrections (like the desk's other acts) have none.
 */
export function statedAtOf(event: IncidentEvent): string | undefined {
  switch (event.type) {
    case 'SourceStatementRecorded':
    case 'ClaimReported':
    case 'ClaimAmended':
    case 'ClaimRetracted':
      return event.data.statedAt;
    case 'IncidentOpened':
    case 'IncidentRevised':
    case 'IncidentsLinked':
    case 'IncidentLinkedFrom':
    case 'IncidentMerged':
    case 'IncidentAbsorbed':
    case 'IncidentSplit':
    case 'IncidentSplitFrom':
    case 'ClaimCorrected':
    case 'ClaimAssessed':
      return undefined;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled incident event ${JSON.stringify(unhandled)}`);
    }
  }
}

function isIncidentEventType(type: string): type is IncidentEventType {
  return (INCIDENT_EVENT_TYPES as readonly string[]).includes(type);
}
