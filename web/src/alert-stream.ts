import { ApiError, type Api } from './api';
import type { Alert } from './api-types';
import { eventStreamParser } from './event-stream';

// The key's alerts as they happen (GET /alerts/stream, Server-Sent Events). EventSource
// cannot send the Authorization header the service needs, so this reads the
// `text/event-stream` body through fetch itself; after a drop it asks again with
// Last-Event-ID, waiting longer after each failure in a row, until `signal` aborts
// (sign-out, or the page unloading).

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;
/** Heartbeats come far more often than this: a stream silent for longer is taken as dropped. */
const SILENCE_MS = 90_000;

/**
 * Follows the stream from after `afterSeq` (every alert after it, even those that came
 * while nothing listened), calling `onAlert` for each, until `signal` aborts.
 */
export async function followAlerts({
  api,
  afterSeq,
  onAlert,
  signal,
}: {
  api: Api;
  afterSeq: () => number | undefined;
  onAlert: (alert: Alert) => void;
  signal: AbortSignal;
}): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener('abort', stop, { once: true });
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(stop, SILENCE_MS);
    };
    try {
      const after = afterSeq();
      const response = await api.stream('/alerts/stream', after === undefined ? {} : { 'last-event-id': String(after) }, connection.signal);
      failures = 0;
      heard();
      const parser = eventStreamParser();
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        heard();
        for (const event of parser.push(value)) if (event.event === 'alert') onAlert(JSON.parse(event.data) as Alert);
      }
    } catch (error) {
      if (signal.aborted) return;
      // The key is no longer accepted: the desk signs out (the API's 401 handling), nothing to follow.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
      failures++;
    } finally {
      clearTimeout(silence);
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) return;
    // A clean end (the service restarting) is retried soon; failures in a row, ever less often.
    await pause(Math.min(FIRST_RETRY_MS * 2 ** failures, LONGEST_RETRY_MS) * (0.75 + Math.random() / 2), signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
