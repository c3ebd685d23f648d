import { createContext, useContext, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { FieldError } from '../api';
import type { Write } from './use-write';

// The frame of every write form: a heading, the problem and its field errors (listed at
// the top and again next to each field), the 412 prompt, and one submit button.

interface FormScope {
  formId: string;
  errors: FieldError[];
  /**
   * Each field's label as the editor reads it, by the request field it fills: the error
   * list at the top names `Figure 1 — Number`, not the API's `figures[0].value`.
   */
  labels: Map<string, string>;
}

const FormContext = createContext<FormScope>({ formId: 'form', errors: [], labels: new Map() });

/** The legend of the group whose fields it names (`Figure 1`), if any. */
const GroupLabel = createContext<string | undefined>(undefined);

/** Field errors for controls outside a FormShell (e.g. the search filters). */
export function FieldScope({ formId, errors, children }: Omit<FormScope, 'labels'> & { children: ReactNode }) {
  const [labels] = useState(() => new Map<string, string>());
  return <FormContext.Provider value={{ formId, errors, labels }}>{children}</FormContext.Provider>;
}

/** `figures[0].value` → a valid, unique element id within the form. */
export function fieldId(formId: string, field: string): string {
  return `${formId}-${field.replace(/[^a-zA-Z0-9_-]+/g, '-')}`;
}

export interface ControlProps {
  id: string;
  name: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A labelled control; `name` is the request field it fills, so the API's error for it shows here. */
export function Field({ name, label, hint, className, children }: { name: string; label: string; hint?: string; className?: string; children: (control: ControlProps) => ReactNode }) {
  const { formId, errors } = useContext(FormContext);
  const group = useContext(GroupLabel);
  useFieldLabel(name, group ? `${group} — ${label}` : label);
  const id = fieldId(formId, name);
  const error = errors.find((candidate) => candidate.field === name);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {children({ id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <span id={`${id}-error`} className="field-error" data-field={name}>
          {sentence(label, error.message)}
        </span>
      )}
    </div>
  );
}

/**
 * A fieldset for a request field made of several controls (`figures`, `via`, `location`).
 * An error about the group as a whole shows under its legend and is read with the group.
 * With `namesFields`, the legend goes before its fields' labels in the error list
 * (`Figure 1 — Number`), where a bare `Number` would not say which figure.
 */
export function FieldGroup({ name, legend, className = 'group', namesFields = false, children }: { name: string; legend: string; className?: string; namesFields?: boolean; children: ReactNode }) {
  const { formId, errors } = useContext(FormContext);
  useFieldLabel(name, legend);
  const id = fieldId(formId, name);
  const error = errors.find((candidate) => candidate.field === name);
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

/** Noted once the field is on screen: the error list only appears after a submit, by when every field is. */
function useFieldLabel(name: string, label: string): void {
  const { labels } = useContext(FormContext);
  useEffect(() => {
    labels.set(name, label);
  }, [labels, name, label]);
}

export function FormShell({
  title,
  submitLabel,
  write,
  onSubmit,
  onCancel,
  children,
}: {
  title: string;
  submitLabel: string;
  write: Write;
  onSubmit: () => void;
  onCancel?: () => void;
  children: ReactNode;
}) {
  const formId = `form${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const [labels] = useState(() => new Map<string, string>());
  const problemRef = useRef<HTMLDivElement>(null);
  const { problem, errors, conflict, pending } = write;

  // Take the editor to what went wrong, so a screen reader hears it and the keyboard is there.
  useEffect(() => {
    if (problem || conflict) problemRef.current?.focus();
  }, [problem, conflict]);

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };

  return (
    <form className="write-form" aria-labelledby={`${formId}-heading`} onSubmit={handleSubmit} noValidate>
      <h3 id={`${formId}-heading`}>{title}</h3>
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
            {errors.length > 0 && (
              <ul>
                {errors.map((error) => (
                  <li key={error.field}>
                    <button type="button" className="link" onClick={() => document.getElementById(fieldId(formId, error.field))?.focus()}>
                      {labels.get(error.field) ?? error.field}
                    </button>
                    : {error.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )
      )}
      <FormContext.Provider value={{ formId, errors, labels }}>{children}</FormContext.Provider>
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

/** The API says `is required`; next to the field, `Title is required` reads better. */
function sentence(label: string, message: string): string {
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}
