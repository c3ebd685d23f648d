import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { ERASED_SOURCE_NAME } from '../src/sources/erasure/identifying-fields.js';
import { eventually } from './support/caught-up.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// Every route the service serves, asked by every role, about public and confidential
// sources. docs/access.md is the documented matrix, read here, so that the document and
// the service cannot drift apart; a route without a row in it fails, as a route without a
// role is refused by the guard: deny by default.

const WHO = ['none', 'reader', 'editor', 'auditor', 'admin'] as const;
type Who = (typeof WHO)[number];

let api: TestApp;

// ---------------------------------------------------------------------------------------
// The documented matrix

interface Row {
  /** `METHOD /path` as the OpenAPI document spells it (`{param}`); a path may end in `/*`. */
  route: string;
  expected: Record<Who, number>;
}

const ACCESS_DOC = readFileSync(new URL('../docs/access.md', import.meta.url), 'utf8');
const API_ROWS = matrixTable("The API's routes");
const OTHER_ROWS = matrixTable('Routes outside the API document');
const ROWS = new Map([...API_ROWS, ...OTHER_ROWS].map((row) => [row.route, row]));

/** The table under the heading `## <heading>` of docs/access.md, its columns checked. */
function matrixTable(heading: string): Row[] {
  const lines = ACCESS_DOC.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) throw new Error(`docs/access.md has no section "## ${heading}"`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const [head, , ...body] = lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line.startsWith('|'));
  const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());
  // Columns in another order would check each status against the wrong role.
  if (cells(head).slice(0, 1 + WHO.length).join() !== ['Route', ...WHO].join()) throw new Error(`docs/access.md: "## ${heading}" has columns ${head}`);
  return body.map((line) => {
    const [route, ...statuses] = cells(line);
    const expected = Object.fromEntries(
      WHO.map((who, index) => {
        const status = Number(statuses[index]);
        if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`docs/access.md: ${route} has "${statuses[index]}" for ${who}, not a status`);
        return [who, status];
      }),
    ) as Record<Who, number>;
    return { route: route.replace(/`/g, ''), expected };
  });
}

const isSuccess = (status: number) => status >= 200 && status < 300;

// ---------------------------------------------------------------------------------------
// Asking: an answer's whole text (body and headers), and the live stream's first bytes

interface Answer {
  status: number;
  /** The headers and the body as the client got them: a name can hide in either. */
  text: string;
  body: unknown;
}

interface Ask {
  method: string;
  path: string;
  body?: unknown;
}

async function ask(who: Who, { method, path, body }: Ask): Promise<Answer> {
  if (method === 'GET' && (path.startsWith('/stream') || path.startsWith('/alerts/stream'))) return askStream(who, path, (text) => text.includes(': connected'));
  const response = await api.http(who, method, path, { body });
  return { status: response.status, body: response.body, text: textOf(response.headers, response.body) };
}

function textOf(headers: Headers, body: unknown): string {
  const head = [...headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  return `${head}\n\n${typeof body === 'string' ? body : (JSON.stringify(body) ?? '')}`;
}

/** An open stream ends only when the client leaves: read until `enough`, or a few seconds. */
const STREAM_WAIT_MS = 3_000;

// On a connection of its own (node:http, no agent), closed when done: fetch's pool, whose
// streams were aborted, kept sockets open that had sent nothing, and the server's close
// waits for those until its headers timeout.
function askStream(who: Who, path: string, enough: (text: string) => boolean): Promise<Answer> {
  const headers: Record<string, string> = who === 'none' ? {} : { authorization: `Bearer ${KEYS[who]}` };
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = httpGet(`${api.baseUrl}${path}`, { headers, agent: false }, (response) => {
      let body = '';
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        const received = new Headers(Object.entries(response.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)] as [string, string]])));
        resolve({ status: response.statusCode ?? 0, body, text: textOf(received, body) });
      };
      const timer = setTimeout(done, STREAM_WAIT_MS);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (enough(body)) done();
      });
      response.on('end', done);
    });
    request.on('error', (error) => {
      if (!settled) reject(error);
    });
  });
}

// ---------------------------------------------------------------------------------------
// Records, written as an editor

const FIGURE = { party: 'Malian soldiers', outcome: 'killed', qualifier: 'exact', value: 3, originalText: 'three soldiers' };

async function written(path: string, body: unknown, method = 'POST', who: Who = 'editor'): Promise<{ id: string; claimId?: string; statementId?: string; version: number }> {
  const response = await api.http(who, method, path, { body });
  if (response.status !== 201) throw new Error(`Setting up: ${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const incidentAt = (place: string) => ({
  title: `Raid on the checkpoint at ${place}`,
  location: { place, region: 'Kidal', country: 'ML', precision: 'near' },
  occurred: { from: '2025-03-02', precision: 'day' },
  tags: ['matrix'],
});

/** An editor's desk subscription. */
const newSubscription = async () => (await written('/subscriptions', { target: { kind: 'desk' }, triggers: ['claim_reported'] })).id;

/** An editor's webhook subscription (not delivered: this app delivers nothing) and the delivery a claim made for it. */
let watching: Promise<{ subscriptionId: string; deliveryId: string }> | undefined;
function watched(): Promise<{ subscriptionId: string; deliveryId: string }> {
  watching ??= (async () => {
    const subscriptionId = (await written('/subscriptions', { target: { kind: 'webhook', url: 'https://hooks.example.org/ledger' }, triggers: ['claim_reported'] })).id;
    await newClaim(await newIncident(), claimant);
    await api.projected();
    const deliveries = await api.http('editor', 'GET', `/subscriptions/${subscriptionId}/deliveries`);
    return { subscriptionId, deliveryId: deliveries.body.items[0].id as string };
  })();
  return watching;
}

const newSource = async (name: string) => (await written('/sources', { name, kind: 'news_agency' })).id;
const newIncident = async (place = 'Aguelhok') => (await written('/incidents', incidentAt(place))).id;

async function newClaim(incidentId: string, claimantId: string): Promise<string> {
  const claim = await written(`/incidents/${incidentId}/claims`, {
    claimantId,
    summary: 'Three soldiers killed at the checkpoint',
    kind: 'casualties',
    figures: [FIGURE],
    statedAt: '2025-03-03T08:00:00Z',
  });
  return claim.claimId!;
}

/** The words that can name a source: every one of them is kept from those not shown who it is. */
interface Words {
  name: string;
  alias: string;
  description: string;
  quote: string;
  translation: string;
  url: string;
  /** What a public relay said, passing on the source's words. */
  relayedQuote: string;
  relayedUrl: string;
}

// ASCII without commas or quotes: found as written in JSON, CSV and headers alike.
const wordsOf = (tag: string): Words => ({
  name: `Informant ${tag} of Ber`,
  alias: `The ${tag} trader`,
  description: `Keeps a shop by the ${tag} well`,
  quote: `Nous avons vu les camions ${tag} bruler`,
  translation: `We saw the ${tag} trucks burn`,
  url: `https://example.org/interviews/${tag.toLowerCase()}-informant`,
  relayedQuote: `A ${tag} informant says three soldiers died`,
  relayedUrl: `https://example.org/relay/${tag.toLowerCase()}-post`,
});

/** A source's record on an incident of its own: it spoke, claimed, was relayed and graded. */
interface Recorded {
  sourceId: string;
  /** A public source that passed its words on. */
  relayId: string;
  incidentId: string;
  claimId: string;
  /** The incident's version once all is recorded. */
  version: number;
  /** An instant after all of it was recorded (and before a source is made confidential later). */
  recordedBy: string;
  /** The incident's place, a word of its title: what a search finds it by. */
  place: string;
}

async function record(words: Words, place: string, { confidential }: { confidential: boolean }): Promise<Recorded> {
  const [sourceId, relayId, incidentId] = await Promise.all([
    written('/sources', { name: words.name, kind: 'anonymous', aliases: [words.alias], description: words.description, country: 'ML', confidential }).then((source) => source.id),
    newSource(`Relay for ${place}`),
    newIncident(place),
  ]);
  const statement = await written(`/incidents/${incidentId}/statements`, {
    sourceId,
    medium: 'interview',
    quote: words.quote,
    language: 'fr',
    translation: words.translation,
    url: words.url,
    statedAt: '2025-03-03T08:00:00Z',
  });
  const claim = await written(`/incidents/${incidentId}/claims`, {
    claimantId: sourceId,
    statementId: statement.statementId,
    summary: 'Three soldiers killed at the checkpoint',
    kind: 'casualties',
    figures: [FIGURE],
    statedAt: '2025-03-03T08:00:00Z',
  });
  const relayed = await written(`/incidents/${incidentId}/statements`, {
    sourceId: relayId,
    via: [sourceId],
    medium: 'social_post',
    quote: words.relayedQuote,
    language: 'en',
    url: words.relayedUrl,
    statedAt: '2025-03-03T09:00:00Z',
  });
  await written(`/incidents/${incidentId}/claims`, {
    claimantId: relayId,
    via: [sourceId],
    statementId: relayed.statementId,
    summary: 'Soldiers killed according to a relayed account',
    kind: 'casualties',
    figures: [FIGURE],
    statedAt: '2025-03-03T09:00:00Z',
  });
  const graded = await written(`/incidents/${incidentId}/claims/${claim.claimId}/assessments`, { grade: 'unverified', rationale: 'one account, not confirmed' });
  // asOf is compared with recording times to the millisecond.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { sourceId, relayId, incidentId, claimId: claim.claimId!, version: graded.version, recordedBy: new Date().toISOString(), place };
}

// ---------------------------------------------------------------------------------------
// The source cases

const CONFIDENTIAL_SOURCE = 'Confidential source';
const DESK: readonly Who[] = ['editor', 'admin'];

interface SourceCase {
  label: string;
  words: Words;
  /** Records the source and what it said, and makes it what the case is about. */
  setup: (words: Words) => Promise<Recorded>;
  /** The roles shown who the source is; no answer to any other role may hold any of its words. */
  identifiedTo: readonly Who[];
  /** What the source is called to every other role, where an answer names it. */
  otherwiseNamed?: string;
}

const SOURCE_CASES: SourceCase[] = [
  {
    label: 'a public source',
    words: wordsOf('Kestrel'),
    setup: (words) => record(words, 'Tessalit', { confidential: false }),
    identifiedTo: WHO,
  },
  {
    label: 'a confidential source',
    words: wordsOf('Heron'),
    setup: (words) => record(words, 'Anefis', { confidential: true }),
    identifiedTo: DESK,
    otherwiseNamed: CONFIDENTIAL_SOURCE,
  },
  {
    label: 'a source made confidential after its statements were recorded',
    words: wordsOf('Osprey'),
    setup: async (words) => {
      const recorded = await record(words, 'Menaka', { confidential: false });
      // Answers held while it was public (views, searches, lists) must not outlive the change.
      await api.projected();
      await inTurns(readsAbout(recorded, words), async (read) => {
        for (const who of ['reader', 'editor'] as const) await ask(who, read);
      });
      await written(`/sources/${recorded.sourceId}`, { confidential: true, reason: 'the informant fears reprisals' }, 'PATCH');
      return recorded;
    },
    identifiedTo: DESK,
    otherwiseNamed: CONFIDENTIAL_SOURCE,
  },
  {
    label: 'an erased source',
    words: wordsOf('Egret'),
    setup: async (words) => {
      const recorded = await record(words, 'Gourma', { confidential: false });
      // Answers held while it could be read must not outlive its erasure.
      await api.projected();
      await inTurns(readsAbout(recorded, words), async (read) => {
        for (const who of ['reader', 'editor'] as const) await ask(who, read);
      });
      await written(`/sources/${recorded.sourceId}/erasure`, { reason: 'the informant asked to be forgotten' }, 'POST', 'admin');
      return recorded;
    },
    identifiedTo: [],
    otherwiseNamed: ERASED_SOURCE_NAME,
  },
];

/** A read that involves the case's source, and what it may show. */
interface SourceRead extends Ask {
  /** The matrix row that says who may read it. */
  route: string;
  /** The answer names the source to those shown who it is (and calls it `otherwiseNamed` to the rest). */
  names?: boolean;
  /**
   * A search by the source's name or alias: those shown who it is find it; to everyone else
   * the answer must not even list it, since being found by a name tells the name.
   */
  findsByName?: boolean;
  /** For the live stream: the changes to read before leaving. */
  changes?: number;
}

/** The reads about the source of `recorded`, in every form that can name it. */
function readsAbout(recorded: Recorded, words: Words): SourceRead[] {
  const { sourceId, relayId, incidentId, claimId, version, recordedBy, place } = recorded;
  const get = (route: string, path: string, more: Partial<SourceRead> = {}): SourceRead => ({ route, method: 'GET', path, ...more });
  const incident = `/incidents/${incidentId}`;
  return [
    get('GET /sources', '/sources?kind=anonymous&limit=100', { names: true }),
    get('GET /sources', `/sources?q=${encodeURIComponent(words.name)}`, { findsByName: true }),
    get('GET /sources', `/sources?q=${encodeURIComponent(words.alias)}`, { findsByName: true }),
    get('GET /sources/{sourceId}', `/sources/${sourceId}`, { names: true }),
    get('GET /sources/{sourceId}', `/sources/${relayId}`),
    get('GET /sources/{sourceId}/access-log', `/sources/${sourceId}/access-log`),
    get('GET /incidents', `/incidents?q=${place}`),
    get('GET /incidents', `/incidents?claimant=${sourceId}`),
    get('GET /incidents/{incidentId}', incident, { names: true }),
    get('GET /incidents/{incidentId}', `${incident}?asOf=${recordedBy}`, { names: true }),
    get('GET /incidents/{incidentId}', `${incident}?version=${version - 1}`, { names: true }),
    get('GET /incidents/{incidentId}', `${incident}?statedBefore=2025-03-04T00:00:00Z`, { names: true }),
    get('GET /incidents/{incidentId}/timeline', `${incident}/timeline`, { names: true }),
    get('GET /incidents/{incidentId}/diff', `${incident}/diff?from=0&to=${version}`),
    get('GET /incidents/{incidentId}/claim-reviews', `${incident}/claim-reviews`),
    get('GET /incidents/{incidentId}/claims/{claimId}/claim-review', `${incident}/claims/${claimId}/claim-review`),
    get('GET /exports/figures.csv', `/exports/figures.csv?incidentId=${incidentId}`, { names: true }),
    get('GET /exports/figures.csv', `/exports/figures.csv?incidentId=${incidentId}&format=hxl`, { names: true }),
    get('GET /exports/figures.ndjson', `/exports/figures.ndjson?incidentId=${incidentId}`, { names: true }),
    get('GET /exports/figures.ndjson', `/exports/figures.ndjson?incidentId=${incidentId}&asOf=${recordedBy}`, { names: true }),
    get('GET /exports/incidents.csv', `/exports/incidents.csv?incidentId=${incidentId}`),
    get('GET /exports/incidents.ndjson', `/exports/incidents.ndjson?incidentId=${incidentId}`),
    get('GET /stream', `/stream?after=${encodeURIComponent(firstPosition)}&incidentId=${incidentId}`, { changes: version + 1 }),
    // The raw events, as stored: what identifies a source is sealed there (docs/audit.md, Erasure).
    get('GET /incidents/{incidentId}/events', `${incident}/events`),
    get('GET /ledger', '/ledger?limit=1000'),
  ];
}

// ---------------------------------------------------------------------------------------
// A well-formed request for every route, as each role: writes on records of their own

/** The record the reads ask about, and a claimant for the writes' claims. */
let shared: Recorded;
let claimant: string;
/** The ledger's first position: where the live stream and the inclusion proof start. */
let firstPosition: string;

const split = (who: Who) => `split by ${who}`;

const REQUESTS: Record<string, (who: Who) => Ask | Promise<Ask>> = {
  'GET /health': () => get('/health'),
  'GET /metrics': () => get('/metrics'),
  'GET /me': () => get('/me'),
  'GET /ledger': () => get('/ledger'),
  'GET /stream': () => get('/stream'),
  'GET /admin/projections': () => get('/admin/projections'),
  'POST /admin/projections/{name}/rebuild': () => ({ method: 'POST', path: '/admin/projections/source-view/rebuild' }),
  'POST /sources': (who) => ({ method: 'POST', path: '/sources', body: { name: `Agency registered by ${who}`, kind: 'news_agency' } }),
  'GET /sources': () => get('/sources'),
  'PATCH /sources/{sourceId}': async (who) => ({
    method: 'PATCH',
    path: `/sources/${await newSource(`Agency revised by ${who}`)}`,
    body: { description: 'A stringer network in Gao', reason: 'context for readers' },
  }),
  'GET /sources/{sourceId}': () => get(`/sources/${shared.sourceId}`),
  'GET /sources/{sourceId}/access-log': () => get(`/sources/${shared.sourceId}/access-log`),
  'POST /sources/{sourceId}/erasure': async (who) => ({
    method: 'POST',
    path: `/sources/${await newSource(`Agency erased by ${who}`)}/erasure`,
    body: { reason: 'the agency asked to be forgotten' },
  }),
  'POST /incidents': () => ({ method: 'POST', path: '/incidents', body: incidentAt('Ber') }),
  'GET /incidents': () => get('/incidents?country=ML'),
  'PATCH /incidents/{incidentId}': async () => ({ method: 'PATCH', path: `/incidents/${await newIncident()}`, body: { title: 'Raid on the Aguelhok camp', reason: 'the army names the camp' } }),
  'GET /incidents/{incidentId}': () => get(`/incidents/${shared.incidentId}`),
  'POST /incidents/{incidentId}/links': async () => {
    const [incidentId, otherIncidentId] = await Promise.all([newIncident(), newIncident('Tessalit')]);
    return { method: 'POST', path: `/incidents/${incidentId}/links`, body: { otherIncidentId, relation: 'follows' } };
  },
  'POST /incidents/{incidentId}/merge': async () => {
    const [incidentId, into] = await Promise.all([newIncident(), newIncident()]);
    return { method: 'POST', path: `/incidents/${incidentId}/merge`, body: { into, reason: 'the same raid, logged twice' } };
  },
  'POST /incidents/{incidentId}/split': async (who) => {
    const incidentId = await newIncident();
    const claimId = await newClaim(incidentId, claimant);
    return { method: 'POST', path: `/incidents/${incidentId}/split`, body: { ...incidentAt('Tessalit'), title: split(who), claims: [claimId], reason: 'another raid the same day' } };
  },
  'POST /incidents/{incidentId}/statements': async () => ({
    method: 'POST',
    path: `/incidents/${await newIncident()}/statements`,
    body: { sourceId: claimant, medium: 'communique', quote: 'The checkpoint was attacked at dawn', language: 'en', statedAt: '2025-03-03T08:00:00Z' },
  }),
  'POST /incidents/{incidentId}/claims': async () => ({
    method: 'POST',
    path: `/incidents/${await newIncident()}/claims`,
    body: { claimantId: claimant, summary: 'Two soldiers wounded', kind: 'casualties', figures: [{ ...FIGURE, outcome: 'injured', value: 2 }], statedAt: '2025-03-03T08:00:00Z' },
  }),
  'POST /incidents/{incidentId}/claims/{claimId}/amendments': async () => ({
    method: 'POST',
    path: `${await claimPath()}/amendments`,
    body: { figures: [{ ...FIGURE, value: 4 }], statedAt: '2025-03-04T08:00:00Z', reason: 'a second communique' },
  }),
  'POST /incidents/{incidentId}/claims/{claimId}/retractions': async () => ({
    method: 'POST',
    path: `${await claimPath()}/retractions`,
    body: { reason: 'the army withdrew the figure', statedAt: '2025-03-04T08:00:00Z' },
  }),
  'POST /incidents/{incidentId}/claims/{claimId}/corrections': async () => ({
    method: 'POST',
    path: `${await claimPath()}/corrections`,
    body: { summary: 'Three soldiers killed near the checkpoint', reason: 'typo' },
  }),
  'POST /incidents/{incidentId}/claims/{claimId}/assessments': async () => ({
    method: 'POST',
    path: `${await claimPath()}/assessments`,
    body: { grade: 'corroborated', rationale: 'a local official confirms it' },
  }),
  'GET /incidents/{incidentId}/timeline': () => get(`/incidents/${shared.incidentId}/timeline`),
  'GET /incidents/{incidentId}/diff': () => get(`/incidents/${shared.incidentId}/diff?from=0&to=1`),
  'GET /incidents/{incidentId}/claim-reviews': () => get(`/incidents/${shared.incidentId}/claim-reviews`),
  'GET /incidents/{incidentId}/claims/{claimId}/claim-review': () => get(`/incidents/${shared.incidentId}/claims/${shared.claimId}/claim-review`),
  'GET /incidents/{incidentId}/events': () => get(`/incidents/${shared.incidentId}/events`),
  'GET /audit/public-key': () => get('/audit/public-key'),
  'GET /audit/checkpoints': () => get('/audit/checkpoints'),
  'GET /audit/proofs/inclusion': () => get(`/audit/proofs/inclusion?position=${encodeURIComponent(firstPosition)}`),
  'GET /audit/proofs/consistency': () => get('/audit/proofs/consistency?from=1'),
  'GET /audit/verify': () => get('/audit/verify'),
  'POST /audit/replay-check': () => ({ method: 'POST', path: '/audit/replay-check' }),
  'GET /exports/figures.csv': () => get(`/exports/figures.csv?incidentId=${shared.incidentId}`),
  'GET /exports/figures.ndjson': () => get(`/exports/figures.ndjson?incidentId=${shared.incidentId}`),
  'GET /exports/incidents.csv': () => get(`/exports/incidents.csv?incidentId=${shared.incidentId}`),
  'GET /exports/incidents.ndjson': () => get(`/exports/incidents.ndjson?incidentId=${shared.incidentId}`),
  'POST /subscriptions': () => ({ method: 'POST', path: '/subscriptions', body: { target: { kind: 'desk' }, triggers: ['claim_reported'] } }),
  'GET /subscriptions': () => get('/subscriptions'),
  'GET /subscriptions/{subscriptionId}': async () => get(`/subscriptions/${(await watched()).subscriptionId}`),
  'PATCH /subscriptions/{subscriptionId}': async () => ({ method: 'PATCH', path: `/subscriptions/${await newSubscription()}`, body: { triggers: ['claim_retracted'] } }),
  'DELETE /subscriptions/{subscriptionId}': async () => ({ method: 'DELETE', path: `/subscriptions/${await newSubscription()}` }),
  'GET /subscriptions/{subscriptionId}/deliveries': async () => get(`/subscriptions/${(await watched()).subscriptionId}/deliveries`),
  'POST /subscriptions/{subscriptionId}/deliveries/{deliveryId}/redelivery': async () => {
    const { subscriptionId, deliveryId } = await watched();
    return { method: 'POST', path: `/subscriptions/${subscriptionId}/deliveries/${deliveryId}/redelivery` };
  },
  'GET /alerts': () => get('/alerts'),
  'GET /alerts/stream': () => get('/alerts/stream'),
  'GET /openapi.json': () => get('/openapi.json'),
  'GET /openapi.yaml': () => get('/openapi.yaml'),
  'GET /docs': () => get('/docs'),
  'GET /docs/LICENSE': () => get('/docs/LICENSE'),
  'GET /': () => get('/'),
  'GET /index.html': () => get('/index.html'),
};

/**
 * `work` for each item, a few at a time: the service streams four exports at once and
 * answers a fifth 503 exports_busy (README), which is not what these reads are about.
 */
async function inTurns<T>(items: readonly T[], work: (item: T) => Promise<void>, atOnce = 4): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

function get(path: string): Ask {
  return { method: 'GET', path };
}

async function claimPath(): Promise<string> {
  const incidentId = await newIncident();
  return `/incidents/${incidentId}/claims/${await newClaim(incidentId, claimant)}`;
}

// ---------------------------------------------------------------------------------------
// The routes the service serves

/** `METHOD /path` of every operation in the OpenAPI document. */
async function openApiRoutes(): Promise<string[]> {
  const document = await api.http('none', 'GET', '/openapi.json');
  expect(document.status).toBe(200);
  return Object.entries(document.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * Every route Fastify would answer, from its own listing of its router (printRoutes: a tree
 * whose labels, joined from the root, spell each path), `:param` spelled `{param}` as in
 * OpenAPI. HEAD comes with each GET and answers as it does: a HEAD without a GET is listed.
 */
function servedRoutes(): string[] {
  const tree = api.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const pathAt: string[] = [];
  const routes = new Set<string>();
  for (const line of tree.split('\n')) {
    const node = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1].length / 4;
    pathAt[depth] = (depth === 0 ? '' : pathAt[depth - 1]) + node[2];
    const path = pathAt[depth].replace(/:(\w+)/g, '{$1}');
    for (const method of node[3]?.split(', ') ?? []) routes.add(`${method} ${path}`);
  }
  return [...routes].filter((route) => !(route.startsWith('HEAD ') && routes.has(route.replace(/^HEAD /, 'GET '))));
}

/** The row of OTHER_ROWS that documents `route`: its own, or else one whose path ends in `/*` above it. */
function otherRowFor(route: string): Row | undefined {
  return OTHER_ROWS.find((row) => row.route === route) ?? OTHER_ROWS.find((row) => row.route.endsWith('/*') && route.startsWith(row.route.slice(0, -1)));
}

// ---------------------------------------------------------------------------------------

beforeAll(async () => {
  // A checkpoint at every event sealed: the proofs need a signed tree, however few events there are.
  api = await startTestApp({ AUDIT_CHECKPOINT_EVERY_EVENTS: '1' });
  claimant = await newSource('Malian army communiques');
  shared = await record(wordsOf('Shared'), 'Kidal', { confidential: false });
  // The ledger's readers see an event once no older transaction on the server is still open:
  // under load another test file's may hold them back a moment.
  await eventually(async () => (await api.http('auditor', 'GET', '/ledger?limit=1')).body.events.length > 0, 'the ledger to show its first event');
  firstPosition = (await api.http('auditor', 'GET', '/ledger?limit=1')).body.events[0].position;
}, 60_000);

afterAll(async () => {
  await api?.close();
});

describe('the documented matrix', () => {
  it('has a row for every operation of the OpenAPI document, and none for an operation it lacks', async () => {
    const documented = API_ROWS.map((row) => row.route).sort();
    expect(documented).toEqual((await openApiRoutes()).sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('documents every other route the service answers, and no route it does not', async () => {
    const served = servedRoutes();
    const openApi = await openApiRoutes();
    // The listing was read right: it holds every operation of the document.
    expect(openApi.filter((route) => !served.includes(route))).toEqual([]);
    const others = served.filter((route) => !openApi.includes(route));
    expect(others.filter((route) => otherRowFor(route) === undefined)).toEqual([]);
    // A row for nothing served is stale; the desk's rows need a build (npm run build).
    expect(OTHER_ROWS.filter((row) => !others.some((route) => otherRowFor(route) === row)).map((row) => row.route)).toEqual([]);
  });

  it('can ask every row, and nothing else', () => {
    const askable = (row: Row) => row.route in REQUESTS || row.route.endsWith('/*');
    expect([...ROWS.values()].filter((row) => !askable(row)).map((row) => row.route)).toEqual([]);
    expect(Object.keys(REQUESTS).filter((route) => !ROWS.has(route))).toEqual([]);
  });
});

describe('every route as every role', () => {
  beforeAll(async () => {
    await api.projected();
    // The inclusion proof needs a sealed tree that holds the first event.
    await api.sealed();
  });

  it('answers each the status docs/access.md gives it', async () => {
    const served = servedRoutes();
    // Files under a `/*` row are asked one by one; the wildcard routes themselves name no file.
    const files = OTHER_ROWS.filter((row) => row.route.endsWith('/*')).flatMap((row) =>
      served.filter((route) => otherRowFor(route) === row && !/[*{]/.test(route)).map((route) => ({ row, ask: get(route.replace(/^GET /, '')) })),
    );
    // Each write on records of its own, made beforehand: no write changes what another asks about.
    const asked = await Promise.all(
      [...ROWS.values()]
        .filter((row) => !row.route.endsWith('/*'))
        .flatMap((row) => WHO.map(async (who) => ({ row, who, ask: await REQUESTS[row.route](who) }))),
    );
    const cases = [...asked, ...files.flatMap(({ row, ask }) => WHO.map((who) => ({ row, who, ask })))];

    const wrong: string[] = [];
    // One at a time: a projection rebuild and a replay check must not run into each other.
    for (const { row, who, ask: request } of cases) {
      const { status, body } = await ask(who, request);
      if (status !== row.expected[who]) wrong.push(`${request.method} ${request.path} as ${who}: ${status}, documented ${row.expected[who]} (${JSON.stringify(body)?.slice(0, 200)})`);
    }
    expect(wrong).toEqual([]);
    // A `/*` row that matched no file would have gone unasked.
    expect(new Set(cases.map(({ row }) => row.route)).size).toBe(ROWS.size);
  });

  it('answers HEAD as GET', async () => {
    const reads = [...(await asHead(API_ROWS)), ...(await asHead(OTHER_ROWS))];
    const wrong: string[] = [];
    await Promise.all(
      reads.map(async ({ row, ask: request }) => {
        for (const who of WHO) {
          const { status } = await ask(who, { ...request, method: 'HEAD' });
          if (status !== row.expected[who]) wrong.push(`HEAD ${request.path} as ${who}: ${status}, documented ${row.expected[who]}`);
        }
      }),
    );
    expect(wrong).toEqual([]);
    expect(reads.length).toBeGreaterThan(20);
  });
});

const LIVE_STREAMS = ['GET /stream', 'GET /alerts/stream'];

/** The GET rows asked with HEAD: the live streams, which never end, are not. */
function asHead(rows: Row[]): Promise<{ row: Row; ask: Ask }[]> {
  return Promise.all(
    rows.filter((row) => row.route.startsWith('GET ') && !LIVE_STREAMS.includes(row.route) && row.route in REQUESTS).map(async (row) => ({ row, ask: await REQUESTS[row.route]('none') })),
  );
}

describe.each(SOURCE_CASES)('$label', ({ words, setup, identifiedTo, otherwiseNamed }) => {
  let recorded: Recorded;
  const identifying = Object.entries(words) as [keyof Words, string][];

  beforeAll(async () => {
    recorded = await setup(words);
    await api.projected();
  }, 30_000);

  it('is asked about in every read that involves a source', () => {
    const involved = [...new Set(readsAbout(recorded, words).map((read) => read.route))];
    // The routes about a source, an incident or the exports, but for writes and the audit log's proofs.
    const expected = API_ROWS.map((row) => row.route).filter((route) => /^GET \/(sources|incidents|exports|stream|ledger)/.test(route));
    expect(involved.sort()).toEqual(expected.sort());
  });

  it('is shown only to the roles that may see who it is, in every read, asked twice (once from what is held)', async () => {
    const found: string[] = [];
    const missing: string[] = [];
    await inTurns(readsAbout(recorded, words), async (read) => {
      const row = ROWS.get(read.route)!;
      // Each role after the others, twice over: a held answer must be held for its own role only.
      for (const who of [...WHO, ...WHO]) {
        const answer =
          read.changes === undefined ? await ask(who, read) : await askStream(who, read.path, (text) => changesIn(text) >= read.changes!);
        const where = `${read.path} as ${who}`;
        if (answer.status !== row.expected[who]) missing.push(`${where}: ${answer.status}, documented ${row.expected[who]}`);
        const identified = identifiedTo.includes(who);
        if (!identified) {
          for (const [field, text] of identifying) if (answer.text.includes(text)) found.push(`${where}: its ${field} "${text}"`);
          if (read.findsByName && answer.text.includes(recorded.sourceId)) found.push(`${where}: finds it`);
        }
        if (!isSuccess(row.expected[who])) continue;
        if ((read.names || read.findsByName) && identified && !answer.text.includes(words.name)) missing.push(`${where}: no name`);
        if (read.names && !identified && otherwiseNamed !== undefined && !answer.text.includes(otherwiseNamed)) missing.push(`${where}: not called "${otherwiseNamed}"`);
        if (read.changes !== undefined && changesIn(answer.text) < read.changes) missing.push(`${where}: fewer than ${read.changes} changes`);
      }
    });
    expect(found).toEqual([]);
    expect(missing).toEqual([]);
  });
});


/** The live stream's change events in `text`. */
function changesIn(text: string): number {
  return text.match(/^event: change$/gm)?.length ?? 0;
}
