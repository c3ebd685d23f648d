import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { STOP_GRACE_MS } from '../src/app.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

// A service told to stop (SIGTERM, as a deploy does) stops, whatever its clients hold open:
// Node's HTTP server waits for every connection to end, and an open desk's event streams or
// a connection on which nothing was sent yet never end by themselves, so it stopped never.

let api: TestApp;
let stopped: Promise<void> | undefined;

beforeAll(async () => {
  api = await startTestApp();
});

afterAll(async () => {
  await (stopped ?? api.close());
});

/** An event stream as a desk holds it open: `ended` is its whole text once it ends (cleanly: a cut connection rejects). */
async function streamOpen(path: string): Promise<{ ended: Promise<string> }> {
  const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${KEYS.editor}` } });
  expect([path, response.status]).toEqual([path, 200]);
  return { ended: response.text() };
}

/** A POST whose body is still on its way: call `finish()` to send the rest; `answered` is its status. */
function postUnderWay(path: string, body: unknown): { finish: () => void; answered: Promise<number> } {
  const text = JSON.stringify(body);
  const { port } = new URL(api.baseUrl);
  const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${KEYS.editor}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } });
  const answered = new Promise<number>((resolve, reject) => request.on('response', (response) => resolve(response.statusCode ?? 0)).on('error', reject));
  request.write(text.slice(0, 10));
  return { finish: () => request.end(text.slice(10)), answered };
}

it('given open event streams, an idle connection, one that sent nothing and a request under way, stops at once, answering the request', async () => {
  const streams = [await streamOpen('/stream'), await streamOpen('/alerts/stream')];
  expect((await fetch(`${api.baseUrl}/health`)).status).toBe(200); // its connection is kept alive, idle
  const silent = connect(Number(new URL(api.baseUrl).port), '127.0.0.1');
  await new Promise((resolve) => silent.once('connect', resolve));
  const silentClosed = new Promise((resolve) => silent.once('close', resolve));
  const headersIn = once(api.app.getHttpServer(), 'request');
  const underWay = postUnderWay('/sources', { name: 'A Gao radio station', kind: 'news_outlet' });
  await headersIn;

  stopped = api.close();
  // Stopped well before the grace for requests under way runs out: nothing was left for it to cut.
  let halfTheGrace: NodeJS.Timeout | undefined;
  const outcome = Promise.race([stopped.then(() => 'stopped'), new Promise((resolve) => (halfTheGrace = setTimeout(resolve, STOP_GRACE_MS / 2, 'still stopping')))]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  underWay.finish();
  expect(await outcome).toBe('stopped');
  clearTimeout(halfTheGrace);
  expect(await underWay.answered).toBe(201);
  for (const text of await Promise.all(streams.map(({ ended }) => ended))) expect(text).toMatch(/^: connected\n\n/);
  await silentClosed;
});
