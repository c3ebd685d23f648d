import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from './support/test-app.js';

// Incident search over HTTP: each filter, full text, the sorts, and keyset pages that stay
// stable while new incidents are written between page fetches. The filter tests run first;
// the later groups each open incidents in a country of their own and search only there.

let api: TestApp;
let jnim: string;
let blogs: string;

interface Item {
  id: string;
  title: string;
  occurred: { from: string };
  updatedAt: string;
}

const read = (path: string) => api.http('reader', 'GET', path);

/** A cursor as a client could make one: the list's encoding, any content. */
const forged = (position: object) => Buffer.from(JSON.stringify(position)).toString('base64url');
const SOME_ID = '0190f3a0-0000-7000-8000-000000000000';

async function created(path: string, body: unknown): Promise<string> {
  const response = await api.http('editor', 'POST', path, { body });
  expect(response.status).toBe(201);
  return response.body.id;
}

function openIncident(title: string, country: string, from: string): Promise<string> {
  return created('/incidents', { title, location: { place: title, country, precision: 'country' }, occurred: { from, precision: 'day' } });
}

const byKeyThenId = (key: (item: Item) => string) => (a: Item, b: Item) => compare(key(a), key(b)) || compare(a.id, b.id);
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

async function ids(query: string): Promise<string[]> {
  const response = await read(`/incidents?${query}`);
  expect(response.status).toBe(200);
  return response.body.items.map((item: Item) => item.id);
}

