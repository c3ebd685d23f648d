import { DataSource } from 'typeorm';
import { eventIsSigned } from '../docs/verify-proof.mjs';
import { PROJECTIONS } from '../src/read-models.js';
import { ERASED_SOURCE_NAME, ERASED_WORDS } from '../src/sources/erasure/identifying-fields.js';
import { SourceKeys } from '../src/sources/erasure/source-keys.js';
import { UnfinishedErasures } from '../src/sources/erasure/unfinished-erasures.js';
import { differences, snapshotProjectionTables } from './support/projection-tables.js';
import { eventually } from './support/caught-up.js';
import { type KeyName, ledgerOf, recorded, startTestApp, type TestApp } from './support/test-app.js';

// Erasure by crypto-shredding (src/sources/erasure/, docs/audit.md): what identifies a source
// is stored sealed with its own key; POST /sources/{id}/erasure destroys the key. Then no
// route shows it to anyone, no row of any table holds it, and everything that verified
// before (signatures, the audit log, rebuilds, the replay check) verifies still.

let api: TestApp;
const NAME = 'Moussa Ag Assarid, a Kidal notable';
const ALIAS = 'the notable of Kidal';
const DESCRIPTION = 'Spoke to the desk by phone from Tinzaouaten';
const QUOTE = 'Nous avons compté quarante-sept corps près du puits';
const TRANSLATION = 'We counted forty-seven bodies near the well';
const URL = 'https://example.org/kidal-notable-interview';
const RELAYED = 'The notable says the well was ringed with mines';
const IDENTIFYING = [NAME, ALIAS, DESCRIPTION, QUOTE, TRANSLATION, URL, RELAYED, 'Assarid', 'quarante-sept', 'forty-seven', 'kidal-notable'];
const ROLES: KeyName[] = ['reader', 'editor', 'auditor', 'admin'];

let notable: string;
let ambush: string;
let duplicate: string;
let statementOnDuplicate: string;

const opening = (title: string) => ({ title, location: { place: 'south of Tinzaouaten', country: 'ML', precision: 'region' }, occurred: { from: '2024-07-27', precision: 'day' } });
const statement = (stances: unknown[] = []) => ({ sourceId: notable, medium: 'interview', quote: QUOTE, language: 'fr', translation: TRANSLATION, url: URL, statedAt: '2024-07-28T10:00:00Z', stances });

/** Every row of every table in the database, as text, that holds one of `needles`: what a dump of it would hold. */
async function rowsHolding(needles: string[]): Promise<string[]> {
  const dataSource = api.app.get(DataSource);
  const tables = await dataSource.query<{ schema: string; name: string }[]>(
    "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
  );
  expect(tables.map(({ name }) => name)).toEqual(expect.arrayContaining(['events', 'incident_views', 'incident_timeline', 'source_view', 'source_keys', 'idempotency_keys']));
  const found: string[] = [];
  for (const { schema, name } of tables) {
    const rows = await dataSource.query<{ row: string }[]>(`SELECT t::text AS row FROM "${schema}"."${name}" t WHERE t::text ILIKE ANY ($1::text[])`, [needles.map((needle) => `%${needle}%`)]);
    found.push(...rows.map(({ row }) => `${schema}.${name}: ${row.slice(0, 200)}`));
  }
  return found;
}

beforeAll(async () => {
  api = await startTestApp();
  notable = (await recorded(api, '/sources', { name: NAME, kind: 'other', aliases: [ALIAS], description: DESCRIPTION })).id;
  ambush = (await recorded(api, '/incidents', opening('Convoy ambush south of Tinzaouaten'))).id;
  duplicate = (await recorded(api, '/incidents', opening('Kidal convoy attack'))).id;
  const told = await recorded(api, `/incidents/${ambush}/statements`, statement());
  await recorded(api, `/incidents/${ambush}/claims`, { claimantId: notable, summary: 'At least 47 killed near the well', kind: 'casualties', statedAt: '2024-07-28T10:00:00Z', statementId: told.statementId, figures: [{ party: 'Malian soldiers', outcome: 'killed', qualifier: 'at_least', value: 47, originalText: 'au moins 47' }] });
  statementOnDuplicate = (await recorded(api, `/incidents/${duplicate}/statements`, statement())).statementId;
  // Words relayed through the notable identify it too ("the notable says…").
  const relay = (await recorded(api, '/sources', { name: 'A Timbuktu radio station', kind: 'news_outlet' })).id;
  await recorded(api, `/incidents/${ambush}/statements`, { sourceId: relay, via: [notable], medium: 'report', quote: RELAYED, language: 'en', statedAt: '2024-07-29T10:00:00Z', stances: [] });
  // A merge carries the duplicate's statement, sealed as it was, into the ambush's stream.
  await recorded(api, `/incidents/${duplicate}/merge`, { into: ambush, reason: 'Two editors opened the same ambush' });
  await api.projected();
}, 60_000);

