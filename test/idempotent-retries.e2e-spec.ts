import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { IdempotencyStore } from '../src/http/idempotency.js';
import { ledgerLength } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { newClient } from '../src/database/pool.js';

// A desk's retry must never log twice: not when the first answer is replayed, and not when
// the first answer was lost after the write was stored (after a 5xx the Idempotency-Key
// waits for the same request, which runs again and finds what its first run stored).

let api: TestApp;
let admin: pg.Client;
let jnim: string;
let incidentId: string;

const statedAt = '2024-07-28T00:00:00Z';

beforeAll(async () => {
  api = await startTestApp();
  admin = newClient(api.database.url);
  await admin.connect();
  jnim = (await api.http('editor', 'POST', '/sources', { body: { name: 'JNIM', kind: 'armed_group' } })).body.id;
  incidentId = (
    await api.http('editor', 'POST', '/incidents', {
      body: {
        title: 'Ambush of a Malian army and Wagner convoy south of Tinzaouaten',
        location: { place: 'south of Tinzaouaten', region: 'Kidal', country: 'ML', precision: 'near' },
        occurred: { from: '2024-07-27', precision: 'day' },
      },
    })
  ).body.id;
});

afterAll(async () => {
  await admin.end();
  await api.close();
});

async function eventsOf(stream: string): Promise<{ type: string; revision: number }[]> {
  const response = await api.http('auditor', 'GET', `${stream}/events?limit=1000`);
  expect(response.status).toBe(200);
  return response.body.events;
}

/**
 * What a 5xx after the commit leaves: the write stored, but no answer recorded for its key,
 * which then waits for the same request's retry.
 */
async function loseTheAnswer(key: string): Promise<void> {
  const claim = { principal: 'editor-desk', key };
  const { rows } = await admin.query<{ claimed_at: string }>(
    'UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL WHERE principal = $1 AND key = $2 RETURNING created_at::text AS claimed_at',
    [claim.principal, claim.key],
  );
  expect(rows).toHaveLength(1);
  await api.app.get(IdempotencyStore).leaveForRetry({ ...claim, claimedAt: rows[0].claimed_at });
}

describe('a revision (PATCH) retried with its Idempotency-Key', () => {
  it('gets the first answer again: not a 412 for its own write, not a second revision', async () => {
    const version = (await eventsOf(`/incidents/${incidentId}`)).at(-1)?.revision;
    const key = `revise-${uuidv7()}`;
    const send = () =>
      api.http('editor', 'PATCH', `/incidents/${incidentId}`, {
        body: { tags: ['mali', 'wagner', 'jnim'], reason: 'tagged for the desk' },
        headers: { 'idempotency-key': key, 'if-match': `"${version}"` },
      });
    const first = await send();
    const retry = await send();

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await eventsOf(`/incidents/${incidentId}`)).filter((event) => event.type === 'IncidentRevised')).toHaveLength(1);
  });
});

