// The source-view projection against a real PostgreSQL: sources as their streams
// describe them, and the rows their track records are counted from; a redelivered event
// changes nothing.
import { LedgerBuilder, itLeavesTheSameRowsHoweverTheLedgerArrives, projectionHarness, type ProjectionHarness } from '../../../../test/support/projection-harness.js';
import { BLOGS_RENAMED, tinzaouatenLedger } from '../../../../test/support/tinzaouaten-ledger.js';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import { incidentStreamId } from '../../../incidents/domain/incident.streams.js';
import {
  AMBUSH,
  AUTHORITIES_STATEMENT,
  BLOGS_CLAIM,
  JNIM,
  JNIM_CLAIM,
  JNIM_STATEMENT,
  MALIAN_AUTHORITIES,
  RUSSIAN_BLOGS,
  SITE,
  WAGNER,
  WAGNER_CLAIM,
  WAGNER_STATEMENT,
} from '../../../incidents/read-model/tinzaouaten.fixture.js';
import { sourceStreamId } from '../../domain/source.streams.js';
import { sourceViewProjection } from './source-view.projection.js';

const SECURITY_SOURCE = '0190f17c-b400-7000-8000-000000000108';

let harness: ProjectionHarness;

beforeAll(async () => {
  harness = await projectionHarness(sourceViewProjection);
});

afterAll(async () => {
  await harness.close();
});

beforeEach(async () => {
  await harness.reset();
});

/** The scenario's ledger (JNIM's claim retracted at its end), then the desk's later work. */
function ledgerWithDeskWork(): RecordedEvent[] {
  const ledger = new LedgerBuilder();
  for (const event of tinzaouatenLedger()) ledger.append(event.streamId, event, event.metadata.recordedAt as string);
  const ambush = incidentStreamId(AMBUSH);
  const later = '2024-07-31T09:00:00.000Z';
  return ledger
    .append(
      sourceStreamId(SECURITY_SOURCE),
      { type: 'SourceRegistered', data: { sourceId: SECURITY_SOURCE, name: 'Colonel X', kind: 'anonymous', aliases: ['security source'], country: 'ML', confidential: true } },
      later,
    )
    .append(ambush, { type: 'ClaimAmended', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, summary: 'Bloggers counted 80 dead.', statedAt: '2024-07-31T00:00:00.000Z', reason: 'new post' } }, later)
    .append(ambush, { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: WAGNER_CLAIM, via: [SECURITY_SOURCE], reason: 'relayed, not stated' } }, later)
    .append(ambush, { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, grade: 'contested', rationale: 'unsourced' } }, later)
    .append(ambush, { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, grade: 'discounted', rationale: 'contradicted' } }, later)
    .append(sourceStreamId(SECURITY_SOURCE), { type: 'SourceRevised', data: { sourceId: SECURITY_SOURCE, description: 'a Malian officer', reason: 'context' } }, '2024-08-01T09:00:00.000Z').events;
}

