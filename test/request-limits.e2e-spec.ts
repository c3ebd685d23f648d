import { startTestApp, type TestApp } from './support/test-app.js';

// Request rates (RATE_LIMIT_*): over its limit, a key or an address gets 429 problem+json with
// Retry-After, and wrong keys from one address are cut off far sooner than use of a right one.
// Each limit on its own service, set low (startTestApp turns the others off, as for every test).

async function statuses(api: TestApp, requests: { who: 'editor' | 'reader' | 'none'; path: string; key?: string }[]): Promise<number[]> {
  const answers: number[] = [];
  for (const { who, path, key } of requests) {
    answers.push((await api.http(who, 'GET', path, key ? { headers: { authorization: `Bearer ${key}` } } : {})).status);
  }
  return answers;
}

const times = <T>(count: number, item: T): T[] => Array.from({ length: count }, () => item);

describe('per key', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_KEY: '5' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses a key past its limit with 429 problem+json and Retry-After, and not another key', async () => {
    expect(await statuses(api, times(5, { who: 'reader', path: '/me' }))).toEqual([200, 200, 200, 200, 200]);

    const refused = await api.http('reader', 'GET', '/incidents');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited', title: 'Too Many Requests' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    expect((await api.http('editor', 'GET', '/me')).status).toBe(200);
  });

  it('never limits the health probe', async () => {
    expect(await statuses(api, times(8, { who: 'reader', path: '/health' }))).toEqual(times(8, 200));
  });
});

describe('per address', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_PER_ADDRESS: '4' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('counts every request from an address, whatever key it carries', async () => {
    const mixed = [
      { who: 'reader', path: '/me' },
      { who: 'editor', path: '/me' },
      { who: 'none', path: '/openapi.json' },
      { who: 'editor', path: '/incidents' },
      { who: 'reader', path: '/me' },
    ] as const;
    expect(await statuses(api, [...mixed])).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('wrong keys', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ RATE_LIMIT_FAILED_AUTH: '3' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('cut an address off after a few, and then a right key from there is refused too', async () => {
    const guess = (attempt: number) => ({ who: 'none' as const, path: '/me', key: `guessed-key-${attempt}-0123456789` });
    // A right key counts nothing against the address.
    expect(await statuses(api, [{ who: 'reader', path: '/me' }, guess(1), guess(2), { who: 'editor', path: '/me' }, guess(3)])).toEqual([200, 401, 401, 200, 401]);

    expect(await statuses(api, [guess(4), { who: 'editor', path: '/me' }])).toEqual([429, 429]);
    // Requests without a key are not guesses: the public routes still answer.
    expect(await statuses(api, [{ who: 'none', path: '/openapi.json' }])).toEqual([200]);
  });
});
