import { Fragment, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, waitForVersion, type Api, type WriteResult } from './api';
import { RELATION_PHRASES, type Claim, type IncidentView, type LifecycleEntry, type TimelineEntry, type TimelinePage, type ViewDiff } from './api-types';
import { casualtyRowKey, CasualtyChart } from './casualty-chart';
import { ClaimCard, StatementCard } from './claim-card';
import { useDesk } from './desk-context';
import { formatOccurred, formatWhen, LOCATION_PRECISION_WORDS, placeText, possessive } from './format';
import { AmendClaimForm, AssessClaimForm, CorrectClaimForm, ReportClaimForm, RetractClaimForm } from './forms/claim-forms';
import { LinkIncidentForm, MergeIncidentForm, ReviseIncidentForm, SplitIncidentForm, type IncidentFormProps } from './forms/incident-forms';
import { StatementForm } from './forms/statement-form';
import { IncidentEvents } from './audit';
import { useIncidentViews } from './incident-views';
import { hrefTo, navigate, type TimelinePosition } from './route';
import { SourceLabel } from './source-label';
import { ExportDownloads } from './export-downloads';
import { PageHeading } from './page-heading';
import { TagLinks } from './tag-links';
import { TIMELINE_HEADING_ID, TimelinePanel } from './timeline-panel';
import { WatchButton } from './watch-button';

// One incident: what is known (details, casualties, claims, statements, links), the story
// of how it came to be known (the timeline, which also picks the version shown), and for
// editors the forms that add to it.

type OpenForm = { form: 'claim' | 'statement' | 'link' | 'revise' | 'merge' | 'split' } | { form: 'amend' | 'retract' | 'correct' | 'assess'; claimId: string };

interface Loaded {
  latest: IncidentView;
  timeline: TimelineEntry[];
}

