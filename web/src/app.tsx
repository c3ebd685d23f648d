import { useCallback, useState } from 'react';
import { AlertBell } from './alert-bell';
import { AlertsPage } from './alerts-page';
import { AlertsProvider } from './alerts-context';
import { LedgerPageView } from './audit';
import { DeskProvider, PageScope, useDesk } from './desk-context';
import { IncidentPage } from './incident-page';
import { IncidentSearch } from './incident-search';
import { PageHeading } from './page-heading';
import { hrefTo, pageOf, parseRoute, useHash, type Route } from './route';
import { clearSession, loadSession, saveSession, type Session } from './session';
import { SignIn } from './sign-in';
import { SourceAccessLogPage } from './source-access-log';
import { SourcePage } from './source-page';
import { SourcesPage } from './sources-page';
import { SubscriptionsPage } from './subscriptions-page';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | undefined>();
  const [announcement, setAnnouncement] = useState('');

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setSession(null);
    setNotice(reason ?? 'You are signed out.');
  }, []);

  const announce = useCallback((message: string) => setAnnouncement(message), []);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          setSession(signedIn);
          setNotice(undefined);
        }}
      />
    );
  }

  return (
    <DeskProvider session={session} signOut={signOut} announce={announce}>
      <AlertsProvider>
        <Shell announcement={announcement} onDismiss={() => setAnnouncement('')} />
      </AlertsProvider>
    </DeskProvider>
  );
}

function Shell({ announcement, onDismiss }: { announcement: string; onDismiss: () => void }) {
  const { session, mayWrite, mayAudit, signOut } = useDesk();
  const route = parseRoute(useHash());
  const here = (page: Route['page']) => (route.page === page ? ('page' as const) : undefined);
  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to the page
      </a>
      <header className="masthead">
        <a className="brand" href={hrefTo.search()}>
          Incident Ledger
        </a>
        <nav aria-label="Desk">
          <a href={hrefTo.search()} aria-current={here('search') ?? (route.page === 'incident' ? 'location' : undefined)}>
            Incidents
          </a>
          <a href={hrefTo.sources()} aria-current={here('sources') ?? (route.page === 'source' || route.page === 'source-access-log' ? 'location' : undefined)}>
            Sources
          </a>
          {mayWrite && (
            <a href={hrefTo.subscriptions()} aria-current={here('subscriptions')}>
              Subscriptions
            </a>
          )}
          {mayAudit && (
            <a href={hrefTo.ledger()} aria-current={here('ledger')}>
              Ledger
            </a>
          )}
          <AlertBell current={route.page === 'alerts'} />
        </nav>
        <p className="who">
          Signed in as <strong>{session.name}</strong> <span className={`badge badge-role-${session.role}`}>{session.role}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </p>
      </header>
      <div className="announcement" role="status" aria-live="polite">
        {announcement && (
          <p>
            {announcement}{' '}
            <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss the message">
              ×
            </button>
          </p>
        )}
      </div>
      <main id="main" tabIndex={-1}>
        <PageScope key={pageOf(route)}>
          <Page route={route} />
        </PageScope>
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  const { mayWrite, mayAudit, mayAdminister } = useDesk();
  switch (route.page) {
    case 'search':
      return <IncidentSearch query={route.query} />;
    case 'incident':
      return <IncidentPage key={route.incidentId} incidentId={route.incidentId} at={route.at} />;
    case 'sources':
      return <SourcesPage />;
    case 'source':
      return <SourcePage key={route.sourceId} sourceId={route.sourceId} />;
    case 'source-access-log':
      return mayAdminister ? (
        <SourceAccessLogPage key={route.sourceId} sourceId={route.sourceId} />
      ) : (
        <>
          <PageHeading>Access log</PageHeading>
          <p>The access log is open to admins; this key’s role does not include it.</p>
        </>
      );
    case 'ledger':
      return mayAudit ? (
        <LedgerPageView />
      ) : (
        <>
          <PageHeading>Ledger</PageHeading>
          <p>The ledger is open to auditors and admins; this key’s role does not include it.</p>
        </>
      );
    case 'alerts':
      return <AlertsPage />;
    case 'subscriptions':
      return mayWrite ? (
        <SubscriptionsPage />
      ) : (
        <>
          <PageHeading>Subscriptions</PageHeading>
          <p>Subscriptions to alerts are for editors and admins; this key’s role does not include them.</p>
        </>
      );
    case 'not-found':
      return (
        <>
          <PageHeading>Page not found</PageHeading>
          <p>
            The desk has no page at {route.path}. <a href={hrefTo.search()}>Go to the incidents.</a>
          </p>
        </>
      );
  }
}
