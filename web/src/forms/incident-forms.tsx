import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { waitForVersion, type WriteResult } from '../api';
import {
  COORDINATES,
  COUNTRY_CODE,
  INCIDENT_LIMITS as LIMIT,
  LINK_RELATIONS,
  LOCATION_PRECISIONS,
  OCCURRED_PRECISIONS,
  type IncidentSearchItem,
  type IncidentView,
  type LinkRelation,
  type Location,
  type Occurred,
  type Page,
} from '../api-types';
import { useDesk } from '../desk-context';
import { utcInstant, utcLocal } from '../format';
import { incidentConflict } from './conflict';
import { DateTimeInput } from './date-time';
import { Field, FieldGroup, FormShell } from './form-shell';
import { EnumSelect, TextArea, TextInput } from './inputs';
import { listOf, nothingChanged, problemFor, type Rule } from './rules';
import { useWrite } from './use-write';

// Open an incident, revise it, link it to another, merge it into another, split it in two.

interface IncidentDraft {
  title: string;
  description: string;
  place: string;
  region: string;
  country: string;
  locationPrecision: Location['precision'];
  lat: string;
  lon: string;
  from: string;
  to: string;
  occurredPrecision: Occurred['precision'];
  tags: string;
}

const EMPTY: IncidentDraft = {
  title: '',
  description: '',
  place: '',
  region: '',
  country: '',
  locationPrecision: 'near',
  lat: '',
  lon: '',
  from: '',
  to: '',
  occurredPrecision: 'day',
  tags: '',
};

function draftOf(view: IncidentView): IncidentDraft {
  const { location, occurred } = view;
  return {
    title: view.title,
    description: view.description ?? '',
    place: location.place,
    region: location.region ?? '',
    country: location.country,
    locationPrecision: location.precision,
    lat: location.lat === undefined ? '' : String(location.lat),
    lon: location.lon === undefined ? '' : String(location.lon),
    from: utcLocal(occurred.from),
    to: utcLocal(occurred.to),
    occurredPrecision: occurred.precision,
    tags: view.tags.join(', '),
  };
}

function locationOf(draft: IncidentDraft): Location {
  return {
    place: draft.place,
    ...(draft.region && { region: draft.region }),
    country: draft.country,
    ...(draft.lat && { lat: Number(draft.lat) }),
    ...(draft.lon && { lon: Number(draft.lon) }),
    precision: draft.locationPrecision,
  };
}

/** A day alone stays a day (the incident happened on it); with a time, an instant in UTC. */
function occurredOf(draft: IncidentDraft): Occurred {
  const time = (value: string) => (value.includes('T') ? utcInstant(value)! : value);
  return { from: time(draft.from), ...(draft.to && { to: time(draft.to) }), precision: draft.occurredPrecision };
}

const REASON: Rule = { required: true, maxLength: LIMIT.reason };

function IncidentFields({ draft, set }: { draft: IncidentDraft; set: (change: Partial<IncidentDraft>) => void }) {
  return (
    <>
      <TextInput name="title" label="Title" value={draft.title} onChange={(title) => set({ title })} rule={{ required: true, maxLength: LIMIT.title }} />
      <TextArea name="description" label="Description" value={draft.description} onChange={(description) => set({ description })} rule={{ maxLength: LIMIT.description }} />
      <FieldGroup name="location" legend="Where" namesFields>
        <div className="row">
          <TextInput name="location.place" label="Place" value={draft.place} onChange={(place) => set({ place })} rule={{ required: true, maxLength: LIMIT.place }} />
          <TextInput name="location.region" label="Region" value={draft.region} onChange={(region) => set({ region })} rule={{ maxLength: LIMIT.region }} />
          <TextInput
            name="location.country"
            label="Country"
            hint="ISO code, e.g. ML"
            value={draft.country}
            onChange={(country) => set({ country: country.toUpperCase() })}
            rule={{ required: true, format: COUNTRY_CODE }}
          />
          <EnumSelect
            name="location.precision"
            label="Precision"
            options={LOCATION_PRECISIONS}
            value={draft.locationPrecision}
            onChange={(locationPrecision) => set({ locationPrecision })}
            required
          />
        </div>
        <div className="row">
          <TextInput name="location.lat" label="Latitude" type="number" value={draft.lat} onChange={(lat) => set({ lat })} rule={{ number: COORDINATES.lat }} />
          <TextInput name="location.lon" label="Longitude" type="number" value={draft.lon} onChange={(lon) => set({ lon })} rule={{ number: COORDINATES.lon }} />
        </div>
      </FieldGroup>
      <FieldGroup name="occurred" legend="When" namesFields>
        <div className="row">
          <DateTimeInput name="occurred.from" label="From" hint="the time if known" value={draft.from} onChange={(from) => set({ from })} required />
          <DateTimeInput name="occurred.to" label="To" hint="if it lasted" value={draft.to} onChange={(to) => set({ to })} notBefore={{ value: draft.from, label: 'From' }} />
          <EnumSelect
            name="occurred.precision"
            label="Precision"
            options={OCCURRED_PRECISIONS}
            value={draft.occurredPrecision}
            onChange={(occurredPrecision) => set({ occurredPrecision })}
            required
          />
        </div>
      </FieldGroup>
      <TextInput
        name="tags"
        label="Tags"
        hint="comma-separated"
        value={draft.tags}
        onChange={(tags) => set({ tags })}
        rule={{ list: { maxItems: LIMIT.tags, maxLength: LIMIT.tag } }}
      />
    </>
  );
}

