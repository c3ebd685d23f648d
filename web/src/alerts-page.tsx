import { useEffect, useState } from 'react';
import type { Alert, SeqPage } from './api-types';
import { useAlerts } from './alerts-context';
import { useDesk } from './desk-context';
import { formatWhen } from './format';
import { PageHeading } from './page-heading';
import { hrefTo } from './route';

// The key's alerts, newest first, a page at a time: what changed on the incidents its desk
// subscriptions watch, and notices about the subscriptions themselves. Opening the list
// (its first page) marks every alert on it seen; those the stream brings while it is open too.

const PAGE_SIZE = 20;

export function AlertsPage() {
  const { api } = useDesk();
  const alerts = useAlerts();
  // Each page's `before`: none for the newest, each older one the `nextBefore` of the page above it.
  const [befores, setBefores] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<SeqPage<Alert> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const before = befores[befores.length - 1];
  const first = befores.length === 1;

  useEffect(() => {
    let current = true;
    setPage(null);
    setProblem(null);
    api.get<SeqPage<Alert>>('/alerts', { limit: PAGE_SIZE, before }).then(
      (answer) => current && setPage(answer),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [api, before]);

  // On the newest page, those that came while it is open go on top of it.
  const newer = first && page ? (alerts?.live ?? []).filter((alert) => alert.seq > (page.items[0]?.seq ?? 0)) : [];
  const shown = page ? [...newer, ...page.items] : [];
  const newestShown = first ? shown[0]?.seq : undefined;
  const markSeen = alerts?.markSeen;
  useEffect(() => {
    if (newestShown !== undefined) markSeen?.(newestShown);
  }, [newestShown, markSeen]);

  if (!alerts) {
    return (
      <>
        <PageHeading>Alerts</PageHeading>
        <p>Alerts are for editors and admins; this key’s role does not include them.</p>
      </>
    );
  }

  return (
    <>
      <PageHeading>Alerts</PageHeading>
      <p className="lead">
        What changed on the incidents you watch, newest first. <a href={hrefTo.subscriptions()}>Choose what you are alerted to.</a>
      </p>
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">{first ? 'Latest alerts' : `Older alerts, page ${befores.length}`}</h2>
        {problem && <p role="alert">{problem}</p>}
        {!page && !problem && <p role="status">Loading…</p>}
        {page && shown.length === 0 && <p className="empty">{first ? 'No alerts yet. Watch an incident, or subscribe to some, to be alerted when they change.' : 'No older alerts.'}</p>}
        <ol className="alerts" aria-label="Alerts">
          {shown.map((alert) => (
            <AlertItem key={alert.seq} alert={alert} />
          ))}
        </ol>
        <nav className="pager" aria-label="Alert pages">
          <button type="button" disabled={first} onClick={() => setBefores(befores.slice(0, -1))}>
            Newer alerts
          </button>
          <button type="button" disabled={page?.nextBefore == null} onClick={() => page?.nextBefore != null && setBefores([...befores, page.nextBefore])}>
            Older alerts
          </button>
        </nav>
      </section>
    </>
  );
}

export function AlertItem({ alert }: { alert: Alert }) {
  return (
    <li className={`alert alert-${alert.kind}`} data-seq={alert.seq}>
      <h3>{alert.headline}</h3>
      {alert.changes.length > 0 && (
        <ul className="alert-changes" aria-label="What changed">
          {alert.changes.map((change, index) => (
            <li key={index}>{change}</li>
          ))}
        </ul>
      )}
      <p className="meta">
        {alert.incident && (
          <>
            <a href={hrefTo.incident(alert.incident.id)}>{alert.incident.title}</a>
            {' · '}
          </>
        )}
        {alert.kind === 'subscription_paused' && (
          <>
            <a href={hrefTo.subscriptions()}>Your subscriptions</a>
            {' · '}
          </>
        )}
        <time dateTime={alert.createdAt}>{formatWhen(alert.createdAt, 'second')}</time>
      </p>
    </li>
  );
}
