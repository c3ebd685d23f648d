import 'reflect-metadata';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { ApiKeys } from '../src/auth/api-keys.js';
import { loadConfig } from '../src/config/config.js';

// The service as bench.ts runs it: a process of its own, so that its memory is its own and
// the load generator does not share its event loop; configured like the real one (the
// environment: DATABASE_URL, API_KEYS, AUDIT_SIGNING_KEY), projecting in the background,
// plus one route that answers a constant. That route is the reads' baseline: the same
// server, process and HTTP stack, without the work of a query.

/** What the service tells bench.ts once it listens. */
export interface ServiceReady {
  port: number;
  constantPath: string;
  statementsPath: string;
}

const CONSTANT_PATH = '/bench/constant';
const STATEMENTS_PATH = '/bench/statements';

// Every statement the service sends PostgreSQL, whoever sends it (routes, projector, sealer):
// bench.ts divides them by the claims appended meanwhile.
let statements = 0;
const query: (...args: unknown[]) => unknown = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.API_KEYS) throw new Error('bench/service needs DATABASE_URL and API_KEYS');
  // AUDIT_SIGNING_KEY is bench.ts's, which signed the ledger it stored.
  const app = await createApp({ config, databaseUrl: config.DATABASE_URL, apiKeys: ApiKeys.fromConfig(config.API_KEYS) });
  app.getHttpAdapter().getInstance().get(CONSTANT_PATH, async () => ({ ok: true }));
  app.getHttpAdapter().getInstance().get(STATEMENTS_PATH, async () => ({ statements }));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || !address) throw new Error('The service has no TCP address');
  process.send?.({ port: address.port, constantPath: CONSTANT_PATH, statementsPath: STATEMENTS_PATH } satisfies ServiceReady);
  // Asked rather than signalled: process.exit() lets --cpu-prof write the profile.
  process.once('message', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