export function IncidentPage({ incidentId, at }: { incidentId: string; at?: TimelinePosition }) {
  const { api, mayWrite, mayAudit, announce } = useDesk();
  const path = `/incidents/${incidentId}`;
  // A merged incident's own view (frozen, with mergedInto), not the service's redirect to the survivor.
  const viewPath = `${path}?redirect=false`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<{ title: string; detail: string } | null>(null);
  const [shown, setShown] = useState<IncidentView | null>(null);
  const [step, setStep] = useState<{ version: number; diff: ViewDiff | null } | null>(null);
  /** A time asked for (`asOf`) before the incident was on record: the page says so over its latest version. */
  const [notYetOnRecord, setNotYetOnRecord] = useState<string | null>(null);
  // What a step changed is highlighted once the editor moves along the timeline or records a
  // change, or when the URL names a step; not on arrival at the latest version, when nothing has moved yet.
  const [highlighting, setHighlighting] = useState(at !== undefined);
  const [openForm, setOpenForm] = useState<OpenForm | null>(null);
  // The URL's step, as values the effects can compare.
  const version = at && 'version' in at ? at.version : undefined;
  const asOf = at && 'asOf' in at ? at.asOf : undefined;

  /** The latest view and timeline, once both show at least version `atLeast`. */
  const reload = useCallback(
    async (atLeast = 0) => {
      const latest = await waitForVersion<IncidentView>(api, viewPath, atLeast);
      const timeline = await loadTimeline(api, path, latest.version);
      setLoaded({ latest, timeline });
      return latest;
    },
    [api, path, viewPath],
  );

  useEffect(() => {
    setLoaded(null);
    setFailure(null);
    setOpenForm(null);
    reload().catch((error: unknown) =>
      setFailure(
        error instanceof ApiError && error.status === 404
          ? { title: 'No such incident', detail: 'There is no incident with this id.' }
          : { title: 'The incident could not be shown', detail: error instanceof Error ? error.message : String(error) },
      ),
    );
  }, [reload]);

  // The step the URL names: the latest view is at hand; an earlier version, or what the desk had recorded by a time, is folded by the service.
  useEffect(() => {
    if (!loaded) return;
    const { latest } = loaded;
    const atLatest = asOf === undefined && (version === undefined || version >= latest.version);
    // A step the editor has since moved past (a slider dragged on) is abandoned, not just ignored.
    const request = new AbortController();
    const scoped = api.within(request.signal);
    const timer = setTimeout(
      async () => {
        try {
          const viewAt = atLatest ? latest : await scoped.get<IncidentView>(path, { version, asOf, redirect: 'false' });
          setShown(viewAt);
          setNotYetOnRecord(null);
          const diff = viewAt.version > 0 ? await scoped.get<ViewDiff>(`${path}/diff`, { from: viewAt.version - 1, to: viewAt.version }) : null;
          setStep({ version: viewAt.version, diff });
        } catch (error) {
          if (request.signal.aborted) return;
          if (asOf !== undefined && error instanceof ApiError && error.status === 404) {
            setShown(latest);
            setNotYetOnRecord(asOf);
          } else announce(`Could not load the incident ${asOf === undefined ? `at version ${version}` : `as of ${formatWhen(asOf)}`}.`);
        }
      },
      atLatest ? 0 : 120,
    );
    return () => {
      clearTimeout(timer);
      request.abort();
    };
  }, [api, path, loaded, version, asOf, announce]);

  // Only the diff of the step shown: a slow answer for another step highlights nothing.
  const changed = useMemo(() => changedAt(highlighting && step && step.version === shown?.version ? step.diff : null), [highlighting, step, shown]);

  const onRecorded = useCallback(
    async (result: WriteResult) => {
      // Back to the latest version, where the change is (the forms only show there, but the URL may name it).
      navigate(hrefTo.incident(incidentId), { replace: true });
      await reload(result.version);
      setHighlighting(true);
      setOpenForm(null);
      announce(result.recorded ? `Recorded: the incident is now at version ${result.version}.` : 'Nothing to record: it was already so.');
    },
    [incidentId, reload, announce],
  );

  if (failure) {
    return (
      <>
        <PageHeading>{failure.title}</PageHeading>
        <p>{failure.detail}</p>
        <p>
          <a href={hrefTo.search()}>Back to the incidents</a>
        </p>
      </>
    );
  }
  if (!loaded || !shown) return <p role="status">Loading the incident…</p>;

  const { latest, timeline } = loaded;
  // The version on screen: the one the URL names at once (a slider follows the hand), by date the one the service answered.
  const viewed = version !== undefined ? Math.min(version, latest.version) : asOf !== undefined ? shown.version : latest.version;
  const isLatest = asOf === undefined && viewed === latest.version;
  const viewVersion = (chosen: number) => {
    setHighlighting(true);
    navigate(hrefTo.incident(incidentId, chosen === latest.version ? undefined : { version: chosen }), { replace: true });
  };
  const viewAsOf = (instant: string) => {
    setHighlighting(true);
    navigate(hrefTo.incident(incidentId, { asOf: instant }), { replace: true });
  };
  const editing = mayWrite && isLatest && latest.mergedInto === undefined;
  const formProps = (form: OpenForm): IncidentFormProps => ({ view: latest, onRecorded, onCancel: () => setOpenForm((open) => (open === form ? null : open)) });
  const toggle = (form: OpenForm, label: string) => (
    <button
      type="button"
      aria-expanded={isOpen(openForm, form)}
      onClick={() => setOpenForm(isOpen(openForm, form) ? null : form)}
      className={isOpen(openForm, form) ? 'toggle open' : 'toggle'}
    >
      {label}
    </button>
  );

  return (
    <article className="incident">
      <div className="incident-layout">
        <div className="incident-main">
          <header className="incident-header">
            <PageHeading>{shown.title}</PageHeading>
            <LifecycleNotes view={shown} />
            <p className="meta">
              {placeText(shown.location)} ({LOCATION_PRECISION_WORDS[shown.location.precision]}) · {formatOccurred(shown.occurred)} · version {shown.version}
              {' · '}updated {formatWhen(shown.updatedAt)}
            </p>
            <TagLinks tags={shown.tags} />
            <ExportDownloads query={{ incidentId: shown.id }} label="Download this incident" />
            {mayWrite && <WatchButton incidentId={incidentId} title={latest.title} />}
          </header>

          {/* Stays in sight as the page scrolls: on a phone, the way to the timeline past the claims; and whichever version is shown. */}
          <div className="incident-bar">
            <nav className="jumps" aria-label="Parts of this incident">
              {PARTS.map(([headingId, label]) => (
                <button key={headingId} type="button" onClick={() => jumpTo(headingId)}>
                  {label}
                </button>
              ))}
            </nav>
            {!isLatest && (
              <div className="time-travel" role="status">
                {notYetOnRecord !== null ? (
                  <>
                    Nothing of this incident was on record by {formatWhen(notYetOnRecord)}: it was opened {formatWhen(timeline[0]?.recordedAt ?? latest.openedAt)}. This is its latest version.
                  </>
                ) : asOf !== undefined ? (
                  <>
                    You are looking at the incident as the desk had it at {formatWhen(asOf)}: version {viewed} of {latest.version}.
                  </>
                ) : (
                  <>You are looking at the incident as of version {viewed} of {latest.version}.</>
                )}{' '}
                <button type="button" onClick={() => viewVersion(latest.version)}>
                  Back to the latest version
                </button>
                {mayWrite && <span className="hint"> Changes are recorded against the latest version only.</span>}
              </div>
            )}
          </div>

          <section aria-labelledby="casualties-heading">
            <h2 id="casualties-heading" tabIndex={-1}>
              Casualties claimed
            </h2>
            <CasualtyChart view={shown} changed={changed.casualties} />
          </section>

          <section aria-labelledby="claims-heading">
            <div className="section-head">
              <h2 id="claims-heading" tabIndex={-1}>
                Claims ({shown.claims.length})
              </h2>
              {editing && toggle({ form: 'claim' }, 'Report a claim')}
            </div>
            {editing && openForm?.form === 'claim' && <ReportClaimForm {...formProps(openForm)} />}
            {shown.claims.length === 0 && <p className="empty">No claims yet.</p>}
            {shown.claims.map((claim) => (
              <ClaimCard
                key={claim.claimId}
                claim={claim}
                changed={changed.claims.has(claim.claimId)}
                actions={editing && <ClaimActions claim={claim} openForm={openForm} toggle={toggle} formProps={formProps} />}
              />
            ))}
          </section>

          <section aria-labelledby="statements-heading">
            <div className="section-head">
              <h2 id="statements-heading" tabIndex={-1}>
                Statements ({shown.statements.length})
              </h2>
              {editing && toggle({ form: 'statement' }, 'Record a statement')}
            </div>
            {editing && openForm?.form === 'statement' && <StatementForm {...formProps(openForm)} />}
            {shown.statements.length === 0 && <p className="empty">No statements yet.</p>}
            {shown.statements.map((statement) => (
              <StatementCard key={statement.statementId} statement={statement} changed={changed.statements.has(statement.statementId)} />
            ))}
          </section>

          <section aria-labelledby="details-heading">
            <div className="section-head">
              <h2 id="details-heading" tabIndex={-1}>
                Details and links
              </h2>
              {editing && toggle({ form: 'revise' }, 'Revise the incident')}
              {editing && toggle({ form: 'link' }, 'Link an incident')}
              {editing && toggle({ form: 'merge' }, 'Merge into another')}
              {editing && toggle({ form: 'split' }, 'Split off claims')}
            </div>
            {editing && openForm?.form === 'revise' && <ReviseIncidentForm {...formProps(openForm)} />}
            {editing && openForm?.form === 'link' && <LinkIncidentForm {...formProps(openForm)} />}
            {editing && openForm?.form === 'merge' && <MergeIncidentForm {...formProps(openForm)} />}
            {editing && openForm?.form === 'split' && <SplitIncidentForm {...formProps(openForm)} />}
            <div className={changed.fields ? 'changed' : undefined}>
              {shown.description ? <p className="description">{shown.description}</p> : <p className="empty">No description.</p>}
            </div>
            <LinkedIncidents view={shown} />
            <p className="meta">
              Sources involved:{' '}
              {shown.sources.length === 0
                ? 'none yet'
                : shown.sources.map((source, index) => (
                    <Fragment key={source.id}>
                      {index > 0 && ', '}
                      <SourceLabel id={source.id} name={source.name ?? 'not yet known'} />
                    </Fragment>
                  ))}
              . Opened {formatWhen(shown.openedAt)}.
            </p>
          </section>
        </div>

        <aside className="incident-aside">
          <TimelinePanel entries={timeline} latest={latest.version} viewed={viewed} asOf={asOf} onView={viewVersion} onViewAsOf={viewAsOf} />
        </aside>
      </div>

      {mayAudit && <IncidentEvents incidentId={incidentId} />}
    </article>
  );
}

