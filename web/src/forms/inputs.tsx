import { identifiesConfidentialSources } from '../api-types';
import { useDesk } from '../desk-context';
import { words } from '../format';
import { Field, FieldGroup, type ControlProps } from './form-shell';

// Controls the write forms share: choices from a fixed list, a source, a list of conduits,
// a UTC time. Each is a labelled Field named after the request field it fills.

export function TextInput({
  name,
  label,
  value,
  onChange,
  hint,
  type = 'text',
  placeholder,
  list,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  type?: string;
  placeholder?: string;
  /** The id of a <datalist> of suggestions. */
  list?: string;
}) {
  return (
    <Field name={name} label={label} hint={hint}>
      {(control) => <input {...control} type={type} value={value} placeholder={placeholder} list={list} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}

export function TextArea({ name, label, value, onChange, hint, rows = 3 }: { name: string; label: string; value: string; onChange: (value: string) => void; hint?: string; rows?: number }) {
  return (
    <Field name={name} label={label} hint={hint} className="field-wide">
      {(control) => <textarea {...control} rows={rows} value={value} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}

export function EnumSelect<T extends string>({
  name,
  label,
  options,
  value,
  onChange,
  hint,
  labels = {},
}: {
  name: string;
  label: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  hint?: string;
  /** How to show an option; by default its value in words (`at_least` → `at least`). */
  labels?: Partial<Record<T, string>>;
}) {
  return (
    <Field name={name} label={label} hint={hint}>
      {(control) => (
        <select {...control} value={value} onChange={(event) => onChange(event.target.value as T)}>
          {options.map((option) => (
            <option key={option} value={option}>
              {labels[option] ?? words(option)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * A registered source, by name; empty means none chosen. Erased sources are offered only
 * with `includeErased` (a search for what they said): the service records nothing new from
 * one.
 */
export function SourceSelect({
  name,
  label,
  value,
  onChange,
  hint,
  exclude = [],
  includeErased = false,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  exclude?: string[];
  includeErased?: boolean;
}) {
  return (
    <Field name={name} label={label} hint={hint}>
      {(control) => <SourceOptions control={control} value={value} onChange={onChange} exclude={exclude} includeErased={includeErased} />}
    </Field>
  );
}

function SourceOptions({ control, value, onChange, exclude, includeErased }: { control: ControlProps; value: string; onChange: (value: string) => void; exclude: string[]; includeErased: boolean }) {
  const { sources, session } = useDesk();
  // Those not shown who a confidential source is see it as "Confidential source" already.
  const marked = identifiesConfidentialSources(session.role);
  return (
    <select {...control} value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">— choose a source —</option>
      {sources
        .filter((source) => source.id === value || (!exclude.includes(source.id) && (includeErased || !source.erased)))
        .map((source) => (
          <option key={source.id} value={source.id}>
            {source.name}
            {marked && source.confidential && !source.erased ? ' (confidential)' : ''}
          </option>
        ))}
    </select>
  );
}

/** The conduits a claim or statement came through, in the order the words travelled. */
export function ViaEditor({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  return (
    <FieldGroup name="via" legend="Via (conduits, in order)">
      {value.length === 0 && <p className="hint">Directly from the source.</p>}
      {value.map((sourceId, index) => (
        <div className="row" key={index}>
          <SourceSelect name={`via[${index}]`} label={`Conduit ${index + 1}`} value={sourceId} onChange={(id) => onChange(value.with(index, id))} />
          <button type="button" className="remove" onClick={() => onChange(value.filter((_, i) => i !== index))} aria-label={`Remove conduit ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, ''])}>
        Add a conduit
      </button>
    </FieldGroup>
  );
}

/** A time entered and shown in UTC, which is how the ledger keeps it. */
export function UtcDateTime({ name, label, value, onChange, hint }: { name: string; label: string; value: string; onChange: (value: string) => void; hint?: string }) {
  return (
    <Field name={name} label={`${label} (UTC)`} hint={hint}>
      {(control) => <input {...control} type="datetime-local" value={value} onChange={(event) => onChange(event.target.value)} />}
    </Field>
  );
}

export function Checkbox({ name, label, checked, onChange, hint }: { name: string; label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  return (
    <Field name={name} label={label} hint={hint} className="field-checkbox">
      {(control) => <input {...control} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />}
    </Field>
  );
}
