import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditSigningKey } from '../src/audit/audit-signing-key.js';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.js';
import { HealthMonitor } from '../src/health/health-monitor.js';
import { EventStoreDbProtocolDouble } from '../src/event-store/eventstoredb/protocol-double/eventstoredb-protocol-double.js';
import { eventually } from './support/caught-up.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { asSuperuser, ON_THIS_DATABASE } from './support/test-database.js';
import { newClient } from '../src/database/pool.js';

// `npm run audit:verify` as an operator runs it: the built CLI, a process of its own, on the
// service's database. Its exit code (0 verifies, 1 does not, 2 cannot run), its summary on
// stdout and its progress on stderr are what scripts and people read.

const CLI = 'dist/src/audit/audit-verify.cli.js';
const EVENTS = 30;
// Each run starts Node and the app's modules afresh: seconds on a busy 2-core machine.
const CLI_TIMEOUT_MS = 60_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Whatever the environment running the tests holds, the CLI sees only what each test gives it.
const { AUDIT_SIGNING_KEY: _ignored, ...inherited } = process.env;
const folder = mkdtempSync(join(tmpdir(), 'ledger-verify-cli-'));

function runCli(env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...inherited, DATA_DIR: folder, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `count` events, one append each, all sealed, with a checkpoint every 10. */
async function sealedLedger(api: TestApp, count: number): Promise<string[]> {
  const store = api.app.get<EventStore>(EVENT_STORE);
  for (let n = 0; n < count; n++) {
    await store.appendToStream(`probe-${randomUUID()}`, [{ id: randomUUID(), type: 'AuditProbe', data: { n, note: `event number ${n}` }, metadata: { recordedBy: 'audit-test' } }], {
      expectedRevision: 'no_stream',
    });
  }
  await api.sealed();
  const { body } = await api.http('auditor', 'GET', '/ledger?limit=100');
  return body.events.map(({ position }: { position: string }) => position);
}

/** The public key as an auditor fetches it, kept in a file. */
async function publicKeyFile(api: TestApp): Promise<{ file: string; raw: string }> {
  const { body } = await api.http('none', 'GET', '/audit/public-key');
  const file = join(folder, `${randomUUID()}.pem`);
  writeFileSync(file, body.pem);
  return { file, raw: body.raw };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('on the PostgreSQL store', () => {
  let api: TestApp;
  let positions: string[];
  let key: { file: string; raw: string };
  // The events table is tampered with below: whatever TEST_EVENT_STORE says, this ledger is PostgreSQL's.
  const store = { EVENT_STORE: 'postgres' };
  const database = () => ({ ...store, DATABASE_URL: api.database.url });

  beforeAll(async () => {
    api = await startTestApp({ ...store, AUDIT_CHECKPOINT_EVERY_EVENTS: '10' });
    positions = await sealedLedger(api, EVENTS);
    key = await publicKeyFile(api);
  }, 60_000);

  afterAll(async () => {
    await api.close();
  });

  it('exits 0 on an untouched ledger, checking the signatures with the public key alone (a PEM file, or the raw key)', async () => {
    for (const flag of [`--public-key=${key.file}`, `--public-key=${key.raw}`]) {
      const run = await runCli(database(), [flag]);
      expect({ flag, code: run.code, stdout: run.stdout }).toEqual({
        flag,
        code: 0,
        stdout: `The ledger verifies.\nEvents read: ${EVENTS}; sealed leaves: ${EVENTS}; not yet sealed: 0\nCheckpoints: 3 of 3 verify\n`,
      });
      expect(run.stderr).toMatch(new RegExp(`^Read ${EVENTS} events in \\d+\\.\\d s$`, 'm'));
    }
  }, CLI_TIMEOUT_MS);

  it('prints the whole report with --json', async () => {
    const run = await runCli(database(), [`--public-key=${key.file}`, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, treeSize: EVENTS, eventsRead: EVENTS, unsealedEvents: 0, firstMismatch: null, checkpoints: { total: 3, valid: 3, firstInvalid: null } });
  }, CLI_TIMEOUT_MS);

  it('shows its progress on stderr while a read takes over a second', async () => {
    // The events table is held locked until the CLI has waited for it for over a second. The
    // service's health checks, which read the ledger too, pause meanwhile: the wait seen is the CLI's.
    const health = api.app.get(HealthMonitor);
    health.stop();
    const holder = newClient(api.database.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const running = runCli(database(), [`--public-key=${key.file}`]);
      await eventually(async () => {
        const { rows } = await holder.query(`SELECT 1 FROM pg_locks WHERE relation = 'events'::regclass AND NOT granted AND ${ON_THIS_DATABASE}`);
        return rows.length > 0;
      }, 'the CLI to wait for the events table', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await holder.query('COMMIT');
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`Verifying: ${EVENTS} events read (100% of the ${EVENTS} sealed)\n`);
    } finally {
      await holder.end();
      await health.start();
    }
  }, CLI_TIMEOUT_MS);

  it('exits 1 on checkpoints signed with another key than the one it checks with', async () => {
    const other = AuditSigningKey.generate();
    const run = await runCli(database(), [`--public-key=${other.publicKeyRaw.toString('base64')}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('The ledger does NOT verify.');
    expect(run.stdout).toContain(`First bad checkpoint: tree of 10, unknown_key: Signed with key `);
  }, CLI_TIMEOUT_MS);

  it('exits 2, saying why, when it cannot run', async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [database(), ['--public-key=not a key'], /^--public-key: not an Ed25519 public key/],
      [database(), ['--public-key', key.file], /^Unknown argument "--public-key": the arguments are --json and --public-key=/],
      [database(), [], /No key to check the checkpoints with: pass --public-key=.*or set AUDIT_SIGNING_KEY/],
      [{ ...database(), AUDIT_SIGNING_KEY: 'not a key' }, [], /AUDIT_SIGNING_KEY: is not a PKCS#8 private key/],
      [{ DATABASE_URL: api.database.url, EVENT_STORE: 'eventstoredb' }, [`--public-key=${key.file}`], /EVENTSTORE_CONNECTION_STRING: is required when EVENT_STORE=eventstoredb/],
    ];
    for (const [env, args, message] of cases) {
      const run = await runCli(env, args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
    }
  }, CLI_TIMEOUT_MS);

  // Last: it changes the ledger for good.
  it('exits 1 on a tampered event, naming its position', async () => {
    await asSuperuser(api.database.url, `UPDATE events SET data = replace(data::text, 'number 12', 'number 13')::jsonb WHERE position = $1`, [positions[12].split(':')[1]]);
    const run = await runCli(database(), [`--public-key=${key.file}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('The ledger does NOT verify.\n');
    expect(run.stdout).toContain(`First mismatch: changed at leaf 12, position ${positions[12]}: `);
    expect(run.stdout).toContain('First bad checkpoint: tree of 20, root: ');
  });
});

describe('on EventStoreDB', () => {
  let double: EventStoreDbProtocolDouble;
  let api: TestApp;
  let store: Record<string, string>;

  beforeAll(async () => {
    double = new EventStoreDbProtocolDouble();
    await double.start();
    store = { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: double.connectionString };
    api = await startTestApp({ ...store, AUDIT_CHECKPOINT_EVERY_EVENTS: '10' });
    await sealedLedger(api, EVENTS);
  }, 60_000);

  afterAll(async () => {
    await api.close();
    await double.stop();
  });

  it('verifies the ledger where EVENT_STORE keeps it, not the empty events table', async () => {
    const { file } = await publicKeyFile(api);
    const run = await runCli({ ...store, DATABASE_URL: api.database.url }, [`--public-key=${file}`]);
    expect(run.stdout).toContain(`Events read: ${EVENTS}; sealed leaves: ${EVENTS}`);
    expect(run.code).toBe(0);
  }, CLI_TIMEOUT_MS);
});
