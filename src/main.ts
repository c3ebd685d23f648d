import 'reflect-metadata';
import { resolve } from 'node:path';
import { auditSigningKeyFor } from './audit/audit-signing-key.js';
import { ApiKeys, loadOrCreateDefaultAdminKey } from './auth/api-keys.js';
import { ConfigError, loadConfig } from './config/config.js';
import { databaseUrlFor } from './database/database-url.js';
import { migrate } from './database/migrate.js';
import { startupLog } from './logging/logging.js';
import { sourceKeysMasterKeyFor } from './sources/erasure/source-keys.js';

async function main(): Promise<void> {
  // Loading the service's modules (Nest, Fastify, TypeORM, Swagger) takes about a second of
  // a restart: begun first, it runs while PostgreSQL starts and recovers.
  const service = import('./app.js');
  const config = loadConfig();
  const log = startupLog(config);
  // Read before the database is touched: without the key it needs, the service stops having done nothing.
  const signingKey = await auditSigningKeyFor(config, { log });
  const sourceKeysMasterKey = await sourceKeysMasterKeyFor(config, { log });
  const databaseUrl = await databaseUrlFor(config, log);
  await migrate(databaseUrl);

  let apiKeys: ApiKeys;
  if (config.API_KEYS) {
    apiKeys = ApiKeys.fromConfig(config.API_KEYS);
  } else {
    const dataDir = resolve(config.DATA_DIR);
    const created = await loadOrCreateDefaultAdminKey(dataDir);
    apiKeys = created.keys;
    if (created.newKey) {
      log(`\nNo API_KEYS set: created an admin key. It is shown only this once; its hash is kept in ${dataDir}/admin-key.json.\n\n  ${created.newKey}\n`);
    }
  }

  const { createApp } = await service;
  const app = await createApp({ config, databaseUrl, apiKeys, signingKey, sourceKeysMasterKey });
  await app.listen(config.PORT, config.HOST);
  // The address as bound: PORT=0 takes any free port.
  log(`Incident Ledger listening on ${await app.getUrl()} (API docs at /docs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
