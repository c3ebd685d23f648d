import { useMemo, useState } from 'react';
import { CLAIM_GRADES, CLAIM_KINDS, INCIDENT_LIMITS as LIMIT, RETRACTED_BY, type Claim, type ClaimGrade, type ClaimKind, type IncidentView } from '../api-types';
import { useDesk } from '../desk-context';
import { formatStated, possessive, utcInstant, utcLocal, words } from '../format';
import { incidentConflict } from './conflict';
import { DateTimeInput, nowUtc } from './date-time';
import { emptyFigure, figureDraft, figureOf, FiguresEditor, type FigureDraft } from './figures-editor';
import { Field, FormShell } from './form-shell';
import type { IncidentFormProps } from './incident-forms';
import { EnumSelect, SourceSelect, TextArea, TextInput, ViaEditor } from './inputs';
import { nothingChanged } from './rules';
import { useWrite } from './use-write';

// A claim's life: reported by its claimant; amended or retracted by the claimant; corrected
// or graded by the desk. Each form writes against the incident version the editor saw.

type ClaimFormProps = IncidentFormProps & { claim: Claim };

function useIncidentWrite({ view, onRecorded }: Pick<IncidentFormProps, 'view' | 'onRecorded'>) {
  const { api, sourceName } = useDesk();
  return useWrite(onRecorded, useMemo(() => incidentConflict(api, view.id, sourceName), [api, view.id, sourceName]));
}

/** Parties already named in the incident, offered while typing a figure's party. */
function partiesOf(view: IncidentView): string[] {
  return [...new Set(view.claims.flatMap((claim) => claim.figures.map((figure) => figure.party.trim())))].sort();
}

