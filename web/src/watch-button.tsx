import { useCallback, useEffect, useState } from 'react';
import { waitForVersion, type WriteResult } from './api';
import { TRIGGERS, type Subscription } from './api-types';
import { useDesk } from './desk-context';
import { useWrite } from './forms/use-write';

// Watching an incident is a desk subscription to it alone, set off by every change: the
// button makes one, and finds the key's own to stop it. A subscription that also names
// other filters, other incidents or fewer changes is the subscriptions page's to manage.

/** The key's own active desk subscription to exactly this incident, if it has one. */
function watchOf(subscriptions: Subscription[], incidentId: string, owner: string): Subscription | undefined {
  return subscriptions.find(
    ({ owner: by, target, status, filters }) =>
      by === owner && status === 'active' && target.kind === 'desk' && Object.keys(filters).length === 1 && filters.incidentIds?.length === 1 && filters.incidentIds[0] === incidentId,
  );
}

export function WatchButton({ incidentId, title }: { incidentId: string; title: string }) {
  const { api, session, announce } = useDesk();
  // undefined: not known yet; null: not watched.
  const [watch, setWatch] = useState<Subscription | null | undefined>(undefined);

  const reload = useCallback(async () => {
    const { items } = await api.get<{ items: Subscription[] }>('/subscriptions');
    setWatch(watchOf(items, incidentId, session.name) ?? null);
  }, [api, incidentId, session.name]);

  useEffect(() => {
    reload().catch(() => setWatch(null));
  }, [reload]);

  const start = useWrite(
    useCallback(
      async (result: WriteResult) => {
        setWatch(await waitForVersion<Subscription>(api, `/subscriptions/${result.id}`, result.version));
        announce(`Watching ${title}: its changes come to the bell.`);
      },
      [api, announce, title],
    ),
  );
  const stop = useWrite(
    useCallback(async () => {
      setWatch(null);
      announce(`Stopped watching ${title}.`);
    }, [announce, title]),
  );
  const write = watch ? stop : start;

  if (watch === undefined) return null;
  return (
    <div className="watch">
      {watch ? (
        <>
          <span className="watching" role="status">
            Watching
          </span>
          <button type="button" disabled={stop.pending} onClick={() => void stop.submit({ method: 'DELETE', path: `/subscriptions/${watch.id}`, ifMatch: watch.version })}>
            Stop watching
          </button>
        </>
      ) : (
        <button
          type="button"
          disabled={start.pending}
          onClick={() =>
            void start.submit({
              method: 'POST',
              path: '/subscriptions',
              body: { id: start.createdId(), target: { kind: 'desk' }, filters: { incidentIds: [incidentId] }, triggers: [...TRIGGERS], description: `Watching ${title}`.slice(0, 200) },
            })
          }
        >
          Watch
        </button>
      )}
      {(write.problem || write.conflict) && (
        <p className="form-problem" role="alert">
          {write.conflict ? 'Someone changed this subscription meanwhile: reload the page to see it.' : write.problem}
        </p>
      )}
    </div>
  );
}
