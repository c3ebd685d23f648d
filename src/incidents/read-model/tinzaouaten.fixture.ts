// The convoy ambush south of Tinzaouaten (shared/fixtures/tinzaouaten-2024-article.txt)
// as a stored stream, for the read-model tests. It sets the three Wagner tolls side by
// side, as the worked example of PRODUCT.md §4 and the demo data do. What did not happen —
// JNIM retracting or amending, the desk's corrections — is built inside the tests that
// need it.
import type { Figure, IncidentEvent } from '../domain/incident.events.js';
import type { Names } from './headline.js';
import type { StoredIncidentEvent } from './stored-incident-event.js';

export const AMBUSH = '0190f17c-b400-7000-8000-000000000202';
export const BATTLE = '0190f17c-b400-7000-8000-000000000201';

export const JNIM = '0190f17c-b400-7000-8000-000000000101';
export const SITE = '0190f17c-b400-7000-8000-000000000102';
export const CSP_PSD = '0190f17c-b400-7000-8000-000000000103';
export const WAGNER = '0190f17c-b400-7000-8000-000000000104';
export const RUSSIAN_BLOGS = '0190f17c-b400-7000-8000-000000000105';
export const MALIAN_AUTHORITIES = '0190f17c-b400-7000-8000-000000000107';

export const JNIM_CLAIM = '0190f17c-b400-7000-8000-000000000401';
export const WAGNER_CLAIM = '0190f17c-b400-7000-8000-000000000403';
export const BLOGS_CLAIM = '0190f17c-b400-7000-8000-000000000404';

export const JNIM_STATEMENT = '0190f17c-b400-7000-8000-000000000301';
export const WAGNER_STATEMENT = '0190f17c-b400-7000-8000-000000000302';
export const AUTHORITIES_STATEMENT = '0190f17c-b400-7000-8000-000000000306';

const SOURCE_NAMES: Record<string, string> = {
  [JNIM]: 'JNIM',
  [SITE]: 'SITE Intelligence Group',
  [CSP_PSD]: 'CSP-PSD',
  [WAGNER]: 'Wagner Group',
  [RUSSIAN_BLOGS]: 'Russian military blogs',
  [MALIAN_AUTHORITIES]: 'Malian authorities',
};

export const names: Names = {
  source: (sourceId) => SOURCE_NAMES[sourceId] ?? `source ${sourceId}`,
  words: (_sourceId, words) => words,
  incident: (incidentId) => (incidentId === BATTLE ? 'Battle at Tinzaouaten' : undefined),
};

// Saturday, Sunday and Monday of the article: 27, 28 and 29 July 2024.
export const SATURDAY = '2024-07-27T00:00:00.000Z';
export const SUNDAY = '2024-07-28T00:00:00.000Z';
export const MONDAY = '2024-07-29T00:00:00.000Z';

