// The incident-view projection against a real PostgreSQL: given the ambush's ledger, it
// stores what the pure fold computes, and a redelivered event changes nothing.
import { itLeavesTheSameRowsHoweverTheLedgerArrives, projectionHarness, type ProjectionHarness } from '../../../../test/support/projection-harness.js';
import { AMBUSH_STREAM, tinzaouatenLedger } from '../../../../test/support/tinzaouaten-ledger.js';
import { incidentStreamId } from '../../commands/execute-incident-command.js';
import { foldView } from '../../read-model/incident-view.js';
import { AMBUSH, BATTLE, stored } from '../../read-model/tinzaouaten.fixture.js';
import { incidentViewProjection } from './incident-view.projection.js';

const ledger = tinzaouatenLedger();
const ambushEvents = ledger.filter((event) => event.streamId === incidentStreamId(AMBUSH));
let harness: ProjectionHarness;

beforeAll(async () => {
  harness = await projectionHarness(incidentViewProjection);
});

afterAll(async () => {
  await harness.close();
});

beforeEach(async () => {
  await harness.reset();
});

describe('incident-view projection', () => {
  it('stores one row per incident: the view folded from its stream, at its version', async () => {
    await harness.deliver(ledger);

    const rows = await harness.dataSource.query('SELECT incident_id, version, view FROM incident_views ORDER BY incident_id');
    expect(rows.map((row: { incident_id: string; version: number }) => [row.incident_id, row.version])).toEqual([
      [BATTLE, 0],
      [AMBUSH, AMBUSH_STREAM.length - 1],
    ]);
    expect(rows[1].view).toStrictEqual(foldView(stored(AMBUSH_STREAM)));
    expect(rows[1].view.casualties.find((entry: { party: string }) => entry.party === 'Wagner')).toMatchObject({ lowestClaimed: 1, highestClaimed: 20 });
  });

  itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, () => ledger);

  it('stops at a gap in a stream rather than keep a view that lacks an event', async () => {
    await harness.deliver(ambushEvents.slice(0, 1));
    await expect(harness.deliver([ambushEvents[2]])).rejects.toThrow(`${incidentStreamId(AMBUSH)}: revision 2 arrived when 1 was due`);
  });
});
