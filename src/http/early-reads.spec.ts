import Fastify, { type FastifyInstance } from 'fastify';
import { ApiKeys } from '../auth/api-keys.js';
import { answerReadsEarly, type EarlyRead, type HeldAnswer } from './early-reads.js';

// The early lane answers only what it holds, for a key that may read; everything else,
// its own failures included, is the route's to answer.

const keys = ApiKeys.fromConfig([
  { name: 'desk', role: 'reader', key: 'reader-key-0123456789' },
  { name: 'nobody', role: 'editor', key: 'editor-key-0123456789' },
]);

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((fastify) => fastify.close()));
});

/** A server whose route answers 503, with an early lane that holds `answer`: its URL. */
async function serverHolding(answer: () => Promise<HeldAnswer | undefined>): Promise<string> {
  const fastify = Fastify();
  servers.push(fastify);
  const read: EarlyRead = { route: '/things/:id', answer };
  answerReadsEarly(fastify, keys, [read]);
  fastify.get('/things/:id', async (_request, reply) => reply.status(503).send({ from: 'the route' }));
  // Over a real socket: Fastify's inject needs CommonJS modules that Jest's ESM mode will not load.
  return fastify.listen({ port: 0, host: '127.0.0.1' });
}

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/things/1`, { headers });
  return { statusCode: response.status, etag: response.headers.get('etag'), json: response.status === 304 ? undefined : await response.json() };
}
const reader = { authorization: 'Bearer reader-key-0123456789' };

describe('answerReadsEarly', () => {
  it('answers what it holds to a key that may read, with its version as ETag, and 304 to a client that holds it', async () => {
    const server = await serverHolding(async () => ({ body: Buffer.from('{"held":true}'), version: 7 }));

    const answered = await get(server, reader);
    expect([answered.statusCode, answered.etag, answered.json]).toEqual([200, '"7"', { held: true }]);
    expect((await get(server, { ...reader, 'if-none-match': '"7"' })).statusCode).toBe(304);
  });

  it.each([
    ['no key', {}],
    ['an unknown key', { authorization: 'Bearer wrong-key-0123456789' }],
  ])('leaves a request with %s to the route', async (_case, headers) => {
    const server = await serverHolding(async () => ({ body: Buffer.from('{"held":true}') }));

    expect((await get(server, headers)).json).toEqual({ from: 'the route' });
  });

  it('leaves to the route what it does not hold, and what it fails to read', async () => {
    expect((await get(await serverHolding(async () => undefined), reader)).json).toEqual({ from: 'the route' });

    const failing = await get(
      await serverHolding(async () => {
        throw new Error('Connection terminated unexpectedly');
      }),
      reader,
    );
    expect([failing.statusCode, failing.json]).toEqual([503, { from: 'the route' }]);
  });
});
