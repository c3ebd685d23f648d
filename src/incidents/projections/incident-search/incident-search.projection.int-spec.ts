// The incident-search projection against a real PostgreSQL: one row per incident with
// the filters' columns and a full-text document that follows amendments and corrections;
// a redelivered event changes nothing.
import { LedgerBuilder, itLeavesTheSameRowsHoweverTheLedgerArrives, projectionHarness, type ProjectionHarness } from '../../../../test/support/projection-harness.js';
import { AMBUSH_STREAM, tinzaouatenLedger } from '../../../../test/support/tinzaouaten-ledger.js';
import type { RecordedEvent } from '../../../event-store/event-store.js';
import { incidentStreamId } from '../../domain/incident.streams.js';
import { AMBUSH, BATTLE, BLOGS_CLAIM, JNIM, JNIM_CLAIM, RUSSIAN_BLOGS, SITE, WAGNER } from '../../read-model/tinzaouaten.fixture.js';
import { incidentSearchProjection, SEARCH_CONFIG } from './incident-search.projection.js';

let harness: ProjectionHarness;

beforeAll(async () => {
  harness = await projectionHarness(incidentSearchProjection);
});

afterAll(async () => {
  await harness.close();
});

beforeEach(async () => {
  await harness.reset();
});

/** The scenario's ledger, then the desk's later work on the ambush. */
function ledgerWithRevisions(): RecordedEvent[] {
  const ledger = new LedgerBuilder();
  for (const event of tinzaouatenLedger()) ledger.append(event.streamId, event, event.metadata.recordedAt as string);
  const ambush = incidentStreamId(AMBUSH);
  return ledger
    .append(
      ambush,
      {
        type: 'IncidentRevised',
        data: {
          incidentId: AMBUSH,
          title: 'Ambush of a Malian army and Wagner convoy',
          location: { place: 'Northern Mali', country: 'ML', precision: 'country' },
          occurred: { from: '2024-07-01', precision: 'month' },
          reason: 'the desk widened what is known',
        },
      },
      '2024-07-31T09:00:00.000Z',
    )
    .append(ambush, { type: 'ClaimAmended', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, summary: 'Bloggers counted 80 dead mercenaries.', statedAt: '2024-07-31T00:00:00.000Z', reason: 'new post' } }, '2024-07-31T09:01:00.000Z')
    .append(ambush, { type: 'ClaimCorrected', data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, claimantId: SITE, reason: 'the desk logged the conduit as claimant' } }, '2024-07-31T09:02:00.000Z')
    .append(ambush, { type: 'ClaimAssessed', data: { incidentId: AMBUSH, claimId: BLOGS_CLAIM, grade: 'contested', rationale: 'unsourced' } }, '2024-07-31T09:03:00.000Z').events;
}

async function matches(text: string): Promise<string[]> {
  const rows = await harness.dataSource.query<{ id: string }[]>('SELECT id FROM incident_search WHERE search @@ websearch_to_tsquery($1::regconfig, $2) ORDER BY id', [SEARCH_CONFIG, text]);
  return rows.map((row) => row.id);
}

describe('incident-search projection', () => {
  it('keeps one row per incident with what the filters and sorts read', async () => {
    await harness.deliver(tinzaouatenLedger());

    const rows = await harness.dataSource.query(
      'SELECT id, version, title, country, region, tags, claimant_ids, occurred_from, occurred_to, opened_at, updated_at FROM incident_search ORDER BY id',
    );
    expect(rows).toEqual([
      expect.objectContaining({
        id: BATTLE,
        version: 0,
        country: 'ML',
        region: 'Kidal',
        claimant_ids: [],
        occurred_from: new Date('2024-07-22T00:00:00.000Z'),
        occurred_to: new Date('2024-07-27T23:59:59.999Z'),
      }),
      expect.objectContaining({
        id: AMBUSH,
        version: AMBUSH_STREAM.length - 1,
        title: 'Convoy ambush south of Tinzaouaten',
        country: 'ML',
        region: 'Kidal',
        tags: ['Wagner', 'JNIM', 'ambush', 'Sahel'],
        claimant_ids: [JNIM, WAGNER, RUSSIAN_BLOGS].sort(),
        occurred_from: new Date('2024-07-27T00:00:00.000Z'),
        occurred_to: new Date('2024-07-27T23:59:59.999Z'),
        opened_at: new Date('2024-07-30T09:00:00.000Z'),
        updated_at: new Date(`2024-07-30T09:0${AMBUSH_STREAM.length - 1}:00.000Z`),
      }),
    ]);
  });

  it('finds incidents by words of their title, description and claim summaries, stemmed', async () => {
    await harness.deliver(tinzaouatenLedger());

    expect(await matches('Tinzaouaten')).toEqual([BATTLE, AMBUSH].sort());
    expect(await matches('withdrawal convoy')).toEqual([AMBUSH]);
    expect(await matches('mercenary killing')).toEqual([AMBUSH]);
    expect(await matches('"Sergei Shevchenko"')).toEqual([AMBUSH]);
    expect(await matches('Tinzaouaten -ambush')).toEqual([BATTLE]);
  });

  it('follows revisions, amendments and corrections', async () => {
    await harness.deliver(ledgerWithRevisions());

    const [row] = await harness.dataSource.query('SELECT * FROM incident_search WHERE id = $1', [AMBUSH]);
    expect(row).toMatchObject({
      version: AMBUSH_STREAM.length + 3,
      title: 'Ambush of a Malian army and Wagner convoy',
      description: expect.stringContaining('Following their withdrawal'),
      country: 'ML',
      region: null,
      occurred: { from: '2024-07-01', precision: 'month' },
      occurred_from: new Date('2024-07-01T00:00:00.000Z'),
      occurred_to: new Date('2024-07-31T23:59:59.999Z'),
      tags: ['Wagner', 'JNIM', 'ambush', 'Sahel'],
      claimant_ids: [SITE, WAGNER, RUSSIAN_BLOGS].sort(),
      updated_at: new Date('2024-07-31T09:03:00.000Z'),
    });
    expect(await matches('bloggers')).toEqual([AMBUSH]);
    expect(await matches('"at least 20 Wagner deaths"')).toEqual([]);
  });

  itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, ledgerWithRevisions);

  it('stops at a gap in a stream', async () => {
    const ambush = tinzaouatenLedger().filter((event) => event.streamId === incidentStreamId(AMBUSH));
    await harness.deliver(ambush.slice(0, 1));
    await expect(harness.deliver([ambush[2]])).rejects.toThrow(`incident-${AMBUSH}: revision 2 arrived when 1 was due`);
  });
});