export const malianSoldiersKilled: Figure = { party: 'Malian soldiers', outcome: 'killed', qualifier: 'exact', value: 10, originalText: 'murdered 10 Malian soldiers' };
export const wagnerKilledByJnim: Figure = { party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Russian Wagner mercenaries' };

export const ambushOpened = {
  type: 'IncidentOpened',
  data: {
    incidentId: AMBUSH,
    title: 'Convoy ambush south of Tinzaouaten',
    description: 'Following their withdrawal from Tinzaouaten, a convoy of the Malian army and Wagner forces was ambushed south of the town.',
    location: { place: 'South of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'region' },
    occurred: { from: '2024-07-27', precision: 'day' },
    tags: ['Wagner', 'JNIM', 'ambush', 'Sahel'],
  },
} satisfies IncidentEvent;

export const ambushFollowsBattle = { type: 'IncidentsLinked', data: { incidentId: AMBUSH, otherIncidentId: BATTLE, relation: 'follows' } } satisfies IncidentEvent;

export const jnimStatementRecorded = {
  type: 'SourceStatementRecorded',
  data: {
    incidentId: AMBUSH,
    statementId: JNIM_STATEMENT,
    sourceId: JNIM,
    via: [SITE],
    medium: 'communique',
    quote: 'ensnared a convoy of the Malian army and Wagner mercenaries in a complex ambush',
    language: 'en',
    statedAt: SUNDAY,
    publishedAt: SUNDAY,
    stances: [],
  },
} satisfies IncidentEvent;

export const jnimClaimReported = {
  type: 'ClaimReported',
  data: {
    incidentId: AMBUSH,
    claimId: JNIM_CLAIM,
    claimantId: JNIM,
    via: [SITE],
    statementId: JNIM_STATEMENT,
    summary: 'JNIM claimed to have killed 10 Malian soldiers and 50 Russian Wagner mercenaries in an ambush on a convoy south of Tinzaouaten.',
    kind: 'casualties',
    figures: [malianSoldiersKilled, wagnerKilledByJnim],
    statedAt: SUNDAY,
  },
} satisfies IncidentEvent;

export const wagnerStatementRecorded = {
  type: 'SourceStatementRecorded',
  data: {
    incidentId: AMBUSH,
    statementId: WAGNER_STATEMENT,
    sourceId: WAGNER,
    via: [],
    medium: 'communique',
    quote: 'its forces sustained severe losses—including the death of their commander Sergei Shevchenko—during their combat with Malian soldiers from July 22–27 in the vicinity of Tinzaouaten',
    language: 'en',
    statedAt: MONDAY,
    stances: [],
  },
} satisfies IncidentEvent;

export const wagnerClaimReported = {
  type: 'ClaimReported',
  data: {
    incidentId: AMBUSH,
    claimId: WAGNER_CLAIM,
    claimantId: WAGNER,
    via: [],
    statementId: WAGNER_STATEMENT,
    summary: 'Wagner stated that its forces sustained severe losses, including the death of their commander Sergei Shevchenko.',
    kind: 'casualties',
    figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', value: 1, originalText: 'severe losses—including the death of their commander Sergei Shevchenko' }],
    statedAt: MONDAY,
  },
} satisfies IncidentEvent;

export const blogsClaimReported = {
  type: 'ClaimReported',
  data: {
    incidentId: AMBUSH,
    claimId: BLOGS_CLAIM,
    claimantId: RUSSIAN_BLOGS,
    via: [],
    summary: 'A few Russian military blogs recorded at least 20 Wagner deaths.',
    kind: 'casualties',
    figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'at_least', value: 20, originalText: 'At least 20 Wagner deaths' }],
    statedAt: MONDAY,
  },
} satisfies IncidentEvent;

export const authoritiesDisputeJnim = {
  type: 'SourceStatementRecorded',
  data: {
    incidentId: AMBUSH,
    statementId: AUTHORITIES_STATEMENT,
    sourceId: MALIAN_AUTHORITIES,
    via: [],
    medium: 'other',
    quote: 'Russian servicemen there are trainers assisting local troops with Russian-purchased weaponry rather than Wagner mercenaries',
    language: 'en',
    statedAt: MONDAY,
    stances: [{ claimId: JNIM_CLAIM, stance: 'disputes' }],
  },
} satisfies IncidentEvent;

/** The ambush as the article tells it, in the order the desk recorded it. */
export const ambushHistory: IncidentEvent[] = [
  ambushOpened,
  ambushFollowsBattle,
  jnimStatementRecorded,
  jnimClaimReported,
  wagnerStatementRecorded,
  wagnerClaimReported,
  blogsClaimReported,
  authoritiesDisputeJnim,
];

/** Not in the article: JNIM takes its toll back. */
export const jnimClaimRetracted = {
  type: 'ClaimRetracted',
  data: { incidentId: AMBUSH, claimId: JNIM_CLAIM, reason: 'JNIM withdrew its toll in a later communique', statedAt: '2024-07-30T00:00:00.000Z', retractedBy: 'claimant' },
} satisfies IncidentEvent;

export const RECORDED_BY = 'desk-editor';

/** The events as the store hands them over: revisions from 0, recorded a minute apart on Tuesday 30 July. */
export function stored(events: readonly IncidentEvent[]): StoredIncidentEvent[] {
  return events.map((event, revision) => ({ ...event, revision, recordedAt: recordedAtOf(revision), recordedBy: RECORDED_BY }));
}

export function recordedAtOf(revision: number): string {
  return new Date(Date.parse('2024-07-30T09:00:00.000Z') + revision * 60_000).toISOString();
}
