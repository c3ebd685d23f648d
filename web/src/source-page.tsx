import { useEffect, useMemo, useState } from 'react';
import { ApiError } from './api';
import { identifiesConfidentialSources, type IncidentRole, type SourceWithTrackRecord, type TrackRecord, type TrackRecordClaim } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen, words } from './format';
import { useIncidentViews } from './incident-views';
import { PageHeading } from './page-heading';
import { hrefTo } from './route';
import { SourceLabel, SourceTag } from './source-label';

// One source and its track record (GET /sources/{id}): how many of its claims it amended or
// retracted, how many others disputed or supported, how the desk graded them, and every
// incident it appears in, with the claims it made there. What a role may not see of a
// confidential source (its name, aliases, description) the service leaves out; its kind,
// country and record stay, for every role.

const INCIDENTS_AT_ONCE = 20;

const COUNTS: { count: Exclude<keyof TrackRecord, 'claims' | 'incidents'>; label: string }[] = [
  { count: 'claimsMade', label: 'Claims made' },
  { count: 'amended', label: 'Amended by the source' },
  { count: 'retracted', label: 'Retracted' },
  { count: 'disputedByOthers', label: 'Disputed or denied by other sources' },
  { count: 'supportedByOthers', label: 'Supported by other sources' },
  { count: 'confirmedByDesk', label: 'Confirmed by the desk' },
  { count: 'discountedByDesk', label: 'Discounted by the desk' },
];

const ROLES: Record<IncidentRole, string> = { claimant: 'made claims', conduit: 'passed on others’ words', statement_source: 'made statements' };

export function SourcePage({ sourceId }: { sourceId: string }) {
  const { api, session, mayAdminister } = useDesk();
  const [source, setSource] = useState<SourceWithTrackRecord | null>(null);
  const [problem, setProblem] = useState<{ title: string; detail: string } | null>(null);

  useEffect(() => {
    api.get<SourceWithTrackRecord>(`/sources/${sourceId}`).then(setSource, (error: unknown) =>
      setProblem(
        error instanceof ApiError && error.status === 404
          ? { title: 'No such source', detail: 'No source with this id is registered.' }
          : { title: 'The source could not be shown', detail: error instanceof Error ? error.message : String(error) },
      ),
    );
  }, [api, sourceId]);

  if (problem) {
    return (
      <>
        <PageHeading>{problem.title}</PageHeading>
        <p role="alert">{problem.detail}</p>
        <p>
          <a href={hrefTo.sources()}>Back to the sources</a>
        </p>
      </>
    );
  }
  if (!source) return <p role="status">Loading the source…</p>;

  const hidden = source.confidential && !source.erased && !identifiesConfidentialSources(session.role);
  return (
    <article className="source-page">
      <PageHeading>
        <SourceTag id={source.id} source={source} name={source.name} linked={false} />
      </PageHeading>
      <p className="meta">
        {words(source.kind)}
        {source.country && ` · ${source.country}`}
        {source.aliases.length > 0 && ` · also ${source.aliases.join(', ')}`} · registered {formatWhen(source.registeredAt, 'day')}
      </p>
      {source.description && <p>{source.description}</p>}
      {source.erased && <p className="erased-note">Erased: its name, aliases, description and the words of its statements are gone, for everyone.</p>}
      {hidden && <p className="source-note">A confidential source: who it is is shown to editors and admins only. Its kind, country and track record are shown to everyone.</p>}
      {source.confidential && !source.erased && !hidden && (
        <p className="source-note">
          A confidential source: its name is not for print, and each showing of it to an editor or admin is logged.
          {mayAdminister && (
            <>
              {' '}
              <a href={hrefTo.sourceAccessLog(source.id)}>Who was shown it</a>
            </>
          )}
        </p>
      )}

      <section aria-labelledby="track-record-heading">
        <h2 id="track-record-heading">Track record</h2>
        <dl className="track-record">
          {COUNTS.map(({ count, label }) => (
            <div key={count} data-count={count}>
              <dt>{label}</dt>
              <dd>{source.trackRecord[count]}</dd>
            </div>
          ))}
        </dl>
      </section>

      <InvolvedIncidents record={source.trackRecord} />
      <p>
        <a href={hrefTo.sources()}>All sources</a>
      </p>
    </article>
  );
}

/** The incidents it appears in, a few at a time: each is read for its title and its claims' words. */
function InvolvedIncidents({ record }: { record: TrackRecord }) {
  const [groups, setGroups] = useState(1);
  const shown = groups * INCIDENTS_AT_ONCE;
  return (
    <section aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">Incidents ({record.incidents.length})</h2>
      {record.incidents.length === 0 && <p className="empty">In no incident yet.</p>}
      <ul className="results involved-incidents">
        {Array.from({ length: groups }, (_, group) => (
          <IncidentGroup key={group} record={record} from={group * INCIDENTS_AT_ONCE} />
        ))}
      </ul>
      {record.incidents.length > shown && (
        <button type="button" onClick={() => setGroups(groups + 1)}>
          Show {Math.min(INCIDENTS_AT_ONCE, record.incidents.length - shown)} more incidents
        </button>
      )}
    </section>
  );
}

function IncidentGroup({ record, from }: { record: TrackRecord; from: number }) {
  const incidents = useMemo(() => record.incidents.slice(from, from + INCIDENTS_AT_ONCE), [record, from]);
  const views = useIncidentViews(useMemo(() => incidents.map((incident) => incident.incidentId), [incidents]));
  return incidents.map(({ incidentId, roles }) => {
    const view = views[incidentId];
    const made = record.claims.filter((claim) => claim.incidentId === incidentId);
    return (
      <li key={incidentId} data-incident-id={incidentId}>
        <a href={hrefTo.incident(incidentId)} className="result-title">
          {view?.title ?? 'An incident'}
        </a>
        <p className="meta">{roles.map((role) => ROLES[role]).join(', ')}</p>
        {made.length > 0 && (
          <ul className="track-claims" aria-label="Its claims here">
            {made.map((claim) => (
              <TrackClaim key={claim.claimId} claim={claim} summary={view?.claims.find((shownClaim) => shownClaim.claimId === claim.claimId)?.summary} />
            ))}
          </ul>
        )}
      </li>
    );
  });
}

function TrackClaim({ claim, summary }: { claim: TrackRecordClaim; summary: string | undefined }) {
  return (
    <li data-claim-id={claim.claimId}>
      <span className="summary">{summary ?? 'A claim'}</span> <span className={`badge badge-${claim.status}`}>{claim.status}</span>
      {claim.amended && claim.status !== 'amended' && <span className="badge badge-amended">amended</span>}
      <span className={`badge badge-grade-${claim.grade ?? 'none'}`}>{claim.grade ? words(claim.grade) : 'not graded'}</span>
      {claim.stances.length > 0 && (
        <ul className="stances" aria-label="Stances others took">
          {claim.stances.map((stance) => (
            <li key={stance.statementId} className={`stance stance-${stance.stance}`}>
              <SourceLabel id={stance.sourceId} /> <strong>{stance.stance}</strong> it
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
