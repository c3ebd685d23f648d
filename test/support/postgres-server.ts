import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/database/embedded-postgres.ts';
import { freePort } from '../../src/database/free-port.ts';

/**
 * A throwaway embedded PostgreSQL for a test run, in a fresh folder on a free port, removed
 * when it stops: left behind, each run's cluster (some 700 MB) filled the disk in time.
 */
export async function startTestPostgres(): Promise<RunningPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), unsafeFast: true });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
