import { useMemo, useState } from 'react';
import { STANCES, STATEMENT_MEDIUMS, type Stance } from '../api-types';
import { useDesk } from '../desk-context';
import { utcInstant } from '../format';
import { incidentConflict } from './conflict';
import { Field, FieldGroup, FormShell } from './form-shell';
import type { IncidentFormProps } from './incident-forms';
import { EnumSelect, SourceSelect, TextArea, TextInput, UtcDateTime, ViaEditor } from './inputs';
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
  const [statedAt, setStatedAt] = useState('');
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
        <SourceSelect name="sourceId" label="Source" value={sourceId} onChange={setSourceId} />
        <EnumSelect name="medium" label="Medium" options={STATEMENT_MEDIUMS} value={medium} onChange={setMedium} />
        <TextInput name="language" label="Language" hint="e.g. en, fr, ar" value={language} onChange={setLanguage} />
      </div>
      <ViaEditor value={via} onChange={setVia} />
      <TextArea name="quote" label="Quote, in the original language" value={quote} onChange={setQuote} rows={4} />
      <TextArea name="translation" label="Translation" hint="optional" value={translation} onChange={setTranslation} rows={2} />
      <div className="row">
        <UtcDateTime name="statedAt" label="Stated at" value={statedAt} onChange={setStatedAt} />
        <UtcDateTime name="publishedAt" label="Published at" hint="optional" value={publishedAt} onChange={setPublishedAt} />
        <UtcDateTime name="retrievedAt" label="Retrieved at" hint="optional: when the desk saw it" value={retrievedAt} onChange={setRetrievedAt} />
      </div>
      <TextInput name="url" label="Web address" hint="optional" type="url" value={url} onChange={setUrl} />
      <FieldGroup name="stances" legend="Stances on claims">
        {stances.length === 0 && <p className="hint">The statement takes no stance on a claim.</p>}
        {stances.map((stance, index) => (
          <div className="row" key={index}>
            <Field name={`stances[${index}].claimId`} label={`Claim ${index + 1}`}>
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
            <EnumSelect name={`stances[${index}].stance`} label={`Stance ${index + 1}`} options={STANCES} value={stance.stance} onChange={(value) => setStances(stances.with(index, { ...stance, stance: value }))} />
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
