import { useCallback, useMemo, useState } from 'react';
import { waitForVersion, type WriteResult } from '../api';
import { COUNTRY_CODE, INCIDENT_LIMITS, SUBSCRIPTION_LIMITS, TRIGGERS, WEB_PROTOCOL, type Subscription, type SubscriptionFilters, type Trigger } from '../api-types';
import { useDesk } from '../desk-context';
import { TRIGGER_WORDS } from '../format';
import { useIncidentViews } from '../incident-views';
import { FieldGroup, FormShell } from './form-shell';
import { IncidentPicker } from './incident-forms';
import { Checkbox, SourceSelect, TextInput } from './inputs';
import { listOf, type Rule } from './rules';
import { useWrite } from './use-write';

// A new subscription: where its alerts go (the desk's bell, or a webhook), which incidents
// it follows (filters that narrow, each left empty to take every incident) and which
// changes set it off. A webhook's signing secret comes back in the answer, once.

interface SubscriptionDraft {
  targetKind: 'desk' | 'webhook';
  url: string;
  incidentIds: string[];
  country: string;
  region: string;
  tags: string;
  claimantIds: string[];
  triggers: Trigger[];
  description: string;
}

const EMPTY: SubscriptionDraft = { targetKind: 'desk', url: '', incidentIds: [], country: '', region: '', tags: '', claimantIds: [], triggers: [...TRIGGERS], description: '' };

/** An absolute http(s) address. Whether the service may call it (its host allowed) only the service says. */
const WEBHOOK_URL: Rule = {
  required: 'needs the address to send the alerts to',
  maxLength: SUBSCRIPTION_LIMITS.url,
  check: (value) => {
    try {
      return WEB_PROTOCOL.test(new URL(value.trim()).protocol.replace(/:$/, '')) ? undefined : 'must begin with https:// (or http://)';
    } catch {
      return 'must be a whole web address, such as https://example.org/hooks/ledger';
    }
  },
};

function filtersOf(draft: SubscriptionDraft): SubscriptionFilters {
  const tags = listOf(draft.tags);
  const claimantIds = draft.claimantIds.filter(Boolean);
  return {
    ...(draft.incidentIds.length > 0 && { incidentIds: draft.incidentIds }),
    ...(draft.country.trim() && { country: draft.country.trim() }),
    ...(draft.region.trim() && { region: draft.region.trim() }),
    ...(tags.length > 0 && { tags }),
    ...(claimantIds.length > 0 && { claimantIds }),
  };
}

/** What the service answered: the new subscription, with a webhook's secret. */
export interface Created {
  subscription: Subscription;
  secret?: string;
}

export function NewSubscriptionForm({ onCreated, onCancel }: { onCreated: (created: Created) => void; onCancel: () => void }) {
  const { api, announce } = useDesk();
  const [draft, setDraft] = useState(EMPTY);
  const set = (change: Partial<SubscriptionDraft>) => setDraft((current) => ({ ...current, ...change }));
  const write = useWrite(
    useCallback(
      async (result: WriteResult) => {
        const subscription = await waitForVersion<Subscription>(api, `/subscriptions/${result.id}`, result.version);
        announce(subscription.target.kind === 'webhook' ? 'Subscribed: alerts go to the webhook. Copy its secret now.' : 'Subscribed: alerts come to the desk’s bell.');
        onCreated({ subscription, secret: result.secret });
      },
      [api, announce, onCreated],
    ),
  );
  const submit = () =>
    void write.submit({
      method: 'POST',
      path: '/subscriptions',
      body: {
        // Chosen here, kept until it is recorded: a retry the service no longer remembers by its Idempotency-Key still finds this subscription.
        id: write.createdId(),
        target: draft.targetKind === 'webhook' ? { kind: 'webhook', url: draft.url.trim() } : { kind: 'desk' },
        filters: filtersOf(draft),
        // In the order the desk lists them, whatever order they were ticked in.
        triggers: TRIGGERS.filter((trigger) => draft.triggers.includes(trigger)),
        ...(draft.description.trim() && { description: draft.description.trim() }),
      },
    });
  const noTrigger = draft.triggers.length === 0 ? 'needs at least one change ticked' : undefined;
  return (
    <div className="subscription-form">
      <FormShell title="New subscription" submitLabel="Subscribe" write={write} onSubmit={submit} onCancel={onCancel} refusal="Nothing was subscribed">
        <FieldGroup name="target" legend="Send the alerts to">
          <div className="choices">
            <label>
              <input type="radio" name="target-kind" checked={draft.targetKind === 'desk'} onChange={() => set({ targetKind: 'desk' })} /> the desk (the bell and the alerts list)
            </label>
            <label>
              <input type="radio" name="target-kind" checked={draft.targetKind === 'webhook'} onChange={() => set({ targetKind: 'webhook' })} /> a webhook (your system, called over HTTPS)
            </label>
          </div>
          {draft.targetKind === 'webhook' && (
            <TextInput
              name="target.url"
              label="Webhook address"
              type="url"
              hint="each alert is POSTed to it, signed with a secret shown once, when you subscribe"
              placeholder="https://"
              value={draft.url}
              onChange={(url) => set({ url })}
              rule={WEBHOOK_URL}
            />
          )}
        </FieldGroup>

        <FieldGroup name="filters" legend="For incidents" namesFields>
          <p className="hint">Leave a filter empty to take every incident; each one set narrows them.</p>
          <IncidentsFilter value={draft.incidentIds} onChange={(incidentIds) => set({ incidentIds })} />
          <div className="row">
            <TextInput name="filters.country" label="Country" hint="ISO code, e.g. ML" value={draft.country} onChange={(country) => set({ country: country.toUpperCase() })} rule={{ format: COUNTRY_CODE }} />
            <TextInput name="filters.region" label="Region" value={draft.region} onChange={(region) => set({ region })} rule={{ maxLength: INCIDENT_LIMITS.region }} />
            <TextInput
              name="filters.tags"
              label="Tags"
              hint="comma-separated"
              value={draft.tags}
              onChange={(tags) => set({ tags })}
              rule={{ list: { maxItems: SUBSCRIPTION_LIMITS.tags, maxLength: SUBSCRIPTION_LIMITS.tag } }}
            />
          </div>
          <ClaimantsFilter value={draft.claimantIds} onChange={(claimantIds) => set({ claimantIds })} />
        </FieldGroup>

        <FieldGroup name="triggers" legend="Alert me when" problem={noTrigger}>
          {TRIGGERS.map((trigger) => (
            <Checkbox
              key={trigger}
              name={`triggers.${trigger}`}
              label={TRIGGER_WORDS[trigger]}
              checked={draft.triggers.includes(trigger)}
              onChange={(checked) => set({ triggers: checked ? [...draft.triggers, trigger] : draft.triggers.filter((other) => other !== trigger) })}
            />
          ))}
        </FieldGroup>

        <TextInput
          name="description"
          label="Description"
          hint="for you and your colleagues: what this subscription is for"
          value={draft.description}
          onChange={(description) => set({ description })}
          rule={{ maxLength: SUBSCRIPTION_LIMITS.description }}
        />
      </FormShell>
    </div>
  );
}