afterAll(async () => {
  await api.close();
});

it('stores what identifies a source sealed, and opens it for the desk', async () => {
  const stored = JSON.stringify(await ledgerOf(api));
  for (const text of IDENTIFYING) expect(stored).not.toContain(text);
  expect(stored).toContain('⟦sealed:');

  const view = (await api.http('editor', 'GET', `/incidents/${ambush}`)).body;
  expect(view.statements).toEqual([
    expect.objectContaining({ sourceId: notable, quote: QUOTE, translation: TRANSLATION, url: URL }),
    expect.objectContaining({ via: [notable], quote: RELAYED }),
    expect.objectContaining({ statementId: statementOnDuplicate, incidentId: duplicate, quote: QUOTE }),
  ]);
  expect((await api.http('reader', 'GET', `/sources/${notable}`)).body).toMatchObject({ name: NAME, aliases: [ALIAS], description: DESCRIPTION, erased: false });
  // The read models hold it opened, as they answer it: the search below finds it there.
  expect((await rowsHolding([QUOTE])).map((row) => row.split(':')[0])).toEqual(expect.arrayContaining(['public.incident_views', 'public.incident_timeline']));
});

it('is for admins only, with a reason', async () => {
  for (const who of ['none', 'reader', 'editor', 'auditor'] as const) {
    expect((await api.http(who, 'POST', `/sources/${notable}/erasure`, { body: { reason: 'asked to be forgotten' } })).status).toBe(who === 'none' ? 401 : 403);
  }
  const noReason = await api.http('admin', 'POST', `/sources/${notable}/erasure`, { body: {} });
  expect(noReason.status).toBe(400);
  expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
  expect((await api.http('admin', 'POST', '/sources/0190f5a2-6c00-7b01-8000-00000000b0ff/erasure', { body: { reason: 'no such source' } })).status).toBe(404);
  // Asked of a version the admin no longer sees: refused, and the key stays.
  const stale = await api.http('admin', 'POST', `/sources/${notable}/erasure`, { body: { reason: 'asked to be forgotten' }, headers: { 'if-match': '"7"' } });
  expect(stale.status).toBe(412);
  await api.projected();
  expect((await api.http('reader', 'GET', `/sources/${notable}`)).body).toMatchObject({ name: NAME, erased: false });
  // Read from the ledger itself, as time travel reads it: the words still open.
  const now = encodeURIComponent(new Date().toISOString());
  expect((await api.http('editor', 'GET', `/incidents/${ambush}?asOf=${now}`)).body.statements[0]).toMatchObject({ quote: QUOTE });
});

