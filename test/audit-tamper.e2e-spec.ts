import { randomUUID } from 'node:crypto';
import { AuditSealer } from '../src/audit/audit-sealer.js';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.js';
import { eventually } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { asSuperuser } from './support/test-database.js';
import { newClient } from '../src/database/pool.js';

// A database superuser edits history behind the service's back, with the append-only
// triggers out of the way: GET /audit/verify names the first place the ledger no longer
// matches what was sealed, and what is wrong there. Each case gets a ledger of its own.

const EVENTS = 30;

let api: TestApp | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A fresh service whose ledger holds 30 events, one append (one transaction) each, all sealed, with a checkpoint every 10. */
async function sealedLedger(): Promise<{ api: TestApp; positions: string[] }> {
  api = await startTestApp({ AUDIT_CHECKPOINT_EVERY_EVENTS: '10' });
  for (let n = 0; n < EVENTS; n++) await appendThroughService(api, { n, note: `event number ${n}` });
  await api.sealed();
  return { api, positions: (await ledger(api)).map(({ position }) => position) };
}

/** An event appended as the service appends: through its store, which signs it. */
async function appendThroughService(app: TestApp, data: Record<string, unknown>): Promise<void> {
  const store = app.app.get<EventStore>(EVENT_STORE);
  await store.appendToStream(`probe-${randomUUID()}`, [{ id: randomUUID(), type: 'AuditProbe', data, metadata: { recordedBy: 'audit-test' } }], { expectedRevision: 'no_stream' });
}

async function ledger(app: TestApp): Promise<{ position: string; eventId: string }[]> {
  const { body } = await app.http('auditor', 'GET', '/ledger?limit=100');
  return body.events;
}

/**
 * Once the ledger holds `events` (the read horizon may hold rows back for a moment,
 * test/support/caught-up.ts), has the sealer seal what it will, by hand: `api.sealed()`
 * would wait for ever for it to seal a row it refuses.
 */
async function sealWhatItWill(app: TestApp, events: number): Promise<{ position: string; eventId: string }[]> {
  await eventually(async () => (await ledger(app)).length === events, `${events} events within the read horizon`);
  await app.app.get(AuditSealer).catchUp();
  return ledger(app);
}

/** "<transaction id>:<position>": the PostgreSQL store's position, split. */
const parts = (position: string) => position.split(':');

async function verify(app: TestApp) {
  const answer = await app.http('auditor', 'GET', '/audit/verify');
  expect(answer.status).toBe(200);
  return answer.body;
}

it('verifies an untouched ledger clean, counting the events not sealed yet', async () => {
  const { api, positions } = await sealedLedger();
  await appendThroughService(api, {});
  // Verify reads the ledger below the server-wide read horizon, which another test file's
  // transaction can hold back for a moment (test/support/caught-up.ts).
  await eventually(async () => (await ledger(api)).length === positions.length + 1, 'the new event within the read horizon');
  expect(await verify(api)).toEqual({
    ok: true,
    treeSize: positions.length,
    eventsRead: positions.length + 1,
    unsealedEvents: 1,
    firstMismatch: null,
    checkpoints: { total: 3, valid: 3, firstInvalid: null },
  });
});

it('names a changed byte of an event’s data: changed, at that event', async () => {
  const { api, positions } = await sealedLedger();
  const [, position] = parts(positions[12]);
  await asSuperuser(api.database.url, `UPDATE events SET data = replace(data::text, 'number 12', 'number 13')::jsonb WHERE position = $1`, [position]);
  const report = await verify(api);
  expect(report.ok).toBe(false);
  expect(report.firstMismatch).toMatchObject({ kind: 'changed', leafIndex: 12, position: positions[12] });
  // The first signed tree that holds the event no longer has its signed root.
  expect(report.checkpoints).toMatchObject({ valid: 1, firstInvalid: { treeSize: 20, problem: 'root' } });
});

it('names a deleted event: missing, at its position', async () => {
  const { api, positions } = await sealedLedger();
  await asSuperuser(api.database.url, 'DELETE FROM events WHERE position = $1', [parts(positions[7])[1]]);
  const report = await verify(api);
  expect(report.firstMismatch).toMatchObject({ kind: 'missing', leafIndex: 7, position: positions[7], found: { position: positions[8] } });
  expect(report.checkpoints.firstInvalid).toMatchObject({ treeSize: 10, problem: 'root' });
});

it('names two swapped events: reordered, at the first of them', async () => {
  const { api, positions } = await sealedLedger();
  // The global order is (transaction id, position): trading transaction ids swaps the events.
  const [first, second] = [parts(positions[5]), parts(positions[9])];
  await asSuperuser(api.database.url, 'UPDATE events SET transaction_id = CASE position WHEN $1 THEN $4::xid8 ELSE $2::xid8 END WHERE position IN ($1, $3)', [first[1], first[0], second[1], second[0]]);
  const report = await verify(api);
  expect(report.firstMismatch).toMatchObject({ kind: 'reordered', leafIndex: 5, position: positions[5], found: { position: `${first[0]}:${second[1]}` } });
});

it('names a row slipped into the sealed past: extra, at that row', async () => {
  const { api, positions } = await sealedLedger();
  // Recorded "in" the transaction of the event at leaf 14: it sorts right after it.
  const [transactionId] = parts(positions[14]);
  await asSuperuser(
    api.database.url,
    `INSERT INTO events (position, transaction_id, event_id, stream_id, revision, type, data, metadata) OVERRIDING SYSTEM VALUE
     VALUES (nextval(pg_get_serial_sequence('events', 'position')), $1, $2, $3, 0, 'AuditProbe', '{"n": 99}', '{"recordedBy": "audit-test"}')`,
    [transactionId, randomUUID(), `probe-${randomUUID()}`],
  );
  const report = await verify(api);
  expect(report.firstMismatch).toMatchObject({ kind: 'extra', leafIndex: 15, sealed: { position: positions[15] } });
  expect(report.firstMismatch.position).toMatch(new RegExp(`^${transactionId}:`));
  expect(report.firstMismatch.position).not.toBe(positions[15]);
});

