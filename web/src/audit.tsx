import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from './api';
import type { AuditCheckpoint, IncidentEventsPage, IncidentView, LedgerPage, ProjectionStatus, RecordedEvent, VerifyReport } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen, shortId } from './format';
import { PageHeading } from './page-heading';
import { useIncidentViews } from './incident-views';
import { hrefTo } from './route';
import { SourceLabel } from './source-label';

// For auditors: the record itself. The raw events of one incident and the global ledger,
// exactly as stored (data and metadata), a page at a time.

const PAGE_SIZE = 25;

export function IncidentEvents({ incidentId }: { incidentId: string }) {
  const { api } = useDesk();
  const [fromVersion, setFromVersion] = useState(0);
  const [page, setPage] = useState<IncidentEventsPage | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api
      .get<IncidentEventsPage>(`/incidents/${incidentId}/events`, { fromVersion, limit: PAGE_SIZE })
      .then(setPage, (error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  }, [api, incidentId, fromVersion]);

  return (
    <section className="audit" aria-labelledby="raw-events-heading">
      <h2 id="raw-events-heading">Raw events (auditor)</h2>
      {problem && <p role="alert">{problem}</p>}
      {page && (
        <>
          <p className="meta">
            Versions {fromVersion}–{fromVersion + page.events.length - 1} of the stream, which is at version {page.version}.
          </p>
          <EventTable events={page.events} />
          <nav className="pager" aria-label="Raw event pages">
            <button type="button" disabled={fromVersion === 0} onClick={() => setFromVersion(Math.max(0, fromVersion - PAGE_SIZE))}>
              Earlier events
            </button>
            <button type="button" disabled={page.nextFromVersion === null} onClick={() => page.nextFromVersion !== null && setFromVersion(page.nextFromVersion)}>
              Later events
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

export function LedgerPageView() {
  const { api, session } = useDesk();
  // The positions each page started after: the first page starts at the beginning.
  const [starts, setStarts] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<LedgerPage | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const after = starts[starts.length - 1];

  useEffect(() => {
    setPage(null);
    api.get<LedgerPage>('/ledger', { after, limit: PAGE_SIZE }).then(setPage, (error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  }, [api, after]);

  return (
    <>
      <PageHeading>Ledger</PageHeading>
      <p className="lead">Every event the service has recorded, in the order it was recorded. Nothing here is ever updated or deleted.</p>
      <LedgerVerification />
      {session.role === 'admin' && <ProjectionStatusTable />}
      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Events, page {starts.length}</h2>
        <dl className="columns-explained">
          <dt>Position</dt>
          <dd>
            The event’s place in the ledger’s one order, written as the event store writes it: with PostgreSQL, the number of the transaction that wrote the event, a colon, and the
            event’s sequence number (762:1). Positions tell which event came first; they are not a count of events and may skip numbers. Give one to ask for the events after it, or for
            the event’s audit proof.
          </dd>
          <dt>Stream</dt>
          <dd>The incident or source whose history the event belongs to, with the stream’s id.</dd>
          <dt>Version</dt>
          <dd>The event’s number within that history: version 0 opened it.</dd>
        </dl>
        {problem && <p role="alert">{problem}</p>}
        {page ? <EventTable events={page.events} showStream /> : <p role="status">Loading…</p>}
        <nav className="pager" aria-label="Ledger pages">
          <button type="button" disabled={starts.length === 1} onClick={() => setStarts(starts.slice(0, -1))}>
            Previous page
          </button>
          <button type="button" disabled={!page?.next} onClick={() => page?.next && setStarts([...starts, page.next])}>
            Next page
          </button>
        </nav>
      </section>
    </>
  );
}

/** Whether the stored events still match the sealed, signed audit log (GET /audit/verify). */
function LedgerVerification() {
  const { api } = useDesk();
  const [available, setAvailable] = useState(true);
  const [latest, setLatest] = useState<AuditCheckpoint | null>(null);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api.get<{ latest: AuditCheckpoint | null }>('/audit/checkpoints', { limit: 1 }).then(
      (answer) => setLatest(answer.latest),
      (error: unknown) => setAvailable(!(error instanceof ApiError && error.status === 404)),
    );
  }, [api]);

  const verify = async () => {
    setChecking(true);
    setProblem(null);
    try {
      setReport(await api.get<VerifyReport>('/audit/verify'));
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setChecking(false);
    }
  };

  if (!available) return null;
  return (
    <section aria-labelledby="verification-heading" className="verification">
      <h2 id="verification-heading">Verification</h2>
      <p className="meta">
        {latest
          ? `Last signed checkpoint: ${latest.treeSize} events, ${formatWhen(latest.timestamp)}, key ${latest.keyId}.`
          : 'No signed checkpoint yet.'}
      </p>
      <button type="button" onClick={() => void verify()} disabled={checking}>
        {checking ? 'Checking every event…' : 'Verify the ledger'}
      </button>
      <div role="status" aria-live="polite">
        {problem && <p className="field-error">{problem}</p>}
        {report && (
          <p className={report.ok ? 'verified' : 'not-verified'}>
            {report.ok
              ? `Verified: ${report.treeSize} sealed events match the ledger, and ${report.checkpoints.valid} of ${report.checkpoints.total} checkpoints are validly signed.`
              : `Not verified: ${
                  report.firstMismatch
                    ? `the ledger and the sealed log disagree at leaf ${report.firstMismatch.leafIndex} (${report.firstMismatch.kind}${report.firstMismatch.position ? `, position ${report.firstMismatch.position}` : ''})`
                    : `checkpoint ${report.checkpoints.firstInvalid?.treeSize}: ${report.checkpoints.firstInvalid?.problem} — ${report.checkpoints.firstInvalid?.detail}`
                }.`}
            {report.unsealedEvents ? ` ${report.unsealedEvents} newer events are not sealed yet.` : ''}
          </p>
        )}
      </div>
    </section>
  );
}

function ProjectionStatusTable() {
  const { api } = useDesk();
  const [projections, setProjections] = useState<ProjectionStatus[] | null>(null);
  const [rebuilding, setRebuilding] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ problem: boolean; text: string } | null>(null);
  const load = useCallback(() => {
    api.get<{ projections: ProjectionStatus[] }>('/admin/projections').then((answer) => setProjections(answer.projections), () => setProjections(null));
  }, [api]);
  useEffect(load, [load]);
  const rebuild = async (name: string) => {
    setRebuilding(name);
    setOutcome(null);
    try {
      const rebuilt = await api.act<{ eventsApplied: number }>(`/admin/projections/${encodeURIComponent(name)}/rebuild`);
      setOutcome({ problem: false, text: `Rebuilt ${name} from the start of the ledger: ${rebuilt.eventsApplied} events applied.` });
    } catch (error) {
      // A long rebuild outlives a proxy's timeout and goes on: Refresh tells.
      setOutcome({ problem: true, text: `No answer that the rebuild of ${name} finished (${error instanceof Error ? error.message : String(error)}); it may still be running: Refresh to see.` });
    } finally {
      setRebuilding(null);
      load();
    }
  };
  if (!projections) return null;
  return (
    <section aria-labelledby="projections-heading">
      <h2 id="projections-heading">Read models (admin)</h2>
      <TableScroll label="Read models, scrolling sideways">
        <table>
          <thead>
            <tr>
              <th scope="col">Projection</th>
              <th scope="col">Status</th>
              <th scope="col">Events applied</th>
              <th scope="col">Behind the ledger</th>
              <th scope="col">Rebuild</th>
            </tr>
          </thead>
          <tbody>
            {projections.map((projection) => (
              <tr key={projection.name}>
                <th scope="row">{projection.name}</th>
                <td>
                  {projection.status}
                  {projection.rebuilding && ', rebuilding'}
                  {projection.error && ` — ${projection.error}`}
                </td>
                <td>{projection.eventsApplied}</td>
                <td>
                  {projection.lag.events}
                  {projection.lag.eventsCapped ? '+' : ''} events, {projection.lag.seconds.toFixed(1)} s
                </td>
                <td>
                  <button type="button" disabled={rebuilding !== null || projection.rebuilding} aria-label={`Rebuild ${projection.name}`} onClick={() => void rebuild(projection.name)}>
                    {rebuilding === projection.name || projection.rebuilding ? 'Rebuilding…' : 'Rebuild'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p role={outcome?.problem ? 'alert' : 'status'}>{outcome?.text}</p>
      <button type="button" onClick={load}>
        Refresh
      </button>
    </section>
  );
}

function EventTable({ events, showStream = false }: { events: RecordedEvent[]; showStream?: boolean }) {
  const incidentIds = useMemo(() => (showStream ? events.flatMap((event) => STREAM_OF_INCIDENT.exec(event.streamId)?.[1] ?? []) : []), [events, showStream]);
  const incidents = useIncidentViews(incidentIds);
  if (events.length === 0) return <p className="empty">No events.</p>;
  return (
    <TableScroll label="Events, scrolling sideways">
      <table className="events">
        <thead>
          <tr>
            <th scope="col">Position</th>
            {showStream && <th scope="col">Stream</th>}
            <th scope="col">Version</th>
            <th scope="col">Type</th>
            <th scope="col">Recorded</th>
            <th scope="col">Data and metadata</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.eventId}>
              <td>{event.position}</td>
              {showStream && (
                <td>
                  <StreamName streamId={event.streamId} incidents={incidents} />
                </td>
              )}
              <td>{event.revision}</td>
              <th scope="row">{event.type}</th>
              <td>
                {typeof event.metadata.recordedAt === 'string' ? formatWhen(event.metadata.recordedAt) : '—'}
                <br />
                by {String(event.metadata.recordedBy ?? '—')}
              </td>
              <td>
                <details>
                  <summary>JSON</summary>
                  <pre>{JSON.stringify({ data: event.data, metadata: event.metadata }, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

// The streams' names, as src/incidents/domain/incident.streams.ts and src/sources/domain/source.streams.ts make them.
const STREAM_OF_INCIDENT = /^incident-(.+)$/;
const STREAM_OF_SOURCE = /^source-(.+)$/;

/** A stream by what it is the history of: the incident's title, the source's name; then its id, which auditors quote. */
function StreamName({ streamId, incidents }: { streamId: string; incidents: Record<string, IncidentView> }) {
  const incidentId = STREAM_OF_INCIDENT.exec(streamId)?.[1];
  const sourceId = STREAM_OF_SOURCE.exec(streamId)?.[1];
  return (
    <>
      {incidentId && (
        <>
          Incident <a href={hrefTo.incident(incidentId)}>{incidents[incidentId]?.title ?? `…${shortId(incidentId)}`}</a>
        </>
      )}
      {sourceId && (
        <>
          Source <SourceLabel id={sourceId} />
        </>
      )}
      <span className="stream-id">{streamId}</span>
    </>
  );
}

/** A table wider than a phone scrolls sideways in its own box instead of widening the page; the box takes the focus, so that the keyboard scrolls it too. */
function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