export function OpenIncidentForm({ onOpened, onCancel }: { onOpened: (incidentId: string) => void; onCancel: () => void }) {
  const { api, announce } = useDesk();
  const [draft, setDraft] = useState(EMPTY);
  const set = (change: Partial<IncidentDraft>) => setDraft((current) => ({ ...current, ...change }));
  const write = useWrite(
    useCallback(
      async (result: WriteResult) => {
        await waitForVersion(api, `/incidents/${result.id}`, result.version);
        announce(`Opened the incident ${draft.title}.`);
        onOpened(result.id);
      },
      [api, announce, draft.title, onOpened],
    ),
  );
  const submit = () =>
    write.submit({
      method: 'POST',
      path: '/incidents',
      body: { id: write.createdId(), title: draft.title, ...(draft.description && { description: draft.description }), location: locationOf(draft), occurred: occurredOf(draft), tags: listOf(draft.tags) },
    });
  return (
    <FormShell title="Open an incident" submitLabel="Open incident" write={write} onSubmit={submit} onCancel={onCancel}>
      <IncidentFields draft={draft} set={set} />
    </FormShell>
  );
}

export interface IncidentFormProps {
  view: IncidentView;
  /** After a recorded write: show the incident at (at least) this version. */
  onRecorded: (result: WriteResult) => Promise<void>;
  onCancel: () => void;
}

export function ReviseIncidentForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const { api, sourceName } = useDesk();
  const [view] = useState(shown); // the version the editor began from, whatever the page shows later
  const seen = useMemo(() => draftOf(view), [view]);
  const [draft, setDraft] = useState(seen);
  const [reason, setReason] = useState('');
  const set = (change: Partial<IncidentDraft>) => setDraft((current) => ({ ...current, ...change }));
  const write = useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
  const changed = (...fields: (keyof IncidentDraft)[]) => fields.some((field) => draft[field] !== seen[field]);
  const changes = {
    ...(changed('title') && { title: draft.title }),
    ...(changed('description') && { description: draft.description }),
    ...(changed('place', 'region', 'country', 'locationPrecision', 'lat', 'lon') && { location: locationOf(draft) }),
    ...(changed('from', 'to', 'occurredPrecision') && { occurred: occurredOf(draft) }),
    ...(changed('tags') && { tags: listOf(draft.tags) }),
  };
  const submit = () => void write.submit({ method: 'PATCH', path: `/incidents/${view.id}`, body: { ...changes, reason }, ifMatch: view.version });
  return (
    <FormShell title="Revise the incident" submitLabel="Save revision" write={write} onSubmit={submit} onCancel={onCancel} problems={nothingChanged(changes, 'title', 'revision_empty')}>
      <IncidentFields draft={draft} set={set} />
      <TextInput name="reason" label="Reason for the revision" value={reason} onChange={setReason} rule={REASON} />
    </FormShell>
  );
}

export function LinkIncidentForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const { api, sourceName } = useDesk();
  const [view] = useState(shown);
  const [other, setOther] = useState('');
  const [relation, setRelation] = useState<LinkRelation>('related');
  const write = useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
  const submit = () => void write.submit({ method: 'POST', path: `/incidents/${view.id}/links`, body: { otherIncidentId: other, relation }, ifMatch: view.version });
  return (
    <FormShell title="Link another incident" submitLabel="Link incidents" write={write} onSubmit={submit} onCancel={onCancel}>
      <IncidentPicker
        excluding={view.id}
        field="otherIncidentId"
        label="…the other incident"
        value={other}
        onChange={setOther}
        before={<EnumSelect name="relation" label="This incident…" options={LINK_RELATIONS} value={relation} onChange={setRelation} required />}
      />
    </FormShell>
  );
}

/** A duplicate goes into the incident it duplicates: its claims and statements with it. */
export function MergeIncidentForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const { api, sourceName } = useDesk();
  const [view] = useState(shown);
  const [into, setInto] = useState('');
  const [reason, setReason] = useState('');
  const write = useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
  const submit = () => void write.submit({ method: 'POST', path: `/incidents/${view.id}/merge`, body: { into, reason }, ifMatch: view.version });
  return (
    <FormShell title="Merge into another incident" submitLabel="Merge incidents" write={write} onSubmit={submit} onCancel={onCancel}>
      <p className="hint">
        This incident’s claims and statements move to the incident chosen, each keeping its record; this one then takes no more changes, and its page leads to the other.
      </p>
      <IncidentPicker excluding={view.id} field="into" label="The incident this one duplicates" value={into} onChange={setInto} />
      <TextInput name="reason" label="Why they are one incident" value={reason} onChange={setReason} rule={REASON} />
    </FormShell>
  );
}

