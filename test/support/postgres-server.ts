import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/database/embedded-postgres.ts';
import { freePort } from '../../src/database/free-port.ts';

/** A throwaway embedded PostgreSQL for a test run, in a fresh folder on a free port. */
export async function startTestPostgres(): Promise<RunningPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-test-pg-'));
  return startEmbeddedPostgres({ dataDir, port: await freePort(), unsafeFast: true });
}
