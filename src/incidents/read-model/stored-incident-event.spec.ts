// The door from the event store to the read side: typed events, metadata, schema versions.
import type { Position, RecordedEvent } from '../../event-store/event-store.js';
import { statedAtOf, storedIncidentEvent } from './stored-incident-event.js';
import { AMBUSH, JNIM_CLAIM, jnimClaimReported, SUNDAY } from './tinzaouaten.fixture.js';

const recorded: RecordedEvent = {
  id: '0190f17c-b400-7000-8000-00000000e001',
  streamId: `incident-${AMBUSH}`,
  revision: 3,
  position: '42' as Position,
  type: 'ClaimReported',
  data: jnimClaimReported.data,
  metadata: { recordedBy: 'desk-editor', recordedAt: '2024-07-30T09:03:00.000Z', correlationId: 'c-1', causationId: 'c-1', schemaVersion: 1 },
};

describe('storedIncidentEvent', () => {
  it('keeps the type, data, revision and who recorded it when', () => {
    expect(storedIncidentEvent(recorded)).toStrictEqual({
      type: 'ClaimReported',
      data: jnimClaimReported.data,
      revision: 3,
      recordedAt: '2024-07-30T09:03:00.000Z',
      recordedBy: 'desk-editor',
    });
  });

  it('refuses a schema version no upcaster reads', () => {
    expect(() => storedIncidentEvent({ ...recorded, metadata: { ...recorded.metadata, schemaVersion: 2 } })).toThrow(
      'Revision 3: no upcaster reads ClaimReported at schemaVersion 2',
    );
  });

  it('refuses an event of another stream kind', () => {
    expect(() => storedIncidentEvent({ ...recorded, type: 'SourceRegistered' })).toThrow('SourceRegistered is not an incident event');
  });

  it('refuses an event without its recording metadata', () => {
    expect(() => storedIncidentEvent({ ...recorded, metadata: { schemaVersion: 1 } })).toThrow('lacks recordedAt or recordedBy');
  });
});

describe('statedAtOf', () => {
  it("is when a claim's words were stated", () => {
    expect(statedAtOf(jnimClaimReported)).toBe(SUNDAY);
  });

  it("is absent for a correction, whose statedAt corrects the claim's", () => {
    expect(statedAtOf({ type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, statedAt: SUNDAY, reason: 'SITE cited it on Sunday' } })).toBeUndefined();
  });
});
