import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, waitForVersion, type Api, type WriteResult } from './api';
import type { Delivery, SeqPage, Subscription, SubscriptionFilters } from './api-types';
import { useDesk } from './desk-context';
import { formatWhen, TRIGGER_WORDS } from './format';
import { filtersText, NewSubscriptionForm, useIncidentTitles, type Created } from './forms/subscription-form';
import { useWrite, type Conflict, type ExplainConflict, type Write } from './forms/use-write';
import { PageHeading } from './page-heading';
import { hrefTo } from './route';

// The key's subscriptions to alerts (an admin's: everyone's, each with its owner): what
// each follows and where its alerts go, pausing and resuming it, deleting it, and for a
// webhook what was sent to it (the delivery log), each delivery sent again on request.

const NONE: Subscription[] = [];

export function SubscriptionsPage() {
  const { api, mayAdminister } = useDesk();
  const [subscriptions, setSubscriptions] = useState<Subscription[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const incidentTitle = useIncidentTitles(subscriptions ?? NONE);

  const reload = useCallback(async () => {
    try {
      setSubscriptions((await api.get<{ items: Subscription[] }>('/subscriptions')).items);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [api]);

  useEffect(() => void reload(), [reload]);

  const onCreated = useCallback(
    (done: Created) => {
      setCreating(false);
      setCreated(done);
      void reload();
    },
    [reload],
  );

  return (
    <>
      <div className="section-head">
        <PageHeading>Subscriptions</PageHeading>
        <button type="button" className="toggle" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          New subscription
        </button>
      </div>
      <p className="lead">
        {mayAdminister ? 'Every key’s subscriptions' : 'Your subscriptions'} to alerts when incidents’ figures or claims change. Alerts to the desk come to the bell and{' '}
        <a href={hrefTo.alerts()}>the alerts list</a>; a webhook’s go to your system.
      </p>
      {creating && <NewSubscriptionForm onCreated={onCreated} onCancel={() => setCreating(false)} />}
      {created?.secret && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      {problem && <p role="alert">{problem}</p>}
      {!subscriptions && !problem && <p role="status">Loading…</p>}
      {subscriptions?.length === 0 && <p className="empty">No subscriptions yet. Subscribe here, or watch an incident from its page.</p>}
      <ul className="subscriptions" aria-label="Subscriptions">
        {subscriptions?.map((subscription) => (
          <SubscriptionItem key={subscription.id} subscription={subscription} incidentTitle={incidentTitle} onChanged={reload} />
        ))}
      </ul>
    </>
  );
}

/** A webhook's signing secret, in the one answer that holds it: the service keeps no copy it could show again. */
function SecretOnce({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret!);
      setCopied('Copied.');
    } catch {
      (document.getElementById('webhook-secret') as HTMLInputElement | null)?.select();
      setCopied('Selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  };
  return (
    <section className="secret-once" aria-labelledby="secret-heading">
      <h2 id="secret-heading">The webhook’s signing secret</h2>
      <p>
        <strong>Copy it now: it is shown this once.</strong> Your system checks each alert’s signature with it (Standard Webhooks). If it is lost, delete the subscription and
        subscribe again.
      </p>
      <div className="field">
        <label htmlFor="webhook-secret">Signing secret</label>
        <input id="webhook-secret" readOnly value={created.secret} onFocus={(event) => event.target.select()} />
      </div>
      <div className="form-actions">
        <button type="button" onClick={() => void copy()}>
          Copy the secret
        </button>
        <button type="button" className="primary" onClick={onDone}>
          I have copied it
        </button>
        <span role="status">{copied}</span>
      </div>
    </section>
  );
}

type Panel = 'delete' | 'deliveries';

function SubscriptionItem({ subscription, incidentTitle, onChanged }: { subscription: Subscription; incidentTitle: (id: string) => string; onChanged: () => Promise<void> }) {
  const { api, mayAdminister, announce, sourceName } = useDesk();
  const [open, setOpen] = useState<Panel | null>(null);
  const explain = useMemo(
    () => subscriptionConflict(api, subscription, (filters) => filtersText(filters, incidentTitle, sourceName)),
    [api, subscription, incidentTitle, sourceName],
  );
  const paused = subscription.status === 'paused';
  const name = subscriptionName(subscription);

  const changeStatus = useWrite(
    useCallback(
      async (result: WriteResult) => {
        await waitForVersion(api, `/subscriptions/${subscription.id}`, result.version);
        await onChanged();
        announce(paused ? `Resumed ${name}.` : `Paused ${name}: no alerts until it is resumed.`);
      },
      [api, subscription.id, onChanged, announce, paused, name],
    ),
    explain,
  );
  const remove = useWrite(
    useCallback(async () => {
      await onChanged();
      announce(`Deleted ${name}.`);
    }, [onChanged, announce, name]),
    explain,
  );

  // Short on the button, whole for a screen reader's list of buttons (which names no subscription otherwise).
  const toggle = (panel: Panel, label: string, fullLabel: string) => (
    <button type="button" className="toggle" aria-expanded={open === panel} aria-label={fullLabel} onClick={() => setOpen(open === panel ? null : panel)}>
      {label}
    </button>
  );

  return (
    <li className="subscription" data-subscription-id={subscription.id}>
      <h2>
        {name} <span className={`badge badge-subscription-${subscription.status}`}>{subscription.status}</span>
      </h2>
      <p className="meta">
        {subscription.target.kind === 'desk' ? 'To the desk' : <>To the webhook {subscription.target.url}</>}
        {mayAdminister && <> · owner {subscription.owner}</>} · since {formatWhen(subscription.createdAt)} · version {subscription.version}
      </p>
      {paused && subscription.pausedReason && <p className="paused-note">Paused: {subscription.pausedReason}</p>}
      <p>For {filtersText(subscription.filters, incidentTitle, sourceName)}.</p>
      <p>
        Alerts when{' '}
        {subscription.triggers.length === Object.keys(TRIGGER_WORDS).length ? 'anything of the incident’s figures or claims changes' : subscription.triggers.map((trigger) => TRIGGER_WORDS[trigger]).join('; ')}.
      </p>
      <div className="source-actions">
        <button
          type="button"
          disabled={changeStatus.pending}
          aria-label={paused ? `Resume ${name}` : `Pause ${name}`}
          onClick={() => void changeStatus.submit({ method: 'PATCH', path: `/subscriptions/${subscription.id}`, body: { status: paused ? 'active' : 'paused' }, ifMatch: subscription.version })}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        {toggle('delete', 'Delete…', `Delete ${name}…`)}
        {subscription.target.kind === 'webhook' && toggle('deliveries', 'Delivery log', `Delivery log of ${name}`)}
      </div>
      <WriteProblem write={changeStatus} />
      {open === 'delete' && (
        <div className="consequence delete-subscription" role="group" aria-label={`Delete ${name}`}>
          <p>
            <strong>Delete {name}?</strong> Its alerts stop{subscription.target.kind === 'webhook' ? ', and its delivery log goes with it' : ''}; alerts it already sent stay where
            they are. Subscribing again is always possible.
          </p>
          <WriteProblem write={remove} />
          <div className="form-actions">
            <button
              type="button"
              className="danger"
              disabled={remove.pending}
              onClick={() => void remove.submit({ method: 'DELETE', path: `/subscriptions/${subscription.id}`, ifMatch: subscription.version })}
            >
              Delete the subscription
            </button>
            <button type="button" onClick={() => setOpen(null)}>
              Keep it
            </button>
          </div>
        </div>
      )}
      {open === 'deliveries' && <DeliveryLog subscription={subscription} />}
    </li>
  );
}

/** `Alerts on Ambush near Tinzaouaten`: its description, or where its alerts go. */
export function subscriptionName(subscription: Subscription): string {
  if (subscription.description) return subscription.description;
  if (subscription.target.kind === 'webhook') {
    try {
      return `Webhook to ${new URL(subscription.target.url).host}`;
    } catch {
      return 'Webhook';
    }
  }
  return 'Desk alerts';
}

/** What refused a write made by a button (no form around it): its problem, or a colleague's change in between. */
function WriteProblem({ write }: { write: Write }) {
  if (write.conflict) {
    return (
      <div className="conflict" role="alert">
        <p>
          <strong>Someone else changed this subscription</strong> (you saw version {write.conflict.baseVersion}; it is now at version {write.conflict.currentVersion}). Nothing of
          yours was done.
        </p>
        <ul>{write.conflict.changes.length ? write.conflict.changes.map((change, index) => <li key={index}>{change}</li>) : <li>nothing you can see here</li>}</ul>
        <div className="form-actions">
          <button type="button" className="primary" onClick={() => void write.reapply()} disabled={write.pending}>
            Do it anyway, on version {write.conflict.currentVersion}
          </button>
          <button type="button" onClick={write.dismissConflict}>
            Leave it
          </button>
        </div>
      </div>
    );
  }
  return write.problem ? (
    <p className="form-problem" role="alert">
      {write.problem}
    </p>
  ) : null;
}

/** A 412: what a colleague changed in the subscription since the page read it, in the page's words. */
function subscriptionConflict(api: Api, seen: Subscription, describeFilters: (filters: SubscriptionFilters) => string): ExplainConflict {
  const said: { [Field in keyof Subscription]?: [string, (value: Subscription[Field]) => string] } = {
    status: ['status', (status) => status],
    target: ['sent to', (target) => (target.kind === 'desk' ? 'the desk' : target.url)],
    filters: ['for', describeFilters],
    triggers: ['alerts when', (triggers) => triggers.map((trigger) => TRIGGER_WORDS[trigger]).join('; ')],
    description: ['description', (description) => description ?? '—'],
  };
  return async (baseVersion) => {
    const current = await waitForVersion<Subscription>(api, `/subscriptions/${seen.id}`, baseVersion + 1, { exists: true });
    const changes = Object.entries(said).flatMap(([field, [label, words]]) => {
      const [before, after] = [seen, current].map((subscription) => (words as (value: unknown) => string)(subscription[field as keyof Subscription]));
      return before === after ? [] : [`${label}: ${before} → ${after}`];
    });
    return { baseVersion, currentVersion: current.version, steps: [], changes } satisfies Conflict;
  };
}

const DELIVERIES_PAGE = 10;

/** What was sent to a webhook, newest first: each delivery's attempts, and a way to send it again. */
function DeliveryLog({ subscription }: { subscription: Subscription }) {
  const { api, announce } = useDesk();
  const [befores, setBefores] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<SeqPage<Delivery> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const before = befores[befores.length - 1];
  const path = `/subscriptions/${subscription.id}/deliveries`;

  useEffect(() => {
    let current = true;
    api.get<SeqPage<Delivery>>(path, { limit: DELIVERIES_PAGE, before }).then(
      (answer) => current && (setPage(answer), setProblem(null)),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [api, path, before, reloads]);

  const redeliver = async (delivery: Delivery) => {
    try {
      await api.act(`${path}/${delivery.id}/redelivery`);
      announce(`Queued to be delivered again: ${delivery.alert.headline}`);
      setReloads((count) => count + 1);
    } catch (error) {
      announce(`Could not queue it again: ${error instanceof ApiError || error instanceof Error ? error.message : String(error)}`);
    }
  };

  const headingId = `deliveries-${subscription.id}`;
  return (
    <section className="deliveries" aria-labelledby={headingId}>
      <div className="section-head">
        <h3 id={headingId}>Delivery log{befores.length > 1 && `, page ${befores.length}`}</h3>
        <button type="button" onClick={() => setReloads((count) => count + 1)}>
          Refresh the log
        </button>
      </div>
      {problem && <p role="alert">{problem}</p>}
      {!page && !problem && <p role="status">Loading…</p>}
      {page?.items.length === 0 && <p className="empty">{befores.length === 1 ? 'Nothing was sent to this webhook yet.' : 'No older deliveries.'}</p>}
      <ol className="delivery-list" aria-label={`Deliveries of ${subscriptionName(subscription)}`}>
        {page?.items.map((delivery) => {
          const last = delivery.attempts.at(-1);
          return (
            <li key={delivery.id} className={`delivery delivery-${delivery.status}`} data-delivery-id={delivery.id}>
              <p className="delivery-alert">{delivery.alert.headline}</p>
              <dl>
                <div>
                  <dt>Status</dt>
                  <dd>
                    {delivery.status === 'delivered' ? 'delivered' : 'pending'}
                    {delivery.deliveredAt && <> {formatWhen(delivery.deliveredAt, 'second')}</>}
                    {delivery.status === 'pending' && delivery.nextAttemptAt && <>, next try {formatWhen(delivery.nextAttemptAt, 'second')}</>}
                  </dd>
                </div>
                <div>
                  <dt>Attempts</dt>
                  <dd>{delivery.attempts.length}</dd>
                </div>
                <div>
                  <dt>Last answer</dt>
                  <dd>{last ? (last.statusCode ?? 'none') : '—'}</dd>
                </div>
                <div>
                  <dt>Latency</dt>
                  <dd>{last ? `${last.latencyMs} ms` : '—'}</dd>
                </div>
                {last?.error && (
                  <div className="delivery-error">
                    <dt>Error</dt>
                    <dd>{last.error}</dd>
                  </div>
                )}
              </dl>
              {(delivery.attempts.length > 1 || last?.responseExcerpt) && (
                <details className="attempts">
                  <summary>Every attempt ({delivery.attempts.length})</summary>
                  <ol>
                    {delivery.attempts.map((attempt, index) => (
                      <li key={index}>
                        {formatWhen(attempt.at, 'second')}: {attempt.statusCode ?? 'no answer'}, {attempt.latencyMs} ms{attempt.error && `, ${attempt.error}`}
                        {attempt.responseExcerpt && (
                          <>
                            {' '}
                            — answered <q>{attempt.responseExcerpt}</q>
                          </>
                        )}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
              <p className="meta">
                Alert of {formatWhen(delivery.createdAt, 'second')}
                {delivery.alert.incident && (
                  <>
                    {' · '}
                    <a href={hrefTo.incident(delivery.alert.incident.id)}>{delivery.alert.incident.title}</a>
                  </>
                )}
              </p>
              <button type="button" onClick={() => void redeliver(delivery)} aria-label={`Redeliver the alert of ${formatWhen(delivery.createdAt, 'second')}`}>
                Redeliver
              </button>
            </li>
          );
        })}
      </ol>
      <nav className="pager" aria-label="Delivery log pages">
        <button type="button" disabled={befores.length === 1} onClick={() => setBefores(befores.slice(0, -1))}>
          Newer deliveries
        </button>
        <button type="button" disabled={page?.nextBefore == null} onClick={() => page?.nextBefore != null && setBefores([...befores, page.nextBefore])}>
          Older deliveries
        </button>
      </nav>
    </section>
  );
}
