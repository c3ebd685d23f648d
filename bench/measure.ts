import autocannon from 'autocannon';
import type pg from 'pg';

/** One timed run: completed operations per second and their latencies. */
export interface Run {
  perSecond: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  count: number;
}

/** A figure's runs and the medians reported for it. */
export interface Summary extends Run {
  runs: Run[];
}

export interface HttpLoad {
  url: string;
  connections: number;
  seconds: number;
  /** Called for each request: its method, path, headers and body. */
  request: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };
  /** Called with each 2xx response's body at the moment it arrives. */
  onAnswer?: (body: string) => void;
}

/**
 * Closed-loop HTTP load with autocannon: each connection sends its next request when the
 * last one is answered. Latencies come from autocannon's own per-response timings (at
 * microsecond resolution, where its summary histogram rounds to milliseconds). Any
 * non-2xx answer or error fails the run: a benchmark that measures errors measures nothing.
 */
export async function httpLoad({ url, connections, seconds, request, onAnswer }: HttpLoad): Promise<Run> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (raw) => ({ ...raw, ...request() }),
            ...(onAnswer && { onResponse: (status: number, body: string) => status < 300 && onAnswer(body) }),
          },
        ],
      },
      (error: unknown, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, status, _bytes, milliseconds) => {
      if (status < 300) latencies.push(milliseconds);
    });
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return summarise(latencies, result.duration);
}

/**
 * The same closed loop straight over node-postgres: `connections` clients, each sending its
 * next statement (an autocommitted transaction) as soon as the last one returns.
 */
export async function sqlLoad(pool: pg.Pool, connections: number, seconds: number, statement: (client: number, sequence: number) => [string, unknown[]]): Promise<Run> {
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  try {
    return await closedLoop(connections, seconds, async (client, sequence) => {
      const [text, values] = statement(client, sequence);
      await clients[client].query(text, values);
      return true;
    });
  } finally {
    clients.forEach((client) => client.release());
  }
}

/**
 * `workers` loops, each starting its next operation as soon as the last one ended, for
 * `seconds`: the rate and latencies of the operations that counted (`operation` answers
 * false for one that did not, such as a refused write that is tried again).
 */
export async function closedLoop(workers: number, seconds: number, operation: (worker: number, sequence: number) => Promise<boolean>): Promise<Run> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let sequence = 0; performance.now() < deadline; sequence++) {
        const sent = performance.now();
        if (await operation(worker, sequence)) latencies.push(performance.now() - sent);
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000);
}

export function summarise(latencies: number[], seconds: number): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: sorted.length / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Medians, figure by figure, of the runs. */
export function medianOf(runs: Run[]): Summary {
  return {
    perSecond: median(runs.map((run) => run.perSecond)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    count: median(runs.map((run) => run.count)),
    runs,
  };
}

/**
 * A warm-up of each, then `repeats` rounds of baseline and subject back to back, so that
 * a spell of load from elsewhere on the machine falls on both rather than on one.
 */
export async function paired(repeats: number, baseline: (round: number) => Promise<Run>, subject: (round: number) => Promise<Run>): Promise<{ baseline: Summary; subject: Summary }> {
  await baseline(0);
  await subject(0);
  const baselines: Run[] = [];
  const subjects: Run[] = [];
  for (let round = 1; round <= repeats; round++) {
    baselines.push(await baseline(round));
    subjects.push(await subject(round));
  }
  return { baseline: medianOf(baselines), subject: medianOf(subjects) };
}