/** Every page of a search, following nextCursor; `between` runs before each next page. */
async function walk(query: string, between: () => Promise<void> = async () => {}): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const response = await read(`/incidents?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor) await between();
  } while (cursor);
  return items;
}

beforeAll(async () => {
  api = await startTestApp();
  jnim = await created('/sources', { name: 'JNIM', kind: 'armed_group' });
  blogs = await created('/sources', { name: 'Russian military blogs', kind: 'social_media' });
});

afterAll(async () => {
  await api.close();
});

describe('filters', () => {
  let ambush: string;
  let battle: string;
  let gao: string;
  let djibo: string;

  beforeAll(async () => {
    const place = (place: string, region: string, country: string) => ({ place, region, country, precision: 'near' });
    ambush = await created('/incidents', {
      title: 'Convoy ambush south of Tinzaouaten',
      description: 'A convoy of the Malian army and Wagner forces was ambushed after withdrawing.',
      location: place('south of Tinzaouaten', 'Kidal', 'ML'),
      occurred: { from: '2024-07-27', precision: 'day' },
      tags: ['ambush', 'wagner'],
    });
    battle = await created('/incidents', {
      title: 'Battle at Tinzaouaten',
      location: place('Tinzaouaten', 'Kidal', 'ML'),
      occurred: { from: '2024-07-22', to: '2024-07-27', precision: 'day' },
      tags: ['battle', 'wagner'],
    });
    gao = await created('/incidents', {
      title: 'Drone strike near Gao',
      location: place('Gao', 'Gao', 'ML'),
      occurred: { from: '2024-08-10T04:30:00Z', precision: 'time' },
      tags: ['drone'],
    });
    djibo = await created('/incidents', {
      title: 'Attack on an army post in Djibo',
      location: place('Djibo', 'Sahel', 'BF'),
      occurred: { from: '2024-06-01', precision: 'month' },
      tags: ['ambush'],
    });
    const claim = (claimantId: string, summary: string) => ({ claimantId, summary, kind: 'casualties', statedAt: '2024-07-28T00:00:00Z' });
    await created(`/incidents/${ambush}/claims`, claim(jnim, 'JNIM claims to have killed 50 Wagner mercenaries and 10 Malian soldiers'));
    await created(`/incidents/${djibo}/claims`, claim(jnim, 'JNIM claims the attack'));
    await created(`/incidents/${battle}/claims`, claim(blogs, 'Bloggers count at least 20 dead'));
    await api.projected();
  });

  it.each([
    ['country', () => 'country=BF', () => [djibo]],
    ['region, in any case', () => 'region=kidal', () => [ambush, battle]],
    ['tag', () => 'tag=ambush', () => [ambush, djibo]],
    ['claimant', () => `claimant=${jnim}`, () => [ambush, djibo]],
    ['occurred range: a span overlapping it', () => 'from=2024-07-25&to=2024-07-26', () => [battle]],
    ['occurred range: a day at either end', () => 'from=2024-07-27&to=2024-07-27', () => [ambush, battle]],
    ['occurred range: a month at month precision', () => 'from=2024-06-30T23:00:00Z&to=2024-07-01', () => [djibo]],
    ['occurred range: an instant at time precision', () => 'from=2024-08-10T04:30:00Z', () => [gao]],
    ['free text in a claim summary, stemmed', () => `q=${encodeURIComponent('mercenary killing')}`, () => [ambush]],
    ['free text in titles and descriptions', () => `q=${encodeURIComponent('Tinzaouaten -withdrawing')}`, () => [battle]],
    ['filters together', () => 'country=ML&tag=wagner&from=2024-07-27&q=ambush', () => [ambush]],
  ])('by %s', async (_name, query, expected) => {
    expect((await ids(`${query()}&limit=100`)).sort()).toEqual(expected().sort());
  });

  it('sorts by when incidents occurred, and by relevance', async () => {
    expect(await ids('country=ML&sort=occurredFrom')).toEqual([battle, ambush, gao]);
    expect(await ids('country=ML&sort=-occurredFrom')).toEqual([gao, ambush, battle]);
    expect(await ids(`sort=relevance&q=${encodeURIComponent('Tinzaouaten ambush')}`)).toEqual([ambush]);
    expect((await ids(`sort=relevance&q=${encodeURIComponent('Tinzaouaten or Djibo')}`)).sort()).toEqual([ambush, battle, djibo].sort());
  });

  it('answers each item with its location, occurred time, tags, claimants and version', async () => {
    const response = await read('/incidents?country=BF');
    expect(response.body).toEqual({
      items: [
        {
          id: djibo,
          title: 'Attack on an army post in Djibo',
          location: { place: 'Djibo', region: 'Sahel', country: 'BF', precision: 'near' },
          occurred: { from: '2024-06-01', precision: 'month' },
          tags: ['ambush'],
          claimantIds: [jnim],
          version: 1,
          openedAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['country=Mali', 'query.country'],
    ['claimant=JNIM', 'query.claimant'],
    ['from=last-week', 'query.from'],
    ['from=2024-07-28&to=2024-07-27', 'query.to'],
    ['sort=title', 'query.sort'],
    ['sort=relevance', 'query.sort'],
    ['cursor=not-a-cursor', 'query.cursor'],
    [`cursor=${Buffer.from('{"sort":"updatedAt"}').toString('base64url')}`, 'query.cursor'],
    // Keys PostgreSQL cannot take: such a cursor is no less forged than one of the wrong shape.
    [`cursor=${forged({ sort: 'updatedAt', key: '0000-01-01T00:00:00Z', id: SOME_ID })}`, 'query.cursor'],
    [`cursor=${forged({ sort: 'updatedAt', key: '0000-01-01T00:00:00.000Z', id: SOME_ID })}`, 'query.cursor'],
    [`cursor=${forged({ sort: '-occurredFrom', key: '+010000-01-01T00:00:00.000Z', id: SOME_ID })}`, 'query.cursor'],
    [`cursor=${forged({ sort: '-updatedAt', key: '2024-07-28T00:00:00+02:00', id: SOME_ID })}`, 'query.cursor'],
    [`q=ambush&sort=relevance&cursor=${forged({ sort: 'relevance', key: 1e39, id: SOME_ID })}`, 'query.cursor'],
    [`q=ambush&sort=relevance&cursor=${forged({ sort: 'relevance', key: 1e-46, id: SOME_ID })}`, 'query.cursor'],
    [`q=ambush&sort=relevance&cursor=${forged({ sort: 'relevance', key: -1, id: SOME_ID })}`, 'query.cursor'],
    [`cursor=${forged({ sort: 'updatedAt', key: '2024-07-28T00:00:00.000Z', id: 'JNIM' })}`, 'query.cursor'],
    ['limit=', 'query.limit'],
    ['limit=1e1', 'query.limit'],
    ['colour=red', 'query.colour'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const response = await read(`/incidents?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });

  it('takes a cursor at the edges of what the columns hold', async () => {
    for (const query of [
      `sort=updatedAt&cursor=${forged({ sort: 'updatedAt', key: '0001-01-01T00:00:00.000Z', id: SOME_ID })}`,
      `sort=-occurredFrom&cursor=${forged({ sort: '-occurredFrom', key: '9999-12-31T23:59:59.999Z', id: SOME_ID })}`,
      `q=ambush&sort=relevance&cursor=${forged({ sort: 'relevance', key: 3.4e38, id: SOME_ID })}`,
    ]) {
      expect({ query, status: (await read(`/incidents?${query}`)).status }).toEqual({ query, status: 200 });
    }
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await read('/incidents?sort=occurredFrom&limit=1');
    const response = await read(`/incidents?sort=-occurredFrom&cursor=${first.body.nextCursor}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'query.cursor', message: 'was made for sort=occurredFrom' })]);
  });

  it('is for readers and up: without a key it is closed', async () => {
    expect((await api.http('none', 'GET', '/incidents')).status).toBe(401);
  });
});

describe('pagination', () => {
  const COUNTRY = 'NE';
  const opened: string[] = [];

  beforeAll(async () => {
    // Some share a day, so the id must break ties between them.
    for (const day of ['03', '01', '02', '01', '05', '04', '01', '02', '06', '03']) {
      opened.push(await openIncident(`Incident on 2024-03-${day}`, COUNTRY, `2024-03-${day}`));
    }
    await api.projected();
  });

  it.each([
    ['occurredFrom', (items: Item[]) => [...items].sort(byKeyThenId((item) => item.occurred.from))],
    ['-occurredFrom', (items: Item[]) => [...items].sort(byKeyThenId((item) => item.occurred.from)).reverse()],
    ['updatedAt', (items: Item[]) => [...items].sort(byKeyThenId((item) => item.updatedAt))],
    ['-updatedAt', (items: Item[]) => [...items].sort(byKeyThenId((item) => item.updatedAt)).reverse()],
  ])('walks every incident exactly once, in order, sorted by %s', async (sort, ordered) => {
    const items = await walk(`country=${COUNTRY}&sort=${sort}&limit=3`);
    expect(items.map((item) => item.id).sort()).toEqual([...opened].sort());
    expect(items).toEqual(ordered(items));
  });

  it('walks the matches of a free-text search by relevance exactly once', async () => {
    const items = await walk(`country=${COUNTRY}&sort=relevance&q=incident&limit=4`);
    expect(items.map((item) => item.id).sort()).toEqual([...opened].sort());
  });

  it('sorts by -updatedAt when no sort is given', async () => {
    const all = await read(`/incidents?country=${COUNTRY}`);
    expect(all.body.items).toHaveLength(opened.length);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items).toEqual([...all.body.items].sort(byKeyThenId((item) => item.updatedAt)).reverse());
    const page = await read(`/incidents?limit=4`);
    expect(page.body.items).toHaveLength(4);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });
});

describe('stable cursors while new incidents are being written', () => {
  it('by occurredFrom: nothing twice, nothing that existed skipped, later newcomers included', async () => {
    const COUNTRY = 'TD';
    const existing: string[] = [];
    for (let month = 1; month <= 9; month++) {
      existing.push(await openIncident(`Existing ${month}`, COUNTRY, `2024-0${month}-15`));
    }
    await api.projected();
    const newcomers = { before: [] as string[], same: [] as string[], after: [] as string[] };
    let round = 0;

    const items = await walk(`country=${COUNTRY}&sort=occurredFrom&limit=2`, async () => {
      round++;
      // Before every page already walked, on a day an existing incident has, and after all.
      newcomers.before.push(await openIncident(`Early ${round}`, COUNTRY, '2023-01-01'));
      newcomers.same.push(await openIncident(`Same day ${round}`, COUNTRY, '2024-05-15'));
      newcomers.after.push(await openIncident(`Late ${round}`, COUNTRY, new Date(Date.UTC(2025, 0, round)).toISOString().slice(0, 10)));
      await api.projected();
    });

    const walked = items.map((item) => item.id);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(expect.arrayContaining(existing));
    expect(walked).toEqual(expect.arrayContaining(newcomers.after));
    expect(walked.filter((id) => newcomers.before.includes(id))).toEqual([]);
    expect(items.map((item) => item.occurred.from)).toEqual(items.map((item) => item.occurred.from).sort());
  });

  it('by -updatedAt: nothing twice, nothing that existed skipped, newcomers left for the next walk', async () => {
    const COUNTRY = 'SN';
    const existing: string[] = [];
    for (let n = 1; n <= 7; n++) existing.push(await openIncident(`Existing ${n}`, COUNTRY, '2024-05-01'));
    await api.projected();
    const newcomers: string[] = [];

    const items = await walk(`country=${COUNTRY}&limit=2`, async () => {
      newcomers.push(await openIncident(`New ${newcomers.length}`, COUNTRY, '2024-05-01'));
      await api.projected();
    });

    expect(items.map((item) => item.id).sort()).toEqual([...existing].sort());
    expect((await walk(`country=${COUNTRY}&limit=2`)).slice(0, newcomers.length).map((item) => item.id)).toEqual([...newcomers].reverse());
  });
});

describe('held answers', () => {
  it('answers a search asked again from memory, until the search projection announces a change', async () => {
    const incidentId = await openIncident('Held search', 'KM', '2024-05-01');
    await api.projected();
    const first = await ids('country=KM');
    expect(first).toEqual([incidentId]);

    // Behind the projection's back: no announcement, so the held answer stands.
    await api.app.get(DataSource).query(`UPDATE incident_search SET location = jsonb_set(location, '{country}', '"NE"') WHERE id = $1`, [incidentId]);
    expect(await ids('country=KM')).toEqual(first);

    const other = await openIncident('Another held search', 'KM', '2024-05-02');
    await api.projected();
    expect(await ids('country=KM')).toEqual([other]);
  });
});
