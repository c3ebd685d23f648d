import { useMemo, useState } from 'react';
import { INCIDENT_LIMITS as LIMIT, LANGUAGE_TAG, STANCES, STATEMENT_MEDIUMS, WEB_PROTOCOL, type Stance } from '../api-types';
import { useDesk } from '../desk-context';
import { utcInstant } from '../format';
import { incidentConflict } from './conflict';
import { DateTimeInput, nowUtc } from './date-time';
import { Field, FieldGroup, FormShell } from './form-shell';
import type { IncidentFormProps } from './incident-forms';
import { EnumSelect, SourceSelect, TextArea, TextInput, ViaEditor } from './inputs';
import { said, tooMany } from './rules';
import { useWrite } from './use-write';

// A source's own words on record, with the stances they take on claims already reported.

interface StanceDraft {
  claimId: string;
  stance: Stance;
}

export function StatementForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const { api, sourceName } = useDesk();
  const [view] = useState(shown);
  const write = useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
  const [sourceId, setSourceId] = useState('');
  const [via, setVia] = useState<string[]>([]);
  const [medium, setMedium] = useState<(typeof STATEMENT_MEDIUMS)[number]>('communique');
  const [quote, setQuote] = useState('');
  const [language, setLanguage] = useState('en');
  const [translation, setTranslation] = useState('');
  const [statedAt, setStatedAt] = useState(nowUtc);
  const [publishedAt, setPublishedAt] = useState('');
  const [retrievedAt, setRetrievedAt] = useState('');
  const [url, setUrl] = useState('');
  const [stances, setStances] = useState<StanceDraft[]>([]);

  const submit = () =>
    void write.submit({
      method: 'POST',
      path: `/incidents/${view.id}/statements`,
      body: {
        statementId: write.createdId(),
        sourceId,
        via,
        medium,
        quote,
        language,
        ...(translation ? { translation } : {}),
        statedAt: utcInstant(statedAt),
        ...(publishedAt ? { publishedAt: utcInstant(publishedAt) } : {}),
        ...(retrievedAt ? { retrievedAt: utcInstant(retrievedAt) } : {}),
        ...(url ? { url } : {}),
        stances,
      },
      ifMatch: view.version,
    });

  return (
    <FormShell title="Record a statement" submitLabel="Record statement" write={write} onSubmit={submit} onCancel={onCancel}>
      <div className="row">
        <SourceSelect name="sourceId" label="Source" value={sourceId} onChange={setSourceId} required offerNew />
        <EnumSelect name="medium" label="Medium" options={STATEMENT_MEDIUMS} value={medium} onChange={setMedium} required />
        <TextInput
          name="language"
          label="Language"
          hint="e.g. en, fr, ar"
          value={language}
          onChange={setLanguage}
          rule={{ required: true, maxLength: LIMIT.language, format: LANGUAGE_TAG }}
        />
      </div>
      <ViaEditor value={via} onChange={setVia} />
      <TextArea name="quote" label="Quote, in the original language" value={quote} onChange={setQuote} rows={4} rule={{ required: true, maxLength: LIMIT.quote }} />
      <TextArea name="translation" label="Translation" hint="optional" value={translation} onChange={setTranslation} rows={2} rule={{ maxLength: LIMIT.translation }} />
      <div className="row">
        <DateTimeInput name="statedAt" label="Stated at" value={statedAt} onChange={setStatedAt} required notInFuture />
        <DateTimeInput name="publishedAt" label="Published at" hint="optional" value={publishedAt} onChange={setPublishedAt} notInFuture />
        <DateTimeInput name="retrievedAt" label="Retrieved at" hint="optional: when the desk saw it" value={retrievedAt} onChange={setRetrievedAt} notInFuture />
      </div>
      <TextInput name="url" label="Web address" hint="optional" type="url" value={url} onChange={setUrl} rule={{ maxLength: LIMIT.url, check: webAddressProblem }} />
      <FieldGroup name="stances" legend="Stances on claims" problem={tooMany(stances.length, LIMIT.stances, 'stances')}>
        {stances.length === 0 && <p className="hint">The statement takes no stance on a claim.</p>}
        {stances.map((stance, index) => (
          <div className="row" key={index}>
            <Field
              name={`stances[${index}].claimId`}
              label={`Claim ${index + 1}`}
              value={stance.claimId}
              rule={{ required: true, check: (claimId) => (stances.findIndex((other) => other.claimId === claimId) < index ? said('stance_duplicate') : undefined) }}
            >
              {(control) => (
                <select {...control} value={stance.claimId} onChange={(event) => setStances(stances.with(index, { ...stance, claimId: event.target.value }))}>
                  <option value="">— choose a claim —</option>
                  {view.claims.map((claim) => (
                    <option key={claim.claimId} value={claim.claimId}>
                      {sourceName(claim.claimantId)}: {claim.summary.slice(0, 70)}
                      {claim.summary.length > 70 ? '…' : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <EnumSelect
              name={`stances[${index}].stance`}
              label={`Stance ${index + 1}`}
              options={STANCES}
              value={stance.stance}
              onChange={(value) => setStances(stances.with(index, { ...stance, stance: value }))}
              required
            />
            <button type="button" className="remove" onClick={() => setStances(stances.filter((_, i) => i !== index))} aria-label={`Remove stance ${index + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setStances([...stances, { claimId: '', stance: 'disputes' }])} disabled={view.claims.length === 0}>
          Add a stance
        </button>
      </FieldGroup>
    </FormShell>
  );
}

function webAddressProblem(url: string): string | undefined {
  const scheme = URL.canParse(url) ? new URL(url).protocol.slice(0, -1) : '';
  return WEB_PROTOCOL.test(scheme) ? undefined : 'must be a web address beginning http:// or https://';
}
