// The convoy ambush of the read-model fixture as a whole ledger: the sources registered
// first, the battle it follows, the ambush's stream, source revisions in between, and
// (not in the article) JNIM's retraction at the end.
import type { RecordedEvent } from '../../src/event-store/event-store.js';
import { incidentStreamId } from '../../src/incidents/domain/incident.streams.js';
import type { IncidentEvent } from '../../src/incidents/domain/incident.events.js';
import {
  AMBUSH,
  ambushHistory,
  BATTLE,
  blogsClaimReported,
  CSP_PSD,
  JNIM,
  jnimClaimRetracted,
  MALIAN_AUTHORITIES,
  recordedAtOf,
  RUSSIAN_BLOGS,
  SITE,
  WAGNER,
  wagnerStatementRecorded,
} from '../../src/incidents/read-model/tinzaouaten.fixture.js';
import { sourceStreamId } from '../../src/sources/domain/source.streams.js';
import type { SourceEvent, SourceKind } from '../../src/sources/domain/source.events.js';
import { LedgerBuilder } from './projection-harness.js';

/** The ambush's events, in order; the ledger records each at recordedAtOf(its revision). */
export const AMBUSH_STREAM: IncidentEvent[] = [...ambushHistory, jnimClaimRetracted];

export const BLOGS_RENAMED = 'Russian milbloggers';

function registered(sourceId: string, name: string, kind: SourceKind): SourceEvent {
  return { type: 'SourceRegistered', data: { sourceId, name, kind, aliases: [], confidential: false } };
}

/** Every event of the scenario, in one global order. */
export function tinzaouatenLedger(): RecordedEvent[] {
  const ledger = new LedgerBuilder();
  const early = '2024-07-30T08:00:00.000Z';
  for (const source of [
    registered(JNIM, 'JNIM', 'armed_group'),
    registered(SITE, 'SITE Intelligence Group', 'monitoring_group'),
    registered(CSP_PSD, 'CSP-PSD', 'armed_group'),
    registered(WAGNER, 'Wagner Group', 'private_military_company'),
    registered(RUSSIAN_BLOGS, 'Russian military blogs', 'social_media'),
    registered(MALIAN_AUTHORITIES, 'Malian authorities', 'government'),
  ]) {
    ledger.append(sourceStreamId(source.data.sourceId), source, early);
  }
  ledger.append(
    incidentStreamId(BATTLE),
    {
      type: 'IncidentOpened',
      data: {
        incidentId: BATTLE,
        title: 'Battle at Tinzaouaten',
        location: { place: 'Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
        occurred: { from: '2024-07-22', to: '2024-07-27', precision: 'day' },
        tags: [],
      },
    },
    early,
  );
  AMBUSH_STREAM.forEach((event, revision) => {
    // Wagner's new description leaves its name be; the blogs' claim comes after their renaming.
    if (event === wagnerStatementRecorded) {
      ledger.append(sourceStreamId(WAGNER), { type: 'SourceRevised', data: { sourceId: WAGNER, description: 'Russian PMC', reason: 'context' } }, early);
    }
    if (event === blogsClaimReported) {
      ledger.append(sourceStreamId(RUSSIAN_BLOGS), { type: 'SourceRevised', data: { sourceId: RUSSIAN_BLOGS, name: BLOGS_RENAMED, reason: 'house style' } }, early);
    }
    ledger.append(incidentStreamId(AMBUSH), event, recordedAtOf(revision));
  });
  return ledger.events;
}