// Behind the sealed ones, a row is not yet covered by any leaf: what gives it away is that
// it lacks the service's signature (or repeats a signed event's id). The sealer seals
// neither it nor anything after it, and GET /health names it.

const INSERT_AT_THE_END = `INSERT INTO events (event_id, stream_id, revision, type, data, metadata)`;

async function expectRefusedAndNamed(app: TestApp, { position, eventId }: { position: string; eventId: string }, kind: string, reason: RegExp): Promise<void> {
  const at = { position, eventId };
  const report = await verify(app);
  expect(report).toMatchObject({ ok: false, treeSize: EVENTS, firstMismatch: { kind, leafIndex: EVENTS, position: at.position, sealed: null, found: at } });
  // The service looks at itself every two seconds: the next look names it.
  let health = await app.http('admin', 'GET', '/health');
  await eventually(async () => (health = await app.http('admin', 'GET', '/health')).body.checks.auditLog.refused !== null, 'the health check to name the refused event');
  expect(health.status).toBe(200);
  expect(health.body.checks.auditLog).toMatchObject({ status: 'up', refused: { ...at, reason: expect.stringMatching(reason) } });
}

it('names a row appended behind the service’s back, after the sealed ones: unsigned, at that row, which the sealer does not seal, nor what follows', async () => {
  const { api } = await sealedLedger();
  const forged = randomUUID();
  await asSuperuser(api.database.url, `${INSERT_AT_THE_END} VALUES ($1, $2, 0, 'ClaimRetracted', '{"claimId": "c-1", "reason": "withdrawn"}', '{"recordedBy": "audit-test"}')`, [
    forged,
    `incident-${randomUUID()}`,
  ]);
  await appendThroughService(api, { n: EVENTS + 1 });
  const events = await sealWhatItWill(api, EVENTS + 2);
  expect(events[EVENTS].eventId).toBe(forged);
  await expectRefusedAndNamed(api, events[EVENTS], 'unsigned', /carries no signature/);
});

it('names a signed event’s row copied to the end under a new id: unsigned, at the copy', async () => {
  const { api, positions } = await sealedLedger();
  await asSuperuser(api.database.url, `${INSERT_AT_THE_END} SELECT $1, stream_id, revision + 1, type, data, metadata FROM events WHERE position = $2`, [randomUUID(), parts(positions[12])[1]]);
  const events = await sealWhatItWill(api, EVENTS + 1);
  await expectRefusedAndNamed(api, events[EVENTS], 'unsigned', /signature does not match/);
});

it('names a signed event’s row copied whole, id and all, once the id’s uniqueness is dropped: duplicate, at the copy', async () => {
  const { api, positions } = await sealedLedger();
  await asSuperuser(api.database.url, 'ALTER TABLE events DROP CONSTRAINT events_event_id_key');
  await asSuperuser(api.database.url, `${INSERT_AT_THE_END} SELECT event_id, stream_id, revision + 1, type, data, metadata FROM events WHERE position = $1`, [parts(positions[12])[1]]);
  const events = await sealWhatItWill(api, EVENTS + 1);
  expect(events[EVENTS].eventId).toBe(events[12].eventId);
  await expectRefusedAndNamed(api, events[EVENTS], 'duplicate', /sealed before it: a copy/);
});

it('names a signed event’s row copied whole into the sealed past: duplicate, at the copy', async () => {
  const { api, positions } = await sealedLedger();
  const [transactionId] = parts(positions[14]);
  await asSuperuser(api.database.url, 'ALTER TABLE events DROP CONSTRAINT events_event_id_key');
  // Event 3's row again, "in" the transaction of the event at leaf 14: it sorts right after it.
  await asSuperuser(
    api.database.url,
    `INSERT INTO events (position, transaction_id, event_id, stream_id, revision, type, data, metadata) OVERRIDING SYSTEM VALUE
     SELECT nextval(pg_get_serial_sequence('events', 'position')), $1, event_id, stream_id, revision + 1, type, data, metadata FROM events WHERE position = $2`,
    [transactionId, parts(positions[3])[1]],
  );
  const events = await ledger(api);
  const report = await verify(api);
  expect(report.firstMismatch).toMatchObject({ kind: 'duplicate', leafIndex: 15, position: events[15].position, sealed: { position: positions[15] }, found: { eventId: events[3].eventId } });
  expect(events[15].position).toMatch(new RegExp(`^${transactionId}:`));
});

it('names a checkpoint whose signed fields were edited', async () => {
  const { api } = await sealedLedger();
  await asSuperuser(api.database.url, "UPDATE audit_checkpoints SET signed_at = signed_at - interval '1 day' WHERE tree_size = 20");
  const report = await verify(api);
  expect(report.firstMismatch).toBeNull();
  expect(report.checkpoints).toMatchObject({ valid: 2, firstInvalid: { treeSize: 20, problem: 'signature' } });
});

it('keeps the audit tables append-only for everyone else', async () => {
  const { api } = await sealedLedger();
  const client = newClient(api.database.url);
  await client.connect();
  try {
    for (const sql of ['UPDATE audit_leaves SET leaf_hash = leaf_hash', 'DELETE FROM audit_nodes', 'TRUNCATE audit_checkpoints']) {
      await expect(client.query(sql)).rejects.toThrow(/append-only/);
    }
  } finally {
    await client.end();
  }
});
