import { setMaxListeners } from 'node:events';

/**
 * A signal that aborts when any of `signals` does (at once, if one has already), after
 * `timeoutMs`, or on abort(); release() detaches it from them. What AbortSignal.any([...signals,
 * AbortSignal.timeout(ms)]) means, but on Node 20 that composite and the timeout signal are
 * held only weakly, and may be collected — never to fire — while something still waits on
 * them; and each composite stays listed in its sources for as long as they live.
 */
export function linkedAbort(signals: AbortSignal | readonly AbortSignal[], timeoutMs?: number): { signal: AbortSignal; abort: () => void; release: () => void } {
  const sources: readonly AbortSignal[] = signals instanceof AbortSignal ? [signals] : signals;
  const linked = new AbortController();
  const abort = () => linked.abort();
  for (const source of sources) source.addEventListener('abort', abort);
  if (sources.some((source) => source.aborted)) abort();
  const timer = timeoutMs === undefined ? undefined : setTimeout(abort, timeoutMs);
  return {
    signal: linked.signal,
    abort,
    release: () => {
      clearTimeout(timer);
      for (const source of sources) source.removeEventListener('abort', abort);
    },
  };
}

/**
 * An AbortController that many linkedAbort()s may follow at once, one for each stream or
 * subscription open (a service's stop, a store's close), each removed when it ends: Node's
 * warning past ten listeners would be a false alarm.
 */
export function followedAbort(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