describe('source-view projection', () => {
  it('keeps each source as its stream describes it', async () => {
    await harness.deliver(ledgerWithDeskWork());

    const rows = await harness.dataSource.query('SELECT * FROM source_view WHERE id = ANY($1::uuid[]) ORDER BY id', [[RUSSIAN_BLOGS, WAGNER, SECURITY_SOURCE]]);
    expect(rows).toEqual([
      expect.objectContaining({ id: WAGNER, version: 1, name: 'Wagner Group', description: 'Russian PMC', confidential: false }),
      expect.objectContaining({ id: RUSSIAN_BLOGS, version: 1, name: BLOGS_RENAMED, kind: 'social_media', aliases: [] }),
      expect.objectContaining({
        id: SECURITY_SOURCE,
        version: 1,
        name: 'Colonel X',
        kind: 'anonymous',
        aliases: ['security source'],
        country: 'ML',
        description: 'a Malian officer',
        confidential: true,
        registered_at: new Date('2024-07-31T09:00:00.000Z'),
        updated_at: new Date('2024-08-01T09:00:00.000Z'),
      }),
    ]);
  });

  it('keeps one row per claim, statement and stance, as the claims now stand', async () => {
    await harness.deliver(ledgerWithDeskWork());

    const { source_view_claims: claims, source_view_statements: statements, source_view_stances: stances } = await harness.tables();
    expect(claims).toEqual(
      expect.arrayContaining([
        { incident_id: AMBUSH, claim_id: JNIM_CLAIM, claimant_id: JNIM, via: [SITE], status: 'retracted', amended: false, grade: null },
        { incident_id: AMBUSH, claim_id: WAGNER_CLAIM, claimant_id: WAGNER, via: [SECURITY_SOURCE], status: 'active', amended: false, grade: null },
        { incident_id: AMBUSH, claim_id: BLOGS_CLAIM, claimant_id: RUSSIAN_BLOGS, via: [], status: 'amended', amended: true, grade: 'discounted' },
      ]),
    );
    expect(claims).toHaveLength(3);
    expect(statements).toEqual(
      expect.arrayContaining([
        { incident_id: AMBUSH, statement_id: JNIM_STATEMENT, source_id: JNIM, via: [SITE] },
        { incident_id: AMBUSH, statement_id: WAGNER_STATEMENT, source_id: WAGNER, via: [] },
        { incident_id: AMBUSH, statement_id: AUTHORITIES_STATEMENT, source_id: MALIAN_AUTHORITIES, via: [] },
      ]),
    );
    expect(stances).toEqual([{ incident_id: AMBUSH, statement_id: AUTHORITIES_STATEMENT, claim_id: JNIM_CLAIM, stance: 'disputes' }]);
  });

  itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, ledgerWithDeskWork);

  describe('with a duplicate merged in', () => {
    // A second editor logged JNIM's words on a duplicate of the ambush, which was then merged
    // into it: its rows move to the ambush, wherever the batches begin and end.
    const DUPLICATE = '0190f17c-b400-7000-8000-0000000002dd';
    const STATEMENT = '0190f17c-b400-7000-8000-0000000003dd';
    const CLAIM = '0190f17c-b400-7000-8000-0000000004dd';
    const ledgerWithMerge = (): RecordedEvent[] => {
      const ledger = new LedgerBuilder();
      for (const event of ledgerWithDeskWork()) ledger.append(event.streamId, event, event.metadata.recordedAt as string);
      const duplicate = incidentStreamId(DUPLICATE);
      const at = '2024-08-02T09:00:00.000Z';
      const told = { incidentId: DUPLICATE, statementId: STATEMENT, sourceId: JNIM, via: [SITE], medium: 'communique', quote: 'ambushed the convoy', language: 'en', statedAt: '2024-07-28T00:00:00.000Z', stances: [] };
      const claimed = { incidentId: DUPLICATE, claimId: CLAIM, claimantId: JNIM, via: [SITE], statementId: STATEMENT, summary: 'JNIM claimed the ambush', kind: 'responsibility', figures: [], statedAt: '2024-07-28T00:00:00.000Z' };
      const opened = { incidentId: DUPLICATE, title: 'Kidal convoy attack', location: { place: 'Kidal', country: 'ML', precision: 'region' }, occurred: { from: '2024-07-27', precision: 'day' }, tags: [] };
      const carried = (type: string, data: object, revision: number) => ({ type, data, revision, recordedAt: at, recordedBy: 'desk-editor' });
      return ledger
        .append(duplicate, { type: 'IncidentOpened', data: opened }, at)
        .append(duplicate, { type: 'SourceStatementRecorded', data: told }, at)
        .append(duplicate, { type: 'ClaimReported', data: claimed }, at)
        .append(duplicate, { type: 'IncidentMerged', data: { incidentId: DUPLICATE, into: AMBUSH, reason: 'duplicate' } }, at)
        .append(incidentStreamId(AMBUSH), {
          type: 'IncidentAbsorbed',
          data: { incidentId: AMBUSH, absorbedIncidentId: DUPLICATE, reason: 'duplicate', events: [carried('SourceStatementRecorded', told, 1), carried('ClaimReported', claimed, 2)] },
        }, at).events;
    };

    it('keeps them as the ambush now holds them, and none of the duplicate', async () => {
      await harness.deliver(ledgerWithMerge());
      const { source_view_claims: claims, source_view_statements: statements } = await harness.tables();
      expect(statements).toContainEqual({ incident_id: AMBUSH, statement_id: STATEMENT, source_id: JNIM, via: [SITE] });
      expect(claims).toContainEqual(expect.objectContaining({ incident_id: AMBUSH, claim_id: CLAIM }));
      expect([...statements, ...claims].filter((row) => (row as { incident_id: string }).incident_id === DUPLICATE)).toEqual([]);
    });

    itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, ledgerWithMerge);
  });

  it('stops at a gap in a stream', async () => {
    const ledger = ledgerWithDeskWork();
    const security = ledger.filter((event) => event.streamId === sourceStreamId(SECURITY_SOURCE));
    await expect(harness.deliver([security[1]])).rejects.toThrow(`source-${SECURITY_SOURCE}: revision 1 arrived when 0 was due`);
  });
});