describe('once erased', () => {
  let before: Record<string, string[]>;

  beforeAll(async () => {
    await api.sealed();
    expect((await api.http('auditor', 'GET', '/audit/verify')).body).toMatchObject({ ok: true });
    const erased = await api.http('admin', 'POST', `/sources/${notable}/erasure`, { body: { reason: 'The notable asked to be forgotten after threats' } });
    expect(erased.status).toBe(201);
    const again = await api.http('admin', 'POST', `/sources/${notable}/erasure`, { body: { reason: 'The notable asked to be forgotten after threats' } });
    expect({ status: again.status, version: again.body.version }).toEqual({ status: 200, version: erased.body.version });
    await api.projected();
    before = await snapshotProjectionTables(api.app.get(DataSource), PROJECTIONS);
  }, 60_000);

  it('shows every role an erased source, on every route', async () => {
    const asOf = encodeURIComponent(new Date().toISOString());
    for (const who of ROLES) {
      const answers = await Promise.all(
        [
          `/sources/${notable}`,
          `/sources?q=erased`,
          `/incidents/${ambush}`,
          `/incidents/${ambush}?asOf=${asOf}`,
          `/incidents/${ambush}?version=2`,
          `/incidents/${ambush}/timeline`,
          `/incidents/${ambush}/diff?from=0&to=3`,
          `/incidents?q=convoy`,
          '/exports/incidents.ndjson',
          '/exports/figures.csv',
        ].map((path) => api.http(who, 'GET', path)),
      );
      expect(answers.map(({ status }) => status)).toEqual(answers.map(() => 200));
      for (const answer of answers) for (const text of IDENTIFYING) expect(JSON.stringify(answer.body)).not.toContain(text);

      const [source, , view] = answers;
      expect(source.body).toMatchObject({ name: ERASED_SOURCE_NAME, aliases: [], erased: true });
      expect(source.body).not.toHaveProperty('description');
      expect(view.body.sources).toContainEqual(expect.objectContaining({ id: notable, name: ERASED_SOURCE_NAME }));
      for (const told of view.body.statements) {
        expect(told).toMatchObject({ quote: ERASED_WORDS });
        expect(told).not.toHaveProperty('translation');
        expect(told).not.toHaveProperty('url');
      }
    }
  });

  it('takes no more statements or claims from it, and no revision', async () => {
    const more = await api.http('editor', 'POST', `/incidents/${ambush}/statements`, { body: statement() });
    expect(more.status).toBe(409);
    expect(more.body).toMatchObject({ code: 'source_erased' });
    const claim = await api.http('editor', 'POST', `/incidents/${ambush}/claims`, { body: { claimantId: notable, summary: 'More dead', kind: 'casualties', statedAt: '2024-07-29T10:00:00Z' } });
    expect(claim.status).toBe(409);
    const revised = await api.http('editor', 'PATCH', `/sources/${notable}`, { body: { name: NAME, reason: 'undo' } });
    expect(revised.status).toBe(409);
    expect(revised.body).toMatchObject({ code: 'source_erased' });
  });

  it('leaves no row of any table holding its name, aliases, description or words', async () => {
    expect(await rowsHolding(IDENTIFYING)).toEqual([]);
  });

  it('keeps every signature, the audit log, the replay check and a rebuild true', async () => {
    await api.sealed();
    expect((await api.http('auditor', 'GET', '/audit/verify')).body).toMatchObject({ ok: true });
    const { pem } = (await api.http('reader', 'GET', '/audit/public-key')).body;
    const events = await ledgerOf(api);
    expect(events.filter((event) => !eventIsSigned(event, pem))).toEqual([]);
    expect(events.map(({ type }) => type)).toContain('SourceErased');

    const check = await api.http('auditor', 'POST', '/audit/replay-check');
    expect(check.body.projections.filter((projection: { differences: number }) => projection.differences > 0)).toEqual([]);
    for (const { name } of PROJECTIONS) expect((await api.http('admin', 'POST', `/admin/projections/${name}/rebuild`)).status).toBe(200);
    await api.projected();
    expect(differences(before, await snapshotProjectionTables(api.app.get(DataSource), PROJECTIONS))).toEqual({});
    expect(await rowsHolding(IDENTIFYING)).toEqual([]);
  }, 120_000);
});

describe('erased in another process', () => {
  it('is soon refused here too, though this one had known it live', async () => {
    const other = await startTestApp({}, { sharing: api });
    try {
      const target = (await recorded(api, '/sources', { name: 'A Gao shopkeeper', kind: 'other' })).id;
      const claim = () => api.http('editor', 'POST', `/incidents/${ambush}/claims`, { body: { claimantId: target, summary: 'Shots at dawn', kind: 'event', statedAt: '2024-07-29T10:00:00Z' } });
      expect((await claim()).status).toBe(201);
      expect((await other.http('admin', 'POST', `/sources/${target}/erasure`, { body: { reason: 'asked to be forgotten' } })).status).toBe(201);
      // Not projected anywhere: the erasure itself is announced, and heard here through PostgreSQL.
      await eventually(async () => (await claim()).status === 409, 'this process to hear of the erasure', 5000);
    } finally {
      await other.close();
    }
  });
});

describe('an erasure left halfway', () => {
  it('is recorded when its key was destroyed and its record was not', async () => {
    const trader = (await recorded(api, '/sources', { name: 'A Menaka trader', kind: 'other' })).id;
    await api.projected();
    // As if the process died between destroying the key and recording SourceErased.
    await api.app.get(SourceKeys).destroy(trader);
    await api.app.get(UnfinishedErasures).finish();
    // The ledger's readers see the recorded erasure once no older transaction of the server is open.
    await api.projected();
    const events = await ledgerOf(api);
    expect(events.filter((event) => event.streamId === `source-${trader}`).map(({ type, metadata }) => [type, (metadata as { recordedBy: string }).recordedBy])).toEqual([
      ['SourceRegistered', 'editor-desk'],
      ['SourceErased', 'service'],
    ]);
    expect((await api.http('reader', 'GET', `/sources/${trader}`)).body).toMatchObject({ name: ERASED_SOURCE_NAME, erased: true });
  });

  it('destroys again a key that a restored backup brought back', async () => {
    const dataSource = api.app.get(DataSource);
    await dataSource.query('UPDATE source_keys SET wrapped_key = $2, erased_at = NULL WHERE source_id = $1', [notable, Buffer.alloc(60)]);
    await api.app.get(UnfinishedErasures).finish();
    expect(await dataSource.query('SELECT wrapped_key IS NULL AS destroyed FROM source_keys WHERE source_id = $1', [notable])).toEqual([{ destroyed: true }]);
  });
});
