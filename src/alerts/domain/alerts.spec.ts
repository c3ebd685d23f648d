import { timelineEntry } from '../../incidents/read-model/headline.js';
import { evolveView, type IncidentView } from '../../incidents/read-model/incident-view.js';
import {
  ambushHistory,
  authoritiesDisputeJnim,
  blogsClaimReported,
  JNIM,
  jnimClaimReported,
  jnimClaimRetracted,
  names,
  RUSSIAN_BLOGS,
  stored,
} from '../../incidents/read-model/tinzaouaten.fixture.js';
import type { IncidentEvent } from '../../incidents/domain/incident.events.js';
import { alertsFor, type Told, triggersOf, type Watch } from './alerts.js';

// The worked example told event by event, as the incident-view projection tells it.
function told(history: readonly IncidentEvent[]): Told[] {
  let view: IncidentView | null = null;
  return stored(history).map((event, index) => {
    const before: IncidentView | null = view;
    const after = evolveView(before, event);
    view = after;
    return { eventId: `event-${index}`, position: `${index}`, event, before, after, entry: timelineEntry(event, before, after, names) };
  });
}

const SUBSCRIBED = '2000-01-01T00:00:00.000Z';
const watch = (over: Partial<Watch> = {}): Watch => ({ id: 'watch', filters: {}, triggers: ['casualty_range_changed', 'claim_reported', 'claim_retracted'], since: SUBSCRIBED, ...over });

const ambush = told([...ambushHistory, jnimClaimRetracted]);
const at = (event: IncidentEvent) => ambush[[...ambushHistory, jnimClaimRetracted].indexOf(event)];

describe('alerts on the worked example', () => {
  it('JNIM’s claim reports a claim and moves the Wagner range', () => {
    expect(triggersOf(at(jnimClaimReported))).toEqual(['casualty_range_changed', 'claim_reported']);
  });

  it('the bloggers’ claim, at least 20 inside the range of 1–50 already claimed, reports a claim and moves no range', () => {
    expect(triggersOf(at(blogsClaimReported))).toEqual(['claim_reported']);
    expect(alertsFor([watch({ triggers: ['casualty_range_changed'] })], at(blogsClaimReported))).toEqual([]);
  });

  it('JNIM’s retraction retracts a claim and moves the range back, and its alert carries the timeline’s sentence and changes', () => {
    const [alert] = alertsFor([watch()], at(jnimClaimRetracted));
    expect(alert.alert).toEqual(
      expect.objectContaining({
        kind: 'incident_changed',
        triggers: ['casualty_range_changed', 'claim_retracted'],
        headline: at(jnimClaimRetracted).entry.headline,
        changes: expect.arrayContaining([expect.stringMatching(/^Wagner killed: 1–50 → 1–20$/)]),
      }),
    );
  });

  it('a statement disputing a claim fires statement_with_stance; one without a stance does not', () => {
    expect(triggersOf(at(authoritiesDisputeJnim))).toContain('statement_with_stance');
    expect(triggersOf(ambush[2])).toEqual([]);
  });

  it('matches only the subscriptions whose triggers fired and whose filters all hold', () => {
    const retraction = at(jnimClaimRetracted);
    const matched = (over: Partial<Watch>) => alertsFor([watch(over)], retraction).length === 1;
    expect(matched({ triggers: ['claim_graded'] })).toBe(false);
    expect(matched({ filters: { country: 'ml', region: 'KIDAL', tags: ['sahel', 'elsewhere'] } })).toBe(true);
    expect(matched({ filters: { country: 'NE' } })).toBe(false);
    expect(matched({ filters: { claimantIds: [JNIM] } })).toBe(true);
    expect(matched({ filters: { claimantIds: [RUSSIAN_BLOGS] } })).toBe(false);
    expect(matched({ filters: { incidentIds: ['another incident'] } })).toBe(false);
  });

  it('alerts no subscription to an event recorded before it subscribed', () => {
    expect(alertsFor([watch({ since: '2999-01-01T00:00:00.000Z' })], at(jnimClaimRetracted))).toEqual([]);
  });
});
