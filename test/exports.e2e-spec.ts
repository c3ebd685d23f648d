import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { loadDemo } from '../src/demo/load-demo.js';
import { KEYS, type KeyName, startTestApp, type TestApp } from './support/test-app.js';

// Data out: the worked example exported as CSV and NDJSON, parsed back with a real CSV
// parser, as researchers and data desks would read it.

const AMBUSH = '0190f17c-b400-7000-8000-000000000202';
const JNIM_CLAIM = '0190f17c-b400-7000-8000-000000000401';

let api: TestApp;

async function download(path: string, who: KeyName = 'reader') {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${KEYS[who]}` } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The CSV's records as objects keyed by its header (the HXL row, if any, is the first record). */
function records(csv: string): Record<string, string>[] {
  return parse(csv, { bom: true, columns: true, relax_column_count: false });
}

async function ndjsonLines(path: string) {
  const { status, text } = await download(path);
  expect(status).toBe(200);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line));
}

async function viewCheckpoint(): Promise<string> {
  const [{ position }] = await api.app.get(DataSource).query("SELECT position FROM projection_checkpoints WHERE name = 'incident-view'");
  return position;
}

beforeAll(async () => {
  api = await startTestApp();
  await loadDemo({ baseUrl: api.baseUrl, apiKey: KEYS.editor });
  await api.projected();
});

afterAll(async () => {
  await api?.close();
});

describe('GET /exports/figures.csv', () => {
  it('lists every figure of every claim, the Tinzaouaten tolls side by side, at the ledger position it states', async () => {
    const { status, headers, text } = await download('/exports/figures.csv');

    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(headers.get('content-disposition')).toBe('attachment; filename="figures.csv"');
    expect(headers.get('ledger-position')).toBe(await viewCheckpoint());
    const wagnerKilled = records(text)
      .filter((row) => row.incidentId === AMBUSH && row.party === 'Wagner' && row.outcome === 'killed')
      .map((row) => [row.claimantName, row.qualifier, row.value, row.originalText]);
    expect(wagnerKilled).toEqual(
      expect.arrayContaining([
        ['JNIM', 'exact', '50', expect.stringContaining('50')],
        ['Russian military blogs', 'at_least', '20', 'At least 20 Wagner deaths'],
      ]),
    );
    const jnim = records(text).find((row) => row.claimId === JNIM_CLAIM)!;
    expect(jnim).toMatchObject({ title: 'Convoy ambush south of Tinzaouaten', country: 'ML', region: 'Kidal', claimantName: 'JNIM', via: 'SITE Intelligence Group', claimStatus: 'active', recordedBy: 'editor-desk' });
  });

  it('names a confidential claimant only as such', async () => {
    const rows = records((await download('/exports/figures.csv')).text);

    expect(rows.map((row) => row.claimantName)).toContain('Confidential source');
    expect(rows.map((row) => row.claimantName)).not.toContain('Two security sources');
  });

  it('adds the HXL hashtag row under the header with format=hxl', async () => {
    const [hashtags] = records((await download('/exports/figures.csv?format=hxl')).text);

    expect(hashtags).toMatchObject({ incidentId: '#event+id', occurredFrom: '#date+start', country: '#country+code', region: '#adm1+name', place: '#loc+name', claimantName: '#org+name+claimant' });
  });

  it('takes the search filters, and as of a time lists only the incidents opened by then', async () => {
    const inMali = records((await download('/exports/figures.csv?country=ML&q=convoy')).text);
    expect(new Set(inMali.map((row) => row.incidentId))).toEqual(new Set([AMBUSH]));

    expect(records((await download('/exports/figures.csv?country=FR')).text)).toEqual([]);
    const oneIncident = records((await download(`/exports/incidents.csv?incidentId=${AMBUSH}`)).text);
    expect(oneIncident.length).toBeGreaterThan(0);
    expect(new Set(oneIncident.map((row) => row.incidentId))).toEqual(new Set([AMBUSH]));
    expect(records((await download('/exports/incidents.csv?asOf=2000-01-01T00:00:00Z')).text)).toEqual([]);
  });
});

describe('GET /exports/figures.ndjson', () => {
  it('states the position first, then a row a line, the same rows as the CSV', async () => {
    const [first, ...rows] = await ndjsonLines('/exports/figures.ndjson');

    expect(first).toEqual({ position: await viewCheckpoint() });
    expect(rows).toHaveLength(records((await download('/exports/figures.csv')).text).length);
    expect(rows.find((row) => row.claimId === JNIM_CLAIM && row.party === 'Wagner')).toMatchObject({ value: 50, qualifier: 'exact', grade: null });
  });
});

describe('GET /exports/incidents.csv and .ndjson', () => {
  it('gives each incident’s range per party and outcome, now and as of any time: before a retraction and after it', async () => {
    const wagnerKilled = async (query = '') =>
      (await ndjsonLines(`/exports/incidents.ndjson${query}`)).find((row) => row.incidentId === AMBUSH && row.party === 'Wagner' && row.outcome === 'killed');
    expect(await wagnerKilled()).toMatchObject({ lowestClaimed: 1, highestClaimed: 50, contested: false, claimants: 3 });
    const beforeRetraction = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the retraction is recorded strictly later

    const retracted = await api.http('editor', 'POST', `/incidents/${AMBUSH}/claims/${JNIM_CLAIM}/retractions`, {
      body: { reason: 'JNIM withdrew its toll', statedAt: '2024-07-30T00:00:00Z' },
    });
    expect(retracted.status).toBe(201);
    await api.projected();

    expect(await wagnerKilled()).toMatchObject({ lowestClaimed: 1, highestClaimed: 20, claimants: 2 });
    expect(await wagnerKilled(`?asOf=${beforeRetraction}`)).toMatchObject({ lowestClaimed: 1, highestClaimed: 50, claimants: 3 });
    expect(await wagnerKilled(`?asOf=${new Date().toISOString()}`)).toMatchObject({ lowestClaimed: 1, highestClaimed: 20 });
    const [first] = await ndjsonLines(`/exports/figures.ndjson?asOf=${beforeRetraction}`);
    expect(first).toEqual({ position: await viewCheckpoint(), asOf: beforeRetraction });
    const jnimAsOf = async (asOf: string) => records((await download(`/exports/figures.csv?asOf=${asOf}`)).text).find((row) => row.claimId === JNIM_CLAIM)?.claimStatus;
    expect([await jnimAsOf(beforeRetraction), await jnimAsOf(new Date().toISOString())]).toEqual(['active', 'retracted']);
    const csvRow = records((await download('/exports/incidents.csv')).text).find((row) => row.incidentId === AMBUSH && row.party === 'Wagner');
    expect(csvRow).toMatchObject({ lowestClaimed: '1', highestClaimed: '20', version: expect.stringMatching(/^\d+$/), tags: expect.stringContaining('Wagner') });
  });
});

describe('every export', () => {
  it('writes cells a spreadsheet reads as text: other scripts, quotes, commas and line breaks round-trip; a formula does not run', async () => {
    const title = '=HYPERLINK("https://example.org","click"), "كمين" قرب تينزاواتن\nsecond line';
    const opened = await api.http('editor', 'POST', '/incidents', {
      body: { title, location: { country: 'DZ', place: '-1+1', precision: 'near' }, occurred: { from: '2024-07-27', precision: 'day' } },
    });
    expect(opened.status).toBe(201);
    await api.projected();

    const [row] = records((await download('/exports/incidents.csv?country=DZ')).text);
    expect(row.title).toBe(`'${title}`);
    expect(row.place).toBe("'-1+1");
  });

  it('is open to readers only with a key, and refuses a bad parameter naming it, as a problem', async () => {
    expect((await download('/exports/figures.csv', 'none' as KeyName)).status).toBe(401);

    const bad = await download('/exports/incidents.csv?country=Mali');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(bad.text).errors[0].field).toBe('query.country');

    const hxlAsJson = await download('/exports/figures.ndjson?format=hxl');
    expect(hxlAsJson.status).toBe(400);
    expect(JSON.parse(hxlAsJson.text).errors[0].field).toBe('query.format');
  });
});
