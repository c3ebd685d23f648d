import { loadDemo, readDemo, type DemoStep, type LoadDemoResult } from '../src/demo/load-demo.js';
import type { JsonObject } from '../src/event-store/event-store.js';
import { withIdentifyingFields } from '../src/sources/erasure/identifying-fields.js';
import { eventually } from './support/caught-up.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// The demo data set goes in through the HTTP API and comes back out of the audit reads
// whole: one event per step (a link, one on each incident), in order, with its metadata;
// and a second load adds nothing.

// The event each kind of step records, by the collection it posts to (PRODUCT.md §3, §5).
const EVENT_TYPES: Record<string, string> = {
  sources: 'SourceRegistered',
  incidents: 'IncidentOpened',
  links: 'IncidentsLinked',
  statements: 'SourceStatementRecorded',
  claims: 'ClaimReported',
};

const SEALED: string = expect.stringMatching(/^⟦sealed:[\w-]+⟧$/);

interface ExpectedEvent {
  streamId: string;
  type: string;
  /** What the event must hold. */
  data: Record<string, unknown>;
}

function expectedEvents(step: DemoStep): ExpectedEvent[] {
  const [, collection, incidentId, child] = step.path.split('/');
  const type = collection === 'sources' ? EVENT_TYPES.sources : child === undefined ? EVENT_TYPES.incidents : EVENT_TYPES[child];
  // What identifies a source is read here as it is stored: sealed (docs/audit.md, Erasure).
  const data = withIdentifyingFields(type, dataOf(step) as JsonObject, () => SEALED);
  if (collection === 'sources') return [{ streamId: `source-${String(step.body.id)}`, type, data }];
  if (child === undefined) return [{ streamId: `incident-${String(step.body.id)}`, type, data }];
  const own = { streamId: `incident-${incidentId}`, type, data };
  if (child !== 'links') return [own];
  // The other incident records the link too, read from its side.
  const { otherIncidentId, relation } = step.body;
  return [own, { streamId: `incident-${String(otherIncidentId)}`, type: 'IncidentLinkedFrom', data: { incidentId: otherIncidentId, otherIncidentId: incidentId, relation } }];
}

// The step's body, whose `id` the event names `<entity>Id`.
function dataOf(step: DemoStep): Record<string, unknown> {
  const { id, ...rest } = step.body;
  if (id === undefined) return rest;
  return { [step.path === '/sources' ? 'sourceId' : 'incidentId']: id, ...rest };
}

const demo = await readDemo();
const expected = demo.steps.flatMap(expectedEvents);
const incidents = demo.steps.filter((step) => step.path === '/incidents').map((step) => ({ id: String(step.body.id), title: String(step.body.title) }));

let api: TestApp;
let firstLoad: LoadDemoResult;

async function readLedger(limit: number) {
  const events = [];
  let after: string | null = null;
  do {
    const page = await api.http('auditor', 'GET', `/ledger?limit=${limit}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
    expect(page.status).toBe(200);
    events.push(...page.body.events);
    after = page.body.next;
  } while (after !== null);
  return events;
}

async function readIncidentEvents(incidentId: string) {
  const events = [];
  let fromVersion: number | null = 0;
  do {
    const page = await api.http('auditor', 'GET', `/incidents/${incidentId}/events?fromVersion=${fromVersion}&limit=4`);
    expect(page.status).toBe(200);
    events.push(...page.body.events);
    fromVersion = page.body.nextFromVersion;
  } while (fromVersion !== null);
  return events;
}

beforeAll(async () => {
  api = await startTestApp();
  firstLoad = await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor });
  // The ledger reads below the oldest running transaction of the whole server, which
  // another test file's work can hold back for a moment (test/support/caught-up.ts).
  await eventually(async () => (await readLedger(1000)).length >= expected.length, 'the demo to come within the ledger read horizon');
});

afterAll(async () => {
  await api?.close();
});

test('every step of the demo is recorded', () => {
  expect(firstLoad.recorded).toBe(demo.steps.length);
  expect(firstLoad.unchanged).toBe(0);
  expect(incidents).toHaveLength(2);
});

test.each(incidents)('$title holds its steps as events, in order, revisions from 0', async ({ id: incidentId }) => {
  const streamId = `incident-${incidentId}`;
  const ownSteps = expected.filter((event) => event.streamId === streamId);

  const events = await readIncidentEvents(incidentId);

  expect(events.map((event) => event.type)).toEqual(ownSteps.map(({ type }) => type));
  expect(events.map((event) => event.revision)).toEqual(ownSteps.map((_, revision) => revision));
  events.forEach((event, revision) => {
    expect(event.streamId).toBe(streamId);
    expect(event.data).toMatchObject(ownSteps[revision].data);
  });
});

test('the ledger holds exactly the demo events, each stream in step order', async () => {
  const ledger = await readLedger(1000);

  expect(ledger).toHaveLength(expected.length);
  for (const streamId of new Set(expected.map((event) => event.streamId))) {
    const ownSteps = expected.filter((event) => event.streamId === streamId);
    const streamEvents = ledger.filter((event) => event.streamId === streamId);
    expect(streamEvents.map((event) => event.type)).toEqual(ownSteps.map(({ type }) => type));
    expect(streamEvents.map((event) => event.revision)).toEqual(ownSteps.map((_, revision) => revision));
    streamEvents.forEach((event, revision) => expect(event.data).toMatchObject(ownSteps[revision].data));
  }
  for (const { id: incidentId } of incidents) {
    const streamEvents = ledger.filter((event) => event.streamId === `incident-${incidentId}`);
    expect((await readIncidentEvents(incidentId)).map((event) => event.eventId)).toEqual(streamEvents.map((event) => event.eventId));
  }
});

test('every event says who recorded it, when, and which request caused it', async () => {
  const ledger = await readLedger(1000);

  for (const { metadata } of ledger) {
    expect(metadata).toMatchObject({ recordedBy: 'editor-desk', schemaVersion: 1 });
    expect(new Date(metadata.recordedAt).toISOString()).toBe(metadata.recordedAt);
    expect(metadata.correlationId).toEqual(expect.any(String));
    expect(metadata.causationId).toEqual(expect.any(String));
  }
  // One load is one act (one correlation id); each of its requests caused its step's events.
  expect(new Set(ledger.map(({ metadata }) => metadata.correlationId)).size).toBe(1);
  expect(new Set(ledger.map(({ metadata }) => metadata.causationId)).size).toBe(demo.steps.length);
});

test('paging the ledger with `after` reads the same events in the same order', async () => {
  const whole = await readLedger(1000);
  const paged = await readLedger(4);

  expect(paged.map((event) => event.eventId)).toEqual(whole.map((event) => event.eventId));
  expect(paged.map((event) => event.position)).toEqual(whole.map((event) => event.position));
});

test('loading the demo a second time appends nothing', async () => {
  const before = await readLedger(1000);

  const secondLoad = await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor });

  expect(secondLoad).toMatchObject({ recorded: 0, unchanged: demo.steps.length });
  expect(await readLedger(1000)).toHaveLength(before.length);
});
