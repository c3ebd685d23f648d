import type { ReactNode } from 'react';
import type { Claim, ClaimChange, Statement } from './api-types';
import { useDesk } from './desk-context';
import { figureLong, formatStated, formatWhen, words } from './format';
import { hrefTo } from './route';
import { SourceLabel, SourceLabels } from './source-label';

// A claim as the desk reads it: who claims it (through whom), its status and grade, its
// figures, the stances others took, and its whole life; editors get its actions.

export function ClaimCard({ claim, changed, actions }: { claim: Claim; changed: boolean; actions?: ReactNode }) {
  const { sourceName } = useDesk();
  const headingId = `claim-${claim.claimId}`;
  return (
    <article className={`claim status-${claim.status}${changed ? ' changed' : ''}`} aria-labelledby={headingId} data-claim-id={claim.claimId} data-claimant={sourceName(claim.claimantId)}>
      <header>
        <h3 id={headingId}>
          <SourceLabel id={claim.claimantId} />
          {claim.via.length > 0 && (
            <span className="via">
              {' '}
              via <SourceLabels ids={claim.via} separator=", then " />
            </span>
          )}
        </h3>
        <div className="badges">
          <span className={`badge badge-${claim.status}`}>{claim.status}</span>
          <span className={`badge badge-grade-${claim.grade?.grade ?? 'none'}`}>{claim.grade ? words(claim.grade.grade) : 'not graded'}</span>
          <span className="badge badge-kind">{claim.kind}</span>
          {changed && <span className="badge badge-changed">changed at this step</span>}
        </div>
      </header>
      <p className="summary">{claim.status === 'retracted' ? <s>{claim.summary}</s> : claim.summary}</p>
      <Retraction claim={claim} />
      <p className="meta">
        stated {formatStated(claim.statedAt)}
        {claim.incidentId && (
          <>
            {' · '}logged first on <a href={hrefTo.incident(claim.incidentId)}>another incident</a>, since merged or split
          </>
        )}
      </p>
      {claim.figures.length > 0 && (
        <ul className="figures">
          {claim.figures.map((figure, index) => (
            <li key={index}>
              <strong className={claim.status === 'retracted' ? 'struck' : undefined}>
                {figure.party} {figure.outcome}: {figureLong(figure)}
              </strong>{' '}
              <q>{figure.originalText}</q>
            </li>
          ))}
        </ul>
      )}
      {claim.grade && (
        <p className="grade-rationale">
          Desk’s grade, {formatWhen(claim.grade.assessedAt, 'day')}: {claim.grade.rationale}
        </p>
      )}
      {claim.stances.length > 0 && (
        <ul className="stances" aria-label="Stances others took">
          {claim.stances.map((stance) => (
            <li key={stance.statementId} className={`stance stance-${stance.stance}`}>
              <SourceLabel id={stance.sourceId} /> <strong>{stance.stance}</strong> it ({formatStated(stance.statedAt)})
            </li>
          ))}
        </ul>
      )}
      <details className="history">
        <summary>History ({claim.changes.length})</summary>
        <ol>
          {claim.changes.map((change) => (
            <li key={change.version}>
              v{change.version} · {describeChange(change, sourceName)} · recorded by {change.recordedBy}, {formatWhen(change.recordedAt)}
            </li>
          ))}
        </ol>
      </details>
      {actions}
    </article>
  );
}

/** Why a retracted claim was withdrawn, on the claim itself rather than only in its history. */
function Retraction({ claim }: { claim: Claim }) {
  const retraction = claim.status === 'retracted' ? claim.changes.findLast((change) => change.type === 'retracted') : undefined;
  if (retraction?.type !== 'retracted') return null;
  return (
    <p className="retraction">
      Retracted by the {retraction.retractedBy}, {formatStated(retraction.statedAt)}: {retraction.reason}
    </p>
  );
}

function describeChange(change: ClaimChange, sourceName: (id: string) => string): string {
  switch (change.type) {
    case 'reported':
      return `reported (stated ${formatStated(change.statedAt!)})`;
    case 'amended':
      return `amended by the claimant: ${change.fields?.join(', ')} (${change.reason})`;
    case 'retracted':
      return `retracted by the ${change.retractedBy} (${change.reason})`;
    case 'corrected':
      return `corrected by the desk: ${change.fields?.join(', ')} (${change.reason})`;
    case 'assessed':
      return `graded ${words(change.grade ?? '')}: ${change.rationale}`;
    case 'stance':
      return `${sourceName(change.sourceId ?? '')} ${change.stance} it`;
  }
}

export function StatementCard({ statement, changed }: { statement: Statement; changed: boolean }) {
  const { sourceName } = useDesk();
  return (
    <article className={`statement${changed ? ' changed' : ''}`} aria-label={`Statement by ${sourceName(statement.sourceId)}`}>
      <p className="meta">
        <strong>
          <SourceLabel id={statement.sourceId} />
        </strong>
        {statement.via.length > 0 && (
          <>
            {' '}
            via <SourceLabels ids={statement.via} separator=", then " />
          </>
        )} · {words(statement.medium)} · stated {formatStated(statement.statedAt)}
        {statement.publishedAt && <> · published {formatStated(statement.publishedAt)}</>}
        {statement.retrievedAt && <> · retrieved {formatWhen(statement.retrievedAt)}</>}
        {changed && <span className="badge badge-changed">recorded at this step</span>}
      </p>
      <blockquote lang={statement.language}>{statement.quote}</blockquote>
      {statement.translation && <p className="translation">Translation: {statement.translation}</p>}
      {statement.url && (
        <p className="meta">
          <a href={statement.url} rel="noreferrer noopener" target="_blank">
            Source document
          </a>
        </p>
      )}
    </article>
  );
}