/** The page's parts, by their headings' ids (the timeline's is TimelinePanel's). */
const PARTS = [
  ['casualties-heading', 'Casualties'],
  ['claims-heading', 'Claims'],
  ['statements-heading', 'Statements'],
  ['details-heading', 'Details'],
  [TIMELINE_HEADING_ID, 'Timeline'],
] as const;

/** Scrolls a part's heading to just below the sticky bar, and moves the focus to it so that the keyboard and a screen reader go there too. */
function jumpTo(headingId: string) {
  const heading = document.getElementById(headingId);
  if (!heading) return;
  const bar = document.querySelector('.incident-bar')?.getBoundingClientRect().height ?? 0;
  window.scrollTo({ top: window.scrollY + heading.getBoundingClientRect().top - bar - 8 });
  heading.focus({ preventScroll: true });
}

function ClaimActions({
  claim,
  openForm,
  toggle,
  formProps,
}: {
  claim: Claim;
  openForm: OpenForm | null;
  toggle: (form: OpenForm, label: string) => ReactNode;
  formProps: (form: OpenForm) => IncidentFormProps;
}) {
  const { sourceName } = useDesk();
  const form = openForm && 'claimId' in openForm && openForm.claimId === claim.claimId ? openForm : null;
  const who = sourceName(claim.claimantId);
  const retracted = claim.status === 'retracted';
  return (
    <div className="claim-actions" role="group" aria-label={`Actions on ${possessive(who)} claim`}>
      <div className="buttons">
        {!retracted && toggle({ form: 'amend', claimId: claim.claimId }, 'Amend')}
        {!retracted && toggle({ form: 'retract', claimId: claim.claimId }, 'Retract')}
        {toggle({ form: 'correct', claimId: claim.claimId }, 'Correct')}
        {toggle({ form: 'assess', claimId: claim.claimId }, 'Grade')}
      </div>
      {form?.form === 'amend' && <AmendClaimForm claim={claim} {...formProps(form)} />}
      {form?.form === 'retract' && <RetractClaimForm claim={claim} {...formProps(form)} />}
      {form?.form === 'correct' && <CorrectClaimForm claim={claim} {...formProps(form)} />}
      {form?.form === 'assess' && <AssessClaimForm claim={claim} {...formProps(form)} />}
    </div>
  );
}

