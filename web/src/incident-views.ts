import { useEffect, useState } from 'react';
import type { IncidentView } from './api-types';
import { useDesk } from './desk-context';

/**
 * Other incidents' current views, by id, as each incident shows itself (a merged one too, not
 * its survivor): for their titles and their claims' words. One not (yet) answered is missing.
 */
export function useIncidentViews(incidentIds: readonly string[]): Record<string, IncidentView> {
  const { api } = useDesk();
  const [views, setViews] = useState<Record<string, IncidentView>>({});
  useEffect(() => {
    const request = new AbortController();
    const scoped = api.within(request.signal);
    for (const incidentId of new Set(incidentIds)) {
      scoped
        .get<IncidentView>(`/incidents/${incidentId}`, { redirect: 'false' })
        .then((view) => request.signal.aborted || setViews((known) => ({ ...known, [incidentId]: view })))
        .catch(() => undefined);
    }
    return () => request.abort();
  }, [api, incidentIds]);
  return views;
}
