import { type ChildProcess, fork } from 'node:child_process';
import { type KeyObject, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceReady } from './service.js';

// The service under benchmark (bench/service.ts) in a process of its own, as bench.ts and
// alerts.ts start it.

const here = dirname(fileURLToPath(import.meta.url));

export interface Service {
  url: string;
  constantPath: string;
  /** The statements the service has sent PostgreSQL since it started. */
  statements: () => Promise<number>;
  pid: number;
  stop: () => Promise<void>;
}

// One for the run: the ledger bench.ts stores and every service started on it unwrap the same keys.
export const SOURCE_KEYS_MASTER_KEY = randomBytes(32).toString('base64');

const NO_REQUEST_LIMITS = { RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_FAILED_AUTH: '0' };

/**
 * The service in a process of its own; what it keeps on disk goes to `dataDir`, with the
 * database. `env` adds settings (a benchmark's own); `profileDir` takes its CPU profile.
 */
export async function startService(
  databaseUrl: string,
  keys: { editor: string; reader: string },
  dataDir: string,
  signingKey: KeyObject,
  { env = {}, profileDir }: { env?: Record<string, string>; profileDir?: string } = {},
): Promise<Service> {
  const child: ChildProcess = fork(join(here, 'service.js'), {
    execArgv: [...(await startFlags()), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      API_KEYS: `bench-editor:editor:${keys.editor},bench-reader:reader:${keys.reader}`,
      AUDIT_SIGNING_KEY: signingKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      SOURCE_KEYS_MASTER_KEY,
      LOG_LEVEL: 'warn',
      // The bench measures how fast the service can go, from one address and a key or two.
      ...NO_REQUEST_LIMITS,
      ...env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ServiceReady>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ServiceReady));
    child.once('exit', (code) => reject(new Error(`The service exited (${code}) before it listened`)));
  });
  if (child.pid === undefined) throw new Error('The service has no pid');
  return {
    url: `http://127.0.0.1:${ready.port}`,
    constantPath: ready.constantPath,
    statements: async () => ((await (await fetch(`http://127.0.0.1:${ready.port}${ready.statementsPath}`)).json()) as { statements: number }).statements,
    pid: child.pid,
    stop: async () => {
      child.send('stop');
      await exited;
    },
  };
}

/**
 * Seconds until the service is idle (under 5% of a core for a second): on start it brings
 * the read models and the audit log up to the ledger, which must not fall into a measurement.
 */
export async function settled(pid: number): Promise<number> {
  const started = performance.now();
  const cpuTicks = async () => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
  };
  for (let before = await cpuTicks(); performance.now() - started < 120_000; ) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await cpuTicks();
    if (now - before < 5) break;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

/** The Node flags `npm start` runs the service with (its heap limit): measured as deployed. */
async function startFlags(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(join(here, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

export function randomKey(): string {
  return randomBytes(18).toString('base64url');
}
