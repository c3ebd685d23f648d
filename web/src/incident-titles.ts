import { useEffect, useState } from 'react';
import type { IncidentView } from './api-types';
import { useDesk } from './desk-context';

/** Other incidents' titles, as each incident names itself (a merged one too). */
export function useIncidentTitles(incidentIds: readonly string[]): Record<string, string> {
  const { api } = useDesk();
  const [titles, setTitles] = useState<Record<string, string>>({});
  useEffect(() => {
    let current = true;
    for (const incidentId of new Set(incidentIds)) {
      api
        .get<IncidentView>(`/incidents/${incidentId}`, { redirect: 'false' })
        .then((other) => current && setTitles((known) => ({ ...known, [incidentId]: other.title })))
        .catch(() => undefined);
    }
    return () => {
      current = false;
    };
  }, [api, incidentIds]);
  return titles;
}