/** Claims and statements conflated into this incident go to a new one, opened here. */
export function SplitIncidentForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const { api, sourceName } = useDesk();
  const [view] = useState(shown);
  const [draft, setDraft] = useState<IncidentDraft>(() => ({ ...draftOf(view), title: '', description: '' }));
  const [claims, setClaims] = useState<string[]>([]);
  const [statements, setStatements] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const set = (change: Partial<IncidentDraft>) => setDraft((current) => ({ ...current, ...change }));
  const write = useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
  const submit = () =>
    void write.submit({
      method: 'POST',
      path: `/incidents/${view.id}/split`,
      body: {
        claims,
        statements,
        title: draft.title,
        ...(draft.description && { description: draft.description }),
        location: locationOf(draft),
        occurred: occurredOf(draft),
        tags: listOf(draft.tags),
        reason,
      },
      ifMatch: view.version,
    });
  return (
    <FormShell
      title="Split off into a new incident"
      submitLabel="Split incident"
      write={write}
      onSubmit={submit}
      onCancel={onCancel}
      problems={claims.length + statements.length === 0 ? [problemFor('claims', 'split_empty')] : []}
    >
      <FieldGroup name="claims" legend="Claims to move" namesFields>
        <Ticks
          name="claims"
          items={view.claims.map((claim) => ({ id: claim.claimId, label: `${sourceName(claim.claimantId)}: ${claim.summary}` }))}
          ticked={claims}
          onChange={setClaims}
        />
      </FieldGroup>
      <FieldGroup name="statements" legend="Statements to move" namesFields>
        <Ticks
          name="statements"
          items={view.statements.map((statement) => ({ id: statement.statementId, label: `${sourceName(statement.sourceId)}, ${statement.statedAt.slice(0, 10)}: ${statement.quote.slice(0, 80)}` }))}
          ticked={statements}
          onChange={setStatements}
        />
      </FieldGroup>
      <p className="hint">A claim moves with the statements it cites and those that take a stance on it. The new incident:</p>
      <IncidentFields draft={draft} set={set} />
      <TextInput name="reason" label="Why they are two incidents" value={reason} onChange={setReason} rule={REASON} />
    </FormShell>
  );
}

/** Checkboxes; a ticked item fills the request field `name[i]` (i-th ticked), so the API's error for it shows by it. */
function Ticks({ name, items, ticked, onChange }: { name: string; items: { id: string; label: string }[]; ticked: string[]; onChange: (ticked: string[]) => void }) {
  if (items.length === 0) return <p className="empty">None on this incident.</p>;
  return (
    <ul className="ticks">
      {items.map((item) => (
        <li key={item.id}>
          <Field name={ticked.includes(item.id) ? `${name}[${ticked.indexOf(item.id)}]` : `${name}.${item.id}`} label={item.label} className="tick">
            {(control) => (
              <input
                {...control}
                type="checkbox"
                checked={ticked.includes(item.id)}
                onChange={(event) => onChange(event.target.checked ? [...ticked, item.id] : ticked.filter((id) => id !== item.id))}
              />
            )}
          </Field>
        </li>
      ))}
    </ul>
  );
}

/** Another incident, found by words from its title or description. */
/** An incident found by words and chosen from what matches; `searchLabel` names the words' field, `after` goes beside the choice. */
export function IncidentPicker({
  excluding,
  field,
  label,
  value,
  onChange,
  before,
  after,
  searchLabel = 'Find the other incident',
  required = true,
}: {
  excluding?: string;
  field: string;
  label: string;
  value: string;
  onChange: (incidentId: string) => void;
  before?: ReactNode;
  after?: ReactNode;
  searchLabel?: string;
  required?: boolean;
}) {
  const { api } = useDesk();
  const [q, setQ] = useState('');
  const [candidates, setCandidates] = useState<IncidentSearchItem[]>([]);

  useEffect(() => {
    const search = setTimeout(() => {
      api
        .get<Page<IncidentSearchItem>>('/incidents', q.trim() ? { q: q.trim(), sort: 'relevance', limit: 50 } : { limit: 50 })
        .then((page) => setCandidates(page.items.filter((item) => item.id !== excluding)))
        .catch(() => setCandidates([]));
    }, 250);
    return () => clearTimeout(search);
  }, [api, q, excluding]);

  return (
    <>
      <TextInput name={`${field}.search`} label={searchLabel} hint="words from its title or description" value={q} onChange={setQ} />
      <div className="row">
        {before}
        <Field name={field} label={label} value={value} rule={{ required }}>
          {(control) => (
            <select {...control} value={value} onChange={(event) => onChange(event.target.value)}>
              <option value="">— choose an incident —</option>
              {candidates.map((item) => (
                <option key={item.id} value={item.id}>
                  {item.title} ({item.location.place})
                </option>
              ))}
            </select>
          )}
        </Field>
        {after}
      </div>
    </>
  );
}
