import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createApi, type Api } from './api';
import type { Page, Source } from './api-types';
import { canAudit, canWrite, type Session } from './session';

// What every view needs: the API as the signed-in key, what the key may do, the sources
// (for names and pickers), and a polite live region to announce what happened.

export interface Desk {
  api: Api;
  session: Session;
  mayWrite: boolean;
  mayAudit: boolean;
  /** Admins erase sources and read who was shown a confidential one. */
  mayAdminister: boolean;
  sources: Source[];
  source: (id: string) => Source | undefined;
  sourceName: (id: string) => string;
  reloadSources: () => Promise<void>;
  announce: (message: string) => void;
  signOut: () => void;
}

const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error('useDesk outside <DeskProvider>');
  return desk;
}

const MAX_SOURCE_PAGES = 20;

export function DeskProvider({ session, signOut, announce, children }: { session: Session; signOut: (reason?: string) => void; announce: (message: string) => void; children: ReactNode }) {
  const api = useMemo(() => createApi(session.key, () => signOut('The service no longer accepts this API key. Sign in again.')), [session.key, signOut]);
  const [sources, setSources] = useState<Source[]>([]);

  const reloadSources = useCallback(async () => {
    const all: Source[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SOURCE_PAGES; page++) {
      const answer = await api.get<Page<Source>>('/sources', { limit: 100, cursor });
      all.push(...answer.items);
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    setSources(all.sort((a, b) => a.name.localeCompare(b.name)));
  }, [api]);

  useEffect(() => {
    reloadSources().catch(() => announce('Could not load the sources.'));
  }, [reloadSources, announce]);

  const desk = useMemo<Desk>(() => {
    const byId = new Map(sources.map((source) => [source.id, source]));
    return {
      api,
      session,
      mayWrite: canWrite(session.role),
      mayAudit: canAudit(session.role),
      mayAdminister: session.role === 'admin',
      sources,
      source: (id) => byId.get(id),
      sourceName: (id) => byId.get(id)?.name ?? `source …${id.slice(-6)}`,
      reloadSources,
      announce,
      signOut: () => signOut(),
    };
  }, [api, session, sources, reloadSources, announce, signOut]);

  return <DeskContext.Provider value={desk}>{children}</DeskContext.Provider>;
}

/**
 * One page of the desk: every request made within it, by the page or its forms, panels and
 * polls, is abandoned when it goes (a navigation elsewhere), so none outlives it.
 */
export function PageScope({ children }: { children: ReactNode }) {
  const desk = useDesk();
  // Made by the effect, not the render: React may mount, unmount and mount a component again.
  const [signal, setSignal] = useState<AbortSignal | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    setSignal(controller.signal);
    return () => controller.abort();
  }, []);
  // The page's API stays one object while the desk around it changes (its sources reloaded): effects that use it do not run again.
  const api = useMemo(() => signal && desk.api.within(signal), [desk.api, signal]);
  const scoped = useMemo(() => api && { ...desk, api }, [desk, api]);
  return scoped && <DeskContext.Provider value={scoped}>{children}</DeskContext.Provider>;
}
