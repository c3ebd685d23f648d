import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../src/database/free-port.js';
import { percentile } from './measure.js';

// `npm run bench:restart [-- --restarts N]`: how long the service takes to be healthy again
// after it is killed with its embedded PostgreSQL (kill -9 of the whole process group, as a
// crash, the OOM killer or a pulled plug ends them), restarted with `npm start` as its
// operator would: npm, the build check, Node, PostgreSQL's crash recovery, migrations and
// the service's start, up to the first 200 of GET /health. docs/deployment.md reports it.

const { values } = parseArgs({ options: { restarts: { type: 'string', default: '10' } } });
const RESTARTS = Number(values.restarts);

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ledger-restart-'));
  const key = randomBytes(24).toString('base64url');
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_POSTGRES_PORT: String(await freePort()), API_KEYS: `bench:admin:${key}`, LOG_LEVEL: 'error' };
  const api = `http://127.0.0.1:${env.PORT}`;
  const health = `${api}/health`;
  let service: ChildProcess | undefined;
  try {
    service = npmStart(env);
    const first = await healthyAfter(health, performance.now());
    console.log(`first start (initdb included): ${first.toFixed(0)} ms`);
    const times: number[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      // A write just before the kill, so that PostgreSQL has something to recover.
      const written = await fetch(`${api}/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Source ${restart}`, kind: 'news_outlet' }),
      });
      if (written.status !== 201) throw new Error(`POST /sources answered ${written.status}`);
      killGroup(service);
      const started = performance.now();
      service = npmStart(env);
      times.push(await healthyAfter(health, started));
      console.log(`restart ${restart}: healthy after ${times.at(-1)!.toFixed(0)} ms`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`\nkill -9 (service and embedded PostgreSQL) to healthy, ${RESTARTS} restarts: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`);
  } finally {
    if (service) killGroup(service);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `npm start` in a process group of its own, so that it dies with everything it started. */
function npmStart(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn('npm', ['start', '--silent'], { env, detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Milliseconds from `started` to the first 200 of GET /health. */
async function healthyAfter(url: string, started: number): Promise<number> {
  for (const deadline = started + 120_000; performance.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const ok = await fetch(url).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return performance.now() - started;
  }
  throw new Error(`${url} did not answer 200 within 120 s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
