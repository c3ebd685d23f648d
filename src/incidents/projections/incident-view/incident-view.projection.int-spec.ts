// The incident-view projection against a real PostgreSQL: given the ambush's ledger, it
// stores the views the pure fold computes and the timeline the pure functions tell, named
// from its own tables, and a redelivered event changes nothing.
import { itLeavesTheSameRowsHoweverTheLedgerArrives, projectionHarness, type ProjectionHarness } from '../../../../test/support/projection-harness.js';
import { AMBUSH_STREAM, BLOGS_RENAMED, tinzaouatenLedger } from '../../../../test/support/tinzaouaten-ledger.js';
import { incidentStreamId } from '../../domain/incident.streams.js';
import { timelineEntry, type Names } from '../../read-model/headline.js';
import { emptyView, evolveView, foldView } from '../../read-model/incident-view.js';
import { AMBUSH, BATTLE, names, RUSSIAN_BLOGS, SITE, stored, WAGNER } from '../../read-model/tinzaouaten.fixture.js';
import { sourceReference, wordsReference, worded } from '../../read-model/source-references.js';
import type { Position, RecordedEvent } from '../../../event-store/event-store.js';
import { sourceStreamId } from '../../../sources/domain/source.streams.js';
import { ERASED_WORDS, erasedValue, withIdentifyingFields } from '../../../sources/erasure/identifying-fields.js';
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

async function ambushEntries() {
  const rows = await harness.dataSource.query('SELECT version, entry FROM incident_timeline WHERE incident_id = $1 ORDER BY version', [AMBUSH]);
  return rows.map((row: { entry: unknown }) => row.entry);
}

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


  it('stores the timeline the pure functions tell, naming sources by reference to be worded when read', async () => {
    await harness.deliver(ledger);

    const byReference: Names = { ...names, source: sourceReference, words: wordsReference };
    let view = emptyView();
    const expected = stored(AMBUSH_STREAM).map((event) => {
      const after = evolveView(view, event);
      const entry = timelineEntry(event, view, after, byReference);
      view = after;
      return entry;
    });
    const entries = await ambushEntries();
    expect(entries).toStrictEqual(expected);
    expect(entries[1].headline).toBe("The desk linked this incident: it follows 'Battle at Tinzaouaten'");
    expect(entries[6].headline).toBe(`${sourceReference(RUSSIAN_BLOGS)} claimed at least 20 Wagner killed`);
    // The blogs were renamed before they spoke: read now, the entry gives the name they have now.
    const [renamed] = await harness.dataSource.query('SELECT name, confidential FROM incident_source_names WHERE source_id = $1', [RUSSIAN_BLOGS]);
    expect(worded(entries[6].headline, () => ({ name: renamed.name, wordsShown: true }))).toBe(`${BLOGS_RENAMED} claimed at least 20 Wagner killed`);
    expect(entries.at(-1).changes).toContain('Wagner killed: 1–50 → 1–20');
  });

  it('keeps a source’s name through a revision that does not change it', async () => {
    await harness.deliver(ledger);
    const rows = await harness.dataSource.query('SELECT source_id, version, name, kind FROM incident_source_names WHERE source_id = ANY($1) ORDER BY name', [[WAGNER, RUSSIAN_BLOGS]]);
    expect(rows).toEqual([
      { source_id: RUSSIAN_BLOGS, version: 1, name: BLOGS_RENAMED, kind: 'social_media' },
      { source_id: WAGNER, version: 1, name: 'Wagner Group', kind: 'private_military_company' },
    ]);
  });

  itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, () => ledger);

  describe('once a source is erased', () => {
    // Wagner's statement is quoted in the ambush's timeline and held in its view.
    const last = ledger.at(-1)!;
    const erased: RecordedEvent = {
      ...last,
      id: '0190f17c-b400-7000-9000-ffffffffffff',
      streamId: sourceStreamId(WAGNER),
      revision: ledger.filter((event) => event.streamId === sourceStreamId(WAGNER)).length,
      position: `${ledger.length + 1}` as Position,
      type: 'SourceErased',
      data: { sourceId: WAGNER, reason: 'Wagner asked to be forgotten' },
    };
    const erasedLedger = [...ledger, erased];

    it('rewrites the rows as the ledger, read once the key is gone, writes them', async () => {
      await harness.deliver(erasedLedger);
      const scrubbed = await harness.tables();
      expect(JSON.stringify(scrubbed)).not.toContain('in the vicinity of Tinzaouaten');
      expect(JSON.stringify(scrubbed)).toContain(ERASED_WORDS);

      await harness.reset();
      const readNow = erasedLedger.map((event) => ({
        ...event,
        data: withIdentifyingFields(event.type, event.data, (sourceIds, field, value) => (sourceIds.includes(WAGNER) ? erasedValue(field) : value)),
      }));
      await harness.deliver(readNow);
      expect(await harness.tables()).toStrictEqual(scrubbed);
    });

    it('rewrites the words a source relayed, in a batch of its own', async () => {
      // SITE only relayed JNIM's communique on the ambush: it made no statement of its own there.
      const siteErased: RecordedEvent = { ...erased, streamId: sourceStreamId(SITE), revision: 1, data: { sourceId: SITE, reason: 'SITE asked to be forgotten' } };
      await harness.deliver(ledger);
      await harness.deliver([siteErased]);
      const scrubbed = await harness.tables();
      expect(JSON.stringify(scrubbed)).not.toContain('ensnared a convoy');

      await harness.reset();
      await harness.deliver([...ledger, siteErased].map((event) => ({ ...event, data: withIdentifyingFields(event.type, event.data, (sourceIds, field, value) => (sourceIds.includes(SITE) ? erasedValue(field) : value)) })));
      expect(await harness.tables()).toStrictEqual(scrubbed);
    });

    itLeavesTheSameRowsHoweverTheLedgerArrives(() => harness, () => erasedLedger);
  });

  it('stops at a gap in a stream rather than keep a view that lacks an event', async () => {
    await harness.deliver(ambushEvents.slice(0, 1));
    await expect(harness.deliver([ambushEvents[2]])).rejects.toThrow(`${incidentStreamId(AMBUSH)}: revision 2 arrived when 1 was due`);
  });
});
