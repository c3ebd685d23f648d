import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { followAlerts } from './alert-stream';
import type { Alert, SeqPage } from './api-types';
import { useDesk } from './desk-context';

// The alerts of the signed-in key (editors and admins): how many came since the alerts list
// was last opened, kept up to date while the desk is open (the stream) and counted from
// what is on record when it opens (GET /alerts). Which alert was seen last is kept in
// localStorage per key name, so that it survives the session (the key itself does not).

export interface Alerts {
  /** How many alerts came since the list was last opened; `more` when there are more than the desk counted. */
  unseen: number;
  more: boolean;
  /** The alerts the stream brought since the desk opened, newest first. */
  live: Alert[];
  /** The alerts up to `seq` have been seen (the list was opened on them). */
  markSeen: (seq: number) => void;
}

const AlertsContext = createContext<Alerts | null>(null);

/** The key's alerts, or null for a role that has none (readers, auditors). */
export function useAlerts(): Alerts | null {
  return useContext(AlertsContext);
}

/** As many as the bell counts exactly: past that, it says "50+". */
const COUNTED = 50;

function seenKey(keyName: string): string {
  return `incident-ledger.alerts-seen.${keyName}`;
}

function storedSeen(keyName: string): number {
  const stored = Number(localStorage.getItem(seenKey(keyName)));
  return Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
}

export function AlertsProvider({ children }: { children: ReactNode }) {
  const { mayWrite } = useDesk();
  return mayWrite ? <KeyAlerts>{children}</KeyAlerts> : children;
}

function KeyAlerts({ children }: { children: ReactNode }) {
  const { api, session } = useDesk();
  const [lastSeen, setLastSeen] = useState(() => storedSeen(session.name));
  // The alerts known not to have been seen, by seq: a replayed one (after a reconnection) counts once.
  const [known, setKnown] = useState<ReadonlySet<number>>(new Set());
  const [more, setMore] = useState(false);
  const [live, setLive] = useState<Alert[]>([]);
  /** The newest alert the desk has: the stream resumes after it. */
  const newest = useRef<number | undefined>(undefined);

  useEffect(() => {
    const following = new AbortController();
    const stop = () => following.abort();
    // Leaving the page ends the stream at once, rather than when the browser gets to it.
    window.addEventListener('pagehide', stop);
    const noted = (alerts: Alert[]) => {
      for (const alert of alerts) newest.current = Math.max(newest.current ?? 0, alert.seq);
      setKnown((current) => new Set([...current, ...alerts.map((alert) => alert.seq)]));
    };
    void (async () => {
      try {
        const first = await api.within(following.signal).get<SeqPage<Alert>>('/alerts', { limit: COUNTED });
        const seen = storedSeen(session.name);
        const unseen = first.items.filter((alert) => alert.seq > seen);
        noted(first.items);
        // A full page of unseen alerts may not be all of them.
        setMore(first.nextBefore !== null && unseen.length === first.items.length);
        newest.current ??= 0; // none on record: every alert from now on (after seq 0)
      } catch {
        if (following.signal.aborted) return;
        // The count waits for the stream: the alerts on record are counted when the desk opens again.
      }
      await followAlerts({
        api,
        afterSeq: () => newest.current,
        onAlert: (alert) => {
          noted([alert]);
          setLive((current) => (current.some((other) => other.seq === alert.seq) ? current : [alert, ...current]));
        },
        signal: following.signal,
      });
    })();
    return () => {
      window.removeEventListener('pagehide', stop);
      following.abort();
    };
  }, [api, session.name]);

  // The list opened in another tab of the same key: seen there is seen here.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => event.key === seenKey(session.name) && setLastSeen(storedSeen(session.name));
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [session.name]);

  const markSeen = useCallback(
    (seq: number) => {
      setLastSeen((current) => {
        const seen = Math.max(current, seq);
        localStorage.setItem(seenKey(session.name), String(seen));
        return seen;
      });
      setMore(false);
    },
    [session.name],
  );

  const alerts = useMemo<Alerts>(() => ({ unseen: [...known].filter((seq) => seq > lastSeen).length, more, live, markSeen }), [known, lastSeen, more, live, markSeen]);
  return <AlertsContext.Provider value={alerts}>{children}</AlertsContext.Provider>;
}
