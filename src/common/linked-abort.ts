/**
 * A signal that aborts when `signal` does (at once, if it has already), after `timeoutMs`, or
 * on abort(); release() detaches it from `signal`. What AbortSignal.any([signal, AbortSignal.timeout(ms)]) means, but on
 * Node 20 that composite and the timeout signal are held only weakly, and may be collected —
 * never to fire — while something still waits on them.
 */
export function linkedAbort(signal: AbortSignal, timeoutMs?: number): { signal: AbortSignal; abort: () => void; release: () => void } {
  const linked = new AbortController();
  const abort = () => linked.abort();
  signal.addEventListener('abort', abort);
  if (signal.aborted) abort();
  const timer = timeoutMs === undefined ? undefined : setTimeout(abort, timeoutMs);
  return {
    signal: linked.signal,
    abort,
    release: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}