function StatementSelect({ view, value, onChange, sourceId }: { view: IncidentView; value: string; onChange: (value: string) => void; sourceId?: string }) {
  const { sourceName } = useDesk();
  const statements = view.statements.filter((statement) => !sourceId || statement.sourceId === sourceId || statement.statementId === value);
  return (
    <Field name="statementId" label="In the statement" hint="optional: the statement that carries these words">
      {(control) => (
        <select {...control} value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">— none —</option>
          {statements.map((statement) => (
            <option key={statement.statementId} value={statement.statementId}>
              {sourceName(statement.sourceId)}, {formatStated(statement.statedAt)}: “{statement.quote.slice(0, 60)}
              {statement.quote.length > 60 ? '…' : ''}”
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function ReportClaimForm({ view: shown, onRecorded, onCancel }: IncidentFormProps) {
  const [view] = useState(shown);
  const write = useIncidentWrite({ view, onRecorded });
  const [claimantId, setClaimantId] = useState('');
  const [via, setVia] = useState<string[]>([]);
  const [statementId, setStatementId] = useState('');
  const [summary, setSummary] = useState('');
  const [kind, setKind] = useState<ClaimKind>('casualties');
  const [figures, setFigures] = useState<FigureDraft[]>([emptyFigure()]);
  const [statedAt, setStatedAt] = useState(nowUtc);
  const submit = () =>
    void write.submit({
      method: 'POST',
      path: `/incidents/${view.id}/claims`,
      body: { claimId: write.createdId(), claimantId, via, ...(statementId ? { statementId } : {}), summary, kind, figures: figures.map(figureOf), statedAt: utcInstant(statedAt) },
      ifMatch: view.version,
    });
  return (
    <FormShell title="Report a claim" submitLabel="Report claim" write={write} onSubmit={submit} onCancel={onCancel}>
      <div className="row">
        <SourceSelect name="claimantId" label="Claimant" value={claimantId} onChange={setClaimantId} required offerNew />
        <EnumSelect name="kind" label="Kind" options={CLAIM_KINDS} value={kind} onChange={setKind} required />
        <DateTimeInput name="statedAt" label="Stated at" value={statedAt} onChange={setStatedAt} required notInFuture />
      </div>
      <ViaEditor value={via} onChange={setVia} />
      <StatementSelect view={view} value={statementId} onChange={setStatementId} />
      <SummaryInput value={summary} onChange={setSummary} />
      <FiguresEditor value={figures} onChange={setFigures} parties={partiesOf(view)} />
    </FormShell>
  );
}

function SummaryInput({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return <TextArea name="summary" label="Summary" value={value} onChange={onChange} rule={{ required: true, maxLength: LIMIT.summary }} />;
}

function ReasonInput({ label = 'Reason', value, onChange }: { label?: string; value: string; onChange: (value: string) => void }) {
  return <TextInput name="reason" label={label} value={value} onChange={onChange} rule={{ required: true, maxLength: LIMIT.reason }} />;
}

export function AmendClaimForm({ view: shown, claim, onRecorded, onCancel }: ClaimFormProps) {
  const [view] = useState(shown);
  const write = useIncidentWrite({ view, onRecorded });
  const { sourceName } = useDesk();
  const [summary, setSummary] = useState(claim.summary);
  const [figures, setFigures] = useState(() => claim.figures.map(figureDraft));
  const [statementId, setStatementId] = useState('');
  const [statedAt, setStatedAt] = useState(nowUtc);
  const [reason, setReason] = useState('');
  const newFigures = figures.map(figureOf);
  const changes = {
    ...(summary !== claim.summary ? { summary } : {}),
    ...(JSON.stringify(newFigures) !== JSON.stringify(claim.figures) ? { figures: newFigures } : {}),
  };
  const submit = () =>
    void write.submit({
      method: 'POST',
      path: `/incidents/${view.id}/claims/${claim.claimId}/amendments`,
      body: { ...changes, ...(statementId ? { statementId } : {}), statedAt: utcInstant(statedAt), reason },
      ifMatch: view.version,
    });
  return (
    <FormShell
      title={`${sourceName(claim.claimantId)} amends its claim`}
      submitLabel="Record amendment"
      write={write}
      onSubmit={submit}
      onCancel={onCancel}
      problems={nothingChanged(changes, 'summary', 'amendment_empty')}
    >
      <p className="hint">The claimant itself changed what it claims (e.g. raised a toll). For the desk’s own logging mistakes, use Correct.</p>
      <div className="row">
        <DateTimeInput name="statedAt" label="Amended at" value={statedAt} onChange={setStatedAt} required notInFuture />
        <StatementSelect view={view} value={statementId} onChange={setStatementId} sourceId={claim.claimantId} />
      </div>
      <SummaryInput value={summary} onChange={setSummary} />
      <FiguresEditor value={figures} onChange={setFigures} parties={partiesOf(view)} />
      <ReasonInput value={reason} onChange={setReason} />
    </FormShell>
  );
}

export function RetractClaimForm({ view: shown, claim, onRecorded, onCancel }: ClaimFormProps) {
  const [view] = useState(shown);
  const write = useIncidentWrite({ view, onRecorded });
  const { sourceName } = useDesk();
  const [reason, setReason] = useState('');
  const [statementId, setStatementId] = useState('');
  const [statedAt, setStatedAt] = useState(nowUtc);
  const [retractedBy, setRetractedBy] = useState<(typeof RETRACTED_BY)[number]>('claimant');
  const submit = () =>
    void write.submit({
      method: 'POST',
      path: `/incidents/${view.id}/claims/${claim.claimId}/retractions`,
      body: { reason, ...(statementId ? { statementId } : {}), statedAt: utcInstant(statedAt), retractedBy },
      ifMatch: view.version,
    });
  return (
    <FormShell title={`Retract ${possessive(sourceName(claim.claimantId))} claim`} submitLabel="Record retraction" write={write} onSubmit={submit} onCancel={onCancel}>
      <div className="row">
        <EnumSelect name="retractedBy" label="Withdrawn by" options={RETRACTED_BY} value={retractedBy} onChange={setRetractedBy} />
        <DateTimeInput name="statedAt" label="Retracted at" value={statedAt} onChange={setStatedAt} required notInFuture />
      </div>
      <StatementSelect view={view} value={statementId} onChange={setStatementId} />
      <ReasonInput value={reason} onChange={setReason} />
    </FormShell>
  );
}

export function CorrectClaimForm({ view: shown, claim, onRecorded, onCancel }: ClaimFormProps) {
  const [view] = useState(shown);
  const write = useIncidentWrite({ view, onRecorded });
  const { sourceName } = useDesk();
  const [claimantId, setClaimantId] = useState(claim.claimantId);
  const [via, setVia] = useState(claim.via);
  const [statementId, setStatementId] = useState(claim.statementId ?? '');
  const [summary, setSummary] = useState(claim.summary);
  const [kind, setKind] = useState(claim.kind);
  const [figures, setFigures] = useState(() => claim.figures.map(figureDraft));
  const [statedAt, setStatedAt] = useState(utcLocal(claim.statedAt));
  const [reason, setReason] = useState('');
  const newFigures = figures.map(figureOf);
  const newStatedAt = utcInstant(statedAt);
  const changes = {
    ...(claimantId !== claim.claimantId ? { claimantId } : {}),
    ...(JSON.stringify(via) !== JSON.stringify(claim.via) ? { via } : {}),
    ...(statementId && statementId !== claim.statementId ? { statementId } : {}),
    ...(summary !== claim.summary ? { summary } : {}),
    ...(kind !== claim.kind ? { kind } : {}),
    ...(JSON.stringify(newFigures) !== JSON.stringify(claim.figures) ? { figures: newFigures } : {}),
    ...(newStatedAt !== claim.statedAt ? { statedAt: newStatedAt } : {}),
  };
  const submit = () =>
    void write.submit({ method: 'POST', path: `/incidents/${view.id}/claims/${claim.claimId}/corrections`, body: { ...changes, reason }, ifMatch: view.version });
  return (
    <FormShell
      title={`Correct the record of ${possessive(sourceName(claim.claimantId))} claim`}
      submitLabel="Record correction"
      write={write}
      onSubmit={submit}
      onCancel={onCancel}
      problems={nothingChanged(changes, 'claimantId', 'correction_empty')}
    >
      <p className="hint">The desk fixes its own logging mistake (a typo in a figure, the wrong claimant). Only what you change is sent.</p>
      <div className="row">
        <SourceSelect name="claimantId" label="Claimant" value={claimantId} onChange={setClaimantId} required offerNew />
        <EnumSelect name="kind" label="Kind" options={CLAIM_KINDS} value={kind} onChange={setKind} required />
        <DateTimeInput name="statedAt" label="Stated at" value={statedAt} onChange={setStatedAt} required notInFuture />
      </div>
      <ViaEditor value={via} onChange={setVia} />
      <StatementSelect view={view} value={statementId} onChange={setStatementId} />
      <SummaryInput value={summary} onChange={setSummary} />
      <FiguresEditor value={figures} onChange={setFigures} parties={partiesOf(view)} />
      <ReasonInput label="Reason for the correction" value={reason} onChange={setReason} />
    </FormShell>
  );
}

export function AssessClaimForm({ view: shown, claim, onRecorded, onCancel }: ClaimFormProps) {
  const [view] = useState(shown);
  const write = useIncidentWrite({ view, onRecorded });
  const { sourceName } = useDesk();
  const [grade, setGrade] = useState<ClaimGrade>(claim.grade?.grade ?? 'unverified');
  const [rationale, setRationale] = useState('');
  const submit = () =>
    void write.submit({ method: 'POST', path: `/incidents/${view.id}/claims/${claim.claimId}/assessments`, body: { grade, rationale }, ifMatch: view.version });
  return (
    <FormShell title={`Grade ${possessive(sourceName(claim.claimantId))} claim`} submitLabel="Record grade" write={write} onSubmit={submit} onCancel={onCancel}>
      <EnumSelect name="grade" label="Grade" options={CLAIM_GRADES} value={grade} onChange={setGrade} hint={claim.grade ? `now: ${words(claim.grade.grade)}` : 'not yet graded'} required />
      <TextArea name="rationale" label="Rationale" value={rationale} onChange={setRationale} rule={{ required: true, maxLength: LIMIT.rationale }} />
    </FormShell>
  );
}