describe('a write whose answer was lost after it was stored, retried with its Idempotency-Key', () => {
  const claim = { claimantId: '', summary: 'JNIM claims 50 Wagner fighters killed', kind: 'casualties', statedAt };

  it.each([
    ['opening an incident', () => ({ path: '/incidents', body: { title: 'Battle of Tinzaouaten', location: { place: 'Tinzaouaten', country: 'ML', precision: 'near' }, occurred: { from: '2024-07-22', precision: 'day' } } }), 'id', (id: string) => `/incidents/${id}`],
    ['registering a source', () => ({ path: '/sources', body: { name: 'SITE Intelligence Group', kind: 'monitoring_group' } }), 'id', undefined],
    ['reporting a claim', () => ({ path: `/incidents/${incidentId}/claims`, body: { ...claim, claimantId: jnim } }), 'claimId', () => `/incidents/${incidentId}`],
    ['recording a statement', () => ({ path: `/incidents/${incidentId}/statements`, body: { sourceId: jnim, medium: 'communique', quote: 'We ambushed the convoy.', language: 'en', statedAt } }), 'statementId', () => `/incidents/${incidentId}`],
  ])('%s: the retry names what the first run made, and it is stored once', async (_, request, idField, stream) => {
    const { path, body } = request();
    const key = `lost-${uuidv7()}`;
    const first = await api.http('editor', 'POST', path, { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const before = await ledgerLength(api.app);
    await loseTheAnswer(key);

    const retry = await api.http('editor', 'POST', path, { body, headers: { 'idempotency-key': key } });

    expect(retry.status).toBe(200);
    expect(retry.body[idField]).toBe(first.body[idField]);
    expect(retry.body.version).toBe(first.body.version);
    expect(await ledgerLength(api.app)).toBe(before);
    if (stream) expect((await eventsOf(stream(first.body.id))).at(-1)?.revision).toBe(first.body.version);
  });

  it('amending a claim: the amendment is stored once, and the retry answers its version', async () => {
    const claimId = (await api.http('editor', 'POST', `/incidents/${incidentId}/claims`, { body: { ...claim, claimantId: jnim } })).body.claimId;
    const amendment = { figures: [{ party: 'Wagner', outcome: 'killed', qualifier: 'exact', value: 50, originalText: '50 Wagner mercenaries' }], statedAt, reason: 'JNIM gave a figure' };
    const key = `lost-${uuidv7()}`;
    const first = await api.http('editor', 'POST', `/incidents/${incidentId}/claims/${claimId}/amendments`, { body: amendment, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    await loseTheAnswer(key);

    const retry = await api.http('editor', 'POST', `/incidents/${incidentId}/claims/${claimId}/amendments`, { body: amendment, headers: { 'idempotency-key': key } });

    expect(retry.status).toBe(200);
    expect(retry.body.version).toBe(first.body.version);
    const events = await eventsOf(`/incidents/${incidentId}`);
    expect(events.filter((event) => event.type === 'ClaimAmended')).toHaveLength(1);
    expect(events.at(-1)?.revision).toBe(first.body.version);
  });

  it('the key stays the lost request’s: another body or another route under it is a 422, and stores nothing', async () => {
    const key = `lost-${uuidv7()}`;
    const body = { name: 'SITE Intelligence Group', kind: 'monitoring_group' };
    expect((await api.http('editor', 'POST', '/sources', { body, headers: { 'idempotency-key': key } })).status).toBe(201);
    await loseTheAnswer(key);
    const before = await ledgerLength(api.app);

    const otherBody = await api.http('editor', 'POST', '/sources', { body: { ...body, name: 'SITE' }, headers: { 'idempotency-key': key } });
    const otherRoute = await api.http('editor', 'POST', `/incidents/${incidentId}/statements`, {
      body: { sourceId: jnim, medium: 'communique', quote: 'We ambushed the convoy.', language: 'en', statedAt },
      headers: { 'idempotency-key': key },
    });

    expect([otherBody.status, otherBody.body.code, otherRoute.status, otherRoute.body.code]).toEqual([422, 'idempotency_key_reused', 422, 'idempotency_key_reused']);
    expect(await ledgerLength(api.app)).toBe(before);
    expect((await api.http('editor', 'POST', '/sources', { body, headers: { 'idempotency-key': key } })).status).toBe(200);
  });

  it('the same key from another editor is another write', async () => {
    const body = { name: 'Russian military blogs', kind: 'social_media' };
    const key = `shared-${uuidv7()}`;
    const mine = await api.http('editor', 'POST', '/sources', { body, headers: { 'idempotency-key': key } });
    const theirs = await api.http('admin', 'POST', '/sources', { body, headers: { 'idempotency-key': key } });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});

it('a key on a body nested deeper than the call stack: a 400, not a 500', async () => {
  const deep = `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`;
  const answer = await api.http('editor', 'POST', '/sources', { rawBody: deep, headers: { 'idempotency-key': `deep-${uuidv7()}`, 'content-type': 'application/json' } });
  expect(answer.status).toBe(400);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.body.errors[0].field).toBe('body');
});

it('a run taken over after it outlived the abandonment window records nothing over the run that took it over', async () => {
  const store = api.app.get(IdempotencyStore);
  const claim = { principal: 'editor-desk', key: `slow-${uuidv7()}` };
  const first = await store.begin(claim, 'the request');
  expect(first).toMatchObject({ kind: 'run', retried: false });
  await admin.query("UPDATE idempotency_keys SET created_at = now() - interval '2 minutes' WHERE principal = $1 AND key = $2", [claim.principal, claim.key]);
  const second = await store.begin(claim, 'the request');
  expect(second).toMatchObject({ kind: 'run', retried: true });
  if (first.kind !== 'run' || second.kind !== 'run') return;

  // The slow first run ends: refused, unknown or answered, none of it is its to record now.
  await store.release({ ...claim, claimedAt: first.claimedAt });
  await store.leaveForRetry({ ...claim, claimedAt: first.claimedAt });
  await store.complete({ ...claim, claimedAt: first.claimedAt }, 201, {}, '{"from":"the first run"}');
  const held = await admin.query('SELECT status, created_at::text AS claimed_at FROM idempotency_keys WHERE principal = $1 AND key = $2', [claim.principal, claim.key]);
  expect(held.rows).toEqual([{ status: null, claimed_at: second.claimedAt }]);

  await store.complete({ ...claim, claimedAt: second.claimedAt }, 201, {}, '{"from":"the second run"}');
  expect(await store.begin(claim, 'the request')).toMatchObject({ kind: 'replay', status: 201, body: '{"from":"the second run"}' });
});