function LinkedIncidents({ view }: { view: IncidentView }) {
  const others = useIncidentViews(useMemo(() => view.links.map((link) => link.incidentId), [view.links]));
  if (view.links.length === 0) return <p className="empty">Not linked to other incidents.</p>;
  return (
    <ul className="links" aria-label="Linked incidents">
      {view.links.map((link) => (
        <li key={`${link.incidentId}-${link.relation}`}>
          This incident {RELATION_PHRASES[link.relation]} <a href={hrefTo.incident(link.incidentId)}>{others[link.incidentId]?.title ?? 'another incident'}</a>
        </li>
      ))}
    </ul>
  );
}

/** Where this incident's claims went, or came from: merges and splits, and a merged incident's survivor. */
function LifecycleNotes({ view }: { view: IncidentView }) {
  const entries = view.lifecycle ?? [];
  const others = useIncidentViews(useMemo(() => [...entries.map((entry) => entry.incidentId), ...(view.mergedInto ? [view.mergedInto] : [])], [entries, view.mergedInto]));
  if (entries.length === 0) return null;
  const named = (incidentId: string) => <a href={hrefTo.incident(incidentId)}>{others[incidentId]?.title ?? 'another incident'}</a>;
  return (
    <ul className="lifecycle" aria-label="Merges and splits">
      {entries.map((entry) => (
        <li key={`${entry.type}-${entry.version}`} className={entry.type === 'merged_into' ? 'merged' : undefined}>
          {lifecycleText(entry, named(entry.incidentId))} <span className="reason">({entry.reason})</span>
        </li>
      ))}
    </ul>
  );
}

function lifecycleText(entry: LifecycleEntry, other: ReactNode): ReactNode {
  switch (entry.type) {
    case 'merged_into':
      return <>This incident was merged into {other}: its claims and statements are there now, and it takes no more changes.</>;
    case 'merged_from':
      return <>Merged in from {other}: {moved(entry)}.</>;
    case 'split_into':
      return <>Split off into {other}: {moved(entry)}.</>;
    case 'split_from':
      return <>This incident was split off from {other}, taking {moved(entry)}.</>;
  }
}

/** "1 claim", "2 claims and 1 statement". */
function moved({ claimIds, statementIds }: { claimIds: string[]; statementIds: string[] }): string {
  const counted = (count: number, noun: string) => (count > 0 ? [`${count} ${noun}${count === 1 ? '' : 's'}`] : []);
  return [...counted(claimIds.length, 'claim'), ...counted(statementIds.length, 'statement')].join(' and ') || 'nothing';
}

function isOpen(open: OpenForm | null, form: OpenForm): boolean {
  return open !== null && open.form === form.form && ('claimId' in open ? open.claimId : null) === ('claimId' in form ? form.claimId : null);
}

/** What the shown step changed, to highlight it. */
function changedAt(step: ViewDiff | null) {
  return {
    claims: new Set(step ? [...step.claims.added, ...step.claims.changed.map((change) => change.claimId)] : []),
    statements: new Set(step?.statements.added ?? []),
    casualties: new Set(step?.casualties.map((entry) => casualtyRowKey(entry.party, entry.outcome)) ?? []),
    fields: (step?.fields.length ?? 0) > 0,
  };
}

/** The whole timeline, once it has caught up with `version` (it is projected apart from the view). */
async function loadTimeline(api: Api, path: string, version: number): Promise<TimelineEntry[]> {
  // Its view answered: the incident exists, and a 404 here is the timeline's projection not there yet.
  const first = await waitForVersion<TimelinePage>(api, `${path}/timeline?limit=1000`, version, { exists: true });
  const entries = [...first.entries];
  for (let next = first.nextFromVersion; next !== null; ) {
    const page = await api.get<TimelinePage>(`${path}/timeline`, { fromVersion: next, limit: 1000 });
    entries.push(...page.entries);
    next = page.nextFromVersion;
  }
  return entries;
}