/** The incidents chosen one by one, each found by words. */
function IncidentsFilter({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  const [choice, setChoice] = useState('');
  const views = useIncidentViews(value);
  const add = () => {
    if (choice && !value.includes(choice)) onChange([...value, choice]);
    setChoice('');
  };
  return (
    <div className="incidents-filter">
      {value.length > 0 && (
        <ul className="chosen" aria-label="Incidents chosen">
          {value.map((incidentId) => (
            <li key={incidentId}>
              {views[incidentId]?.title ?? `incident …${incidentId.slice(-6)}`}{' '}
              <button type="button" className="remove" onClick={() => onChange(value.filter((other) => other !== incidentId))} aria-label={`Remove ${views[incidentId]?.title ?? 'this incident'}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <IncidentPicker
        field="filters.incidentIds"
        label="Incident"
        searchLabel="Find an incident"
        required={false}
        value={choice}
        onChange={setChoice}
        after={
          <button type="button" className="add" onClick={add} disabled={!choice}>
            Add the incident
          </button>
        }
      />
    </div>
  );
}

/** The claimants whose claims count, as the conduits of a claim are chosen. */
function ClaimantsFilter({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  return (
    <FieldGroup name="filters.claimantIds" legend="Claimants">
      {value.length === 0 && <p className="hint">Any claimant.</p>}
      {value.map((sourceId, index) => (
        <div className="row" key={index}>
          <SourceSelect name={`filters.claimantIds[${index}]`} label={`Claimant ${index + 1}`} value={sourceId} onChange={(id) => onChange(value.with(index, id))} required includeErased />
          <button type="button" className="remove" onClick={() => onChange(value.filter((_, i) => i !== index))} aria-label={`Remove claimant ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, ''])}>
        Add a claimant
      </button>
    </FieldGroup>
  );
}

/** What a subscription's filters take, in a line. */
export function filtersText(filters: SubscriptionFilters, incidentTitle: (id: string) => string, sourceName: (id: string) => string): string {
  const parts = [
    filters.incidentIds?.length && `${filters.incidentIds.length === 1 ? 'the incident' : 'the incidents'} ${filters.incidentIds.map(incidentTitle).join(', ')}`,
    filters.country && `in ${filters.country}`,
    filters.region && `in the region ${filters.region}`,
    filters.tags?.length && `tagged ${filters.tags.join(' or ')}`,
    filters.claimantIds?.length && `with claims by ${filters.claimantIds.map(sourceName).join(' or ')}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every incident';
}

export function useIncidentTitles(subscriptions: readonly Subscription[]): (id: string) => string {
  const ids = useMemo(() => [...new Set(subscriptions.flatMap((subscription) => subscription.filters.incidentIds ?? []))], [subscriptions]);
  const views = useIncidentViews(ids);
  return (id) => views[id]?.title ?? `incident …${id.slice(-6)}`;
}
