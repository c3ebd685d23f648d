import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { KEYS, NO_REQUEST_LIMITS, sourceKeysMasterKeyOf } from './test-app.js';

// The built service (`npm test` builds it first) in a process of its own, as an operator
// runs it: to be killed, restarted, run side by side, or refused a start.

export const SERVICE = 'dist/src/main.js';

/** The service's own settings: a child gets none of the test run's, only those it is given. */
const SERVICE_SETTINGS = ['DATABASE_URL', 'API_KEYS', 'AUDIT_SIGNING_KEY', 'EVENT_STORE', 'EVENTSTORE_CONNECTION_STRING', 'HOST', 'PORT', 'EMBEDDED_POSTGRES_PORT', 'DATA_DIR', 'LOG_FORMAT', 'METRICS_TOKEN'];

export interface ServiceProcess {
  child: ChildProcess;
  /** Where it listens, as it printed. */
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, as an orchestrator stops it (SIGKILL after 30 s); resolves once it exited. */
  stop: () => Promise<void>;
  /** SIGKILL, as a crash or the OOM killer ends it; resolves once it exited. */
  kill: () => Promise<void>;
}

/**
 * What a service on `databaseUrl` needs: every test key (as startTestApp gives them), an
 * audit signing key, the same for every process given the same `signingKey`, and the sources'
 * master key, the same for every process on the database.
 */
export function serviceEnv(databaseUrl: string, signingKey = newSigningKey()): Record<string, string> {
  const apiKeys = Object.entries(KEYS).map(([role, key]) => `${role}-desk:${role}:${key}`);
  return { DATABASE_URL: databaseUrl, API_KEYS: apiKeys.join(','), AUDIT_SIGNING_KEY: signingKey, SOURCE_KEYS_MASTER_KEY: sourceKeysMasterKeyOf(databaseUrl).toString('base64') };
}

/** An Ed25519 private key as AUDIT_SIGNING_KEY takes it. */
export function newSigningKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function spawnService(env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  if (!existsSync(SERVICE)) throw new Error(`${SERVICE} is missing: run \`npm run build\` (npm test does it first)`);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_SETTINGS.includes(name)));
  const child = spawn(process.execPath, [SERVICE], { env: { ...inherited, NODE_OPTIONS: '', LOG_LEVEL: 'error', PORT: '0', ...NO_REQUEST_LIMITS, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the service with `env` (on top of PORT=0 and LOG_LEVEL=error) and waits until it listens. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const { child, stdout, stderr } = spawnService(env);
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const listening = () => {
      const url = /Incident Ledger listening on (\S+)/.exec(stdout())?.[1];
      if (!url) return;
      child.stdout!.off('data', listening);
      child.off('exit', died);
      resolve(url);
    };
    const died = (code: number | null) => reject(new Error(`The service exited (${code}) before it listened:\n${stdout()}${stderr()}`));
    child.stdout!.on('data', listening);
    child.once('exit', died);
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const killed = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.kill(signal);
    await exited(child);
    clearTimeout(killed);
  };
  return { child, baseUrl, stdout, stderr, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Runs the service with `env` until it exits on its own (a refused start): its exit code and output. */
export async function serviceRefusal(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { child, stdout, stderr } = spawnService(env);
  // 'close', not 'exit': the output is all read by then.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout: stdout(), stderr: stderr() };
}
