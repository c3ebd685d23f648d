import { createContext, useContext, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { FieldError } from '../api';
import { plainMessage, problemOf, type Rule } from './rules';
import type { Write } from './use-write';
import './forms.css';

// The frame of every write form: a heading, what is wrong (listed at the top and again next
// to each field), the 412 prompt, and one submit button. A submit first checks every field
// on screen against its rule and sends only when all pass: one submit shows every problem
// the desk can find, and the service's own field errors come back in the same plain words.

/** A field on screen, by the request field it fills. */
interface FieldEntry {
  /** As the editor reads it: the error list names `Figure 1 — Number`, not the API's `figures[0].value`. */
  label: string;
  rule?: Rule;
  /** What breaks its rule now, if anything. */
  problem?: string;
}

interface FormScope {
  formId: string;
  errors: FieldError[];
  fields: Map<string, FieldEntry>;
}

const FormContext = createContext<FormScope>({ formId: 'form', errors: [], fields: new Map() });

/** The legend of the group whose fields it names (`Figure 1`), if any. */
const GroupLabel = createContext<string | undefined>(undefined);

/** Field errors for controls outside a FormShell (e.g. the search filters). */
export function FieldScope({ formId, errors, children }: Omit<FormScope, 'fields'> & { children: ReactNode }) {
  const [fields] = useState(() => new Map<string, FieldEntry>());
  return <FormContext.Provider value={{ formId, errors, fields }}>{children}</FormContext.Provider>;
}

/** `figures[0].value` → a valid, unique element id within the form. */
export function fieldId(formId: string, field: string): string {
  return `${formId}-${field.replace(/[^a-zA-Z0-9_-]+/g, '-')}`;
}

export interface ControlProps {
  id: string;
  name: string;
  required: true | undefined;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * Notes the field with its form while it is on screen (its label, rule and what breaks it
 * now); answers its element id and the error to show at it. A field that fills a list
 * (`aliases`) shows its items' errors (`aliases[2]`) too.
 */
export function useFormField(name: string, label: string, { rule, problem, ownsItems = false }: { rule?: Rule; problem?: string; ownsItems?: boolean }) {
  const { formId, errors, fields } = useContext(FormContext);
  const group = useContext(GroupLabel);
  const fullLabel = group ? `${group} — ${label}` : label;
  useEffect(() => {
    fields.set(name, { label: fullLabel, rule, problem });
    return () => void fields.delete(name);
  });
  const error = errors.find((candidate) => candidate.field === name || (ownsItems && candidate.field.startsWith(`${name}[`)));
  return { id: fieldId(formId, name), error, required: rule?.required ? (true as const) : undefined };
}

/** Whatever else describes a control: its hint and its error, by id. */
export function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** Screen readers hear `required` from the control itself; the star is for the eye. */
export function RequiredMark() {
  return (
    <span className="required-mark" aria-hidden="true">
      *
    </span>
  );
}

export function FieldErrorText({ id, name, label, error }: { id: string; name: string; label: string; error: FieldError }) {
  return (
    <span id={`${id}-error`} className="field-error" data-field={name}>
      {sentence(label, error.message)}
    </span>
  );
}

/**
 * A labelled control; `name` is the request field it fills, so its error (the desk's or the
 * API's) shows here. With `value`, the control's text is checked against `rule` at submit.
 */
export function Field({
  name,
  label,
  hint,
  className,
  value,
  rule,
  children,
}: {
  name: string;
  label: string;
  hint?: string;
  className?: string;
  value?: string;
  rule?: Rule;
  children: (control: ControlProps) => ReactNode;
}) {
  const { id, error, required } = useFormField(name, label, { rule, problem: value === undefined ? undefined : problemOf(value, rule), ownsItems: true });
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <span className="field-name">
        <label htmlFor={id}>{label}</label>
        {required && <RequiredMark />}
      </span>
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {children({ id, name, required, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(id, hint, error) })}
      {error && <FieldErrorText id={id} name={name} label={label} error={error} />}
    </div>
  );
}

/**
 * A fieldset for a request field made of several controls (`figures`, `via`, `location`).
 * An error about the group as a whole (the desk's `problem`, or the API's) shows under its
 * legend and is read with the group. With `namesFields`, the legend goes before its fields'
 * labels in the error list (`Figure 1 — Number`), where a bare `Number` would not say which figure.
 */
export function FieldGroup({
  name,
  legend,
  className = 'group',
  namesFields = false,
  problem,
  children,
}: {
  name: string;
  legend: string;
  className?: string;
  namesFields?: boolean;
  problem?: string;
  children: ReactNode;
}) {
  const { id, error } = useFormField(name, legend, { problem });
  // Focusable from the error list at the top, like a single control.
  return (
    <fieldset id={id} className={className} tabIndex={-1} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {error && (
        <p id={`${id}-error`} className="field-error" data-field={name}>
          {sentence(legend, error.message)}
        </p>
      )}
      <GroupLabel.Provider value={namesFields ? legend : undefined}>{children}</GroupLabel.Provider>
    </fieldset>
  );
}

/** The field the API names, or the list it is an item of (`aliases[2]` → `Aliases, item 3`). */
function entryOf(fields: Map<string, FieldEntry>, field: string): FieldEntry | undefined {
  const exact = fields.get(field);
  if (exact) return exact;
  const item = /^(.+)\[(\d+)\]$/.exec(field);
  const list = item ? fields.get(item[1]) : undefined;
  return list && item ? { ...list, label: `${list.label}, item ${Number(item[2]) + 1}` } : undefined;
}

/** Errors in the order their fields come on the page; those of no field on it, last. */
function inPageOrder(formId: string, errors: FieldError[]): FieldError[] {
  const element = (error: FieldError) => document.getElementById(fieldId(formId, error.field));
  return [...errors].sort((a, b) => {
    const [first, second] = [element(a), element(b)];
    if (!first || !second) return Number(!first) - Number(!second);
    return first.compareDocumentPosition(second) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  });
}

export function FormShell({
  title,
  submitLabel,
  write,
  onSubmit,
  onCancel,
  problems = [],
  refusal = 'Nothing was sent',
  children,
}: {
  title: string;
  submitLabel: string;
  write: Write;
  onSubmit: () => void;
  onCancel?: () => void;
  /** What the form's own rules across fields find wrong now (nothing changed, nothing ticked), checked with the fields' own. */
  problems?: Omit<FieldError, 'code'>[];
  /** How the form says that a check stopped it: `Nothing was erased`. */
  refusal?: string;
  children: ReactNode;
}) {
  const formId = `form${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const [fields] = useState(() => new Map<string, FieldEntry>());
  // What the last submit's checks found; while there is any, nothing was sent.
  const [found, setFound] = useState<FieldError[]>([]);
  const [checks, setChecks] = useState(0);
  const problemRef = useRef<HTMLDivElement>(null);
  const { conflict, pending } = write;
  const errors = inPageOrder(
    formId,
    found.length > 0 ? found : write.errors.map((error) => ({ ...error, message: plainMessage(error, entryOf(fields, error.field)?.rule) })),
  );
  // An error about something the form does not show (a claim retracted meanwhile) is told in the service's own sentence.
  const listed = errors.filter((error) => entryOf(fields, error.field));
  const fieldsToFix = (count: number) => (count === 1 ? 'the field marked below' : `the ${count} fields marked below`);
  const problem =
    found.length > 0
      ? `${refusal}: fix ${fieldsToFix(found.length)}.`
      : errors.length > 0 && listed.length === errors.length
        ? `Nothing was recorded: the service asks to fix ${fieldsToFix(errors.length)}.`
        : write.problem;

  // Take the editor to what went wrong, so a screen reader hears it and the keyboard is there.
  useEffect(() => {
    if (problem || conflict) problemRef.current?.focus();
  }, [problem, conflict, checks]);

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    // A form opened from within another (a source registered from a claim's picker, in a dialog) is its own submit.
    event.stopPropagation();
    const broken = [...fields].flatMap(([field, entry]) => (entry.problem ? [{ field, message: entry.problem }] : []));
    const now = [...broken, ...problems].map((error) => ({ ...error, code: 'checked_by_desk' }));
    setFound(now);
    setChecks((count) => count + 1);
    if (now.length === 0) onSubmit();
  };

  return (
    <form className="write-form" aria-labelledby={`${formId}-heading`} onSubmit={handleSubmit} noValidate>
      <h3 id={`${formId}-heading`}>{title}</h3>
      <p className="required-note" aria-hidden="true">
        <RequiredMark /> required
      </p>
      {conflict ? (
        <div ref={problemRef} tabIndex={-1} className="conflict" role="alert">
          <p>
            <strong>Someone else changed this while you were editing</strong> (you saw version {conflict.baseVersion}; it is now at version {conflict.currentVersion}).
            Nothing of yours was recorded.
          </p>
          {conflict.steps.length > 0 && (
            <>
              <p>Recorded in between:</p>
              <ul className="conflict-steps">
                {conflict.steps.map((step, index) => (
                  <li key={index}>{step}</li>
                ))}
              </ul>
            </>
          )}
          <p>What that changed:</p>
          <ul className="conflict-changes">
            {conflict.changes.length ? conflict.changes.map((change, index) => <li key={index}>{change}</li>) : <li>nothing you can see here</li>}
          </ul>
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => void write.reapply()} disabled={pending}>
              Re-apply my change on version {conflict.currentVersion}
            </button>
            <button type="button" onClick={write.dismissConflict}>
              Edit my change first
            </button>
          </div>
        </div>
      ) : (
        problem && (
          <div ref={problemRef} tabIndex={-1} className="form-problem" role="alert">
            <p>{problem}</p>
            {listed.length > 0 && (
              <ul>
                {listed.map((error, index) => (
                  <li key={index}>
                    <button type="button" className="link" onClick={() => document.getElementById(fieldId(formId, error.field))?.focus()}>
                      {entryOf(fields, error.field)?.label}
                    </button>
                    : {error.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )
      )}
      <FormContext.Provider value={{ formId, errors, fields }}>
        <GroupLabel.Provider value={undefined}>{children}</GroupLabel.Provider>
      </FormContext.Provider>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** Messages are said after the field's label: next to the field, `Title is required`. */
function sentence(label: string, message: string): string {
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}
