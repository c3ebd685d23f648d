import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointIsSigned, type SignedCheckpoint } from '../docs/verify-proof.mjs';
import { freePort } from '../src/database/free-port.js';
import { eventually } from './support/caught-up.js';

// The first start with no configuration at all, as someone trying the service runs it: the
// built service starts its own PostgreSQL in an empty DATA_DIR, prints a new admin key once
// and makes the audit log's signing key there; started again on the same DATA_DIR, it
// keeps both.

const SERVICE = 'dist/src/main.js';
// initdb and a first start of the embedded PostgreSQL take seconds, more on a busy machine.
const START_TIMEOUT_MS = 120_000;

interface Service {
  child: ChildProcess;
  baseUrl: string;
  stdout: () => string;
}

// None of the test run's own configuration: only DATA_DIR and the ports below.
const CONFIGURATION = ['DATABASE_URL', 'API_KEYS', 'AUDIT_SIGNING_KEY', 'EVENT_STORE', 'EVENTSTORE_CONNECTION_STRING', 'HOST', 'PORT', 'EMBEDDED_POSTGRES_PORT'];
const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIGURATION.includes(name)));

const dataDir = mkdtempSync(join(tmpdir(), 'ledger-embedded-'));
let running: Service | undefined;

async function startService(): Promise<Service> {
  const [port, postgresPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...inherited, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_POSTGRES_PORT: String(postgresPort), AUDIT_CHECKPOINT_EVERY_SECONDS: '1', LOG_LEVEL: 'error', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  // Kept for the failure message: its shutdown logs the embedded PostgreSQL stopping under it.
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  running = { child, baseUrl: `http://127.0.0.1:${port}`, stdout: () => stdout };
  await new Promise<void>((resolve, reject) => {
    const listening = () => {
      if (!stdout.includes('Incident Ledger listening on')) return;
      child.stdout!.off('data', listening);
      child.off('exit', exited);
      resolve();
    };
    const exited = (code: number | null) => reject(new Error(`The service exited (${code}) before it listened:\n${stdout}${stderr}`));
    child.stdout!.on('data', listening);
    child.once('exit', exited);
  });
  return running;
}

async function stopService(): Promise<void> {
  const child = running?.child;
  running = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killed = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killed);
}

async function get<T = unknown>(service: Service, path: string, adminKey?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${service.baseUrl}${path}`, { headers: adminKey ? { authorization: `Bearer ${adminKey}` } : {} });
  return { status: response.status, body: (await response.json()) as T };
}

type Checkpoints = { latest: SignedCheckpoint | null };
type PublicKey = { keyId: string; pem: string; raw: string };

function adminKeyPrinted(stdout: string): string | undefined {
  return /No API_KEYS set: created an admin key\..*\n\n {2}(\S+)\n/.exec(stdout)?.[1];
}

/** A checkpoint once one is signed: the service signs one a second after anything is sealed. */
async function latestCheckpoint(service: Service, adminKey: string): Promise<SignedCheckpoint> {
  let latest: SignedCheckpoint | null = null;
  await eventually(async () => {
    latest = (await get<Checkpoints>(service, '/audit/checkpoints', adminKey)).body.latest;
    return latest !== null;
  }, 'a signed checkpoint');
  return latest!;
}

beforeAll(() => {
  if (!existsSync(SERVICE)) throw new Error(`${SERVICE} is missing: run \`npm run build\` (npm test does it first)`);
});

afterAll(async () => {
  await stopService();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

let adminKey: string;
let publicKey: PublicKey;
let checkpoint: SignedCheckpoint;

it('starts its own PostgreSQL in an empty DATA_DIR, prints a new admin key once, and signs checkpoints with a key it keeps there', async () => {
  const service = await startService();
  expect((await get(service, '/health')).status).toBe(200);
  adminKey = adminKeyPrinted(service.stdout())!;
  expect(adminKey).toBeDefined();
  expect(service.stdout().split(adminKey)).toHaveLength(2);

  const created = await fetch(`${service.baseUrl}/sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'JNIM', kind: 'armed_group' }),
  });
  expect(created.status).toBe(201);
  checkpoint = await latestCheckpoint(service, adminKey);

  publicKey = (await get<PublicKey>(service, '/audit/public-key')).body;
  expect(checkpointIsSigned(checkpoint, publicKey.pem)).toBe(true);
  // The key kept in DATA_DIR is the one that signs.
  const kept = createPublicKey(createPrivateKey(readFileSync(join(dataDir, 'audit-signing-key.pem'), 'utf8')));
  expect(kept.export({ type: 'spki', format: 'pem' })).toBe(publicKey.pem);
}, START_TIMEOUT_MS);

it('started again on the same DATA_DIR, prints no new admin key, takes the old one, and signs with the same key', async () => {
  expect(adminKey).toBeDefined(); // the first start passed
  await stopService();
  const service = await startService();
  expect(adminKeyPrinted(service.stdout())).toBeUndefined();
  expect((await get(service, '/health')).status).toBe(200);
  expect((await get(service, '/audit/public-key')).body).toEqual(publicKey);
  const { status, body } = await get<Checkpoints>(service, '/audit/checkpoints', adminKey);
  expect(status).toBe(200);
  expect(body.latest).toEqual(checkpoint);
  expect(checkpointIsSigned(body.latest!, publicKey.pem)).toBe(true);
}, START_TIMEOUT_MS);

it('on a shared database, without AUDIT_SIGNING_KEY, stops before touching the database and names the variable', async () => {
  // Nothing listens on port 1: a start that reached for the database would fail on that instead.
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...inherited, DATA_DIR: dataDir, DATABASE_URL: 'postgres://ledger@127.0.0.1:1/ledger', API_KEYS: 'desk:editor:0123456789abcdef0123', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringContaining('AUDIT_SIGNING_KEY: is required with DATABASE_URL') });
  expect(stderr).not.toMatch(/ECONNREFUSED/);
}, START_TIMEOUT_MS);
