import { identifiesConfidentialSources, INCIDENT_LIMITS } from '../api-types';
import { useDesk } from '../desk-context';
import { words } from '../format';
import { Field, FieldGroup, type ControlProps } from './form-shell';
import { NewSourceButton } from './new-source';
import { tooMany, type Rule } from './rules';

// Controls the write forms share: text, choices from a fixed list, a source, a list of
// conduits. Each is a labelled Field named after the request field it fills, with the
// API's rule for that field (marked, and checked before sending).

export function TextInput({
  name,
  label,
  value,
  onChange,
  hint,
  type = 'text',
  placeholder,
  list,
  rule,
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
  rule?: Rule;
}) {
  const number = rule?.number;
  return (
    <Field name={name} label={label} hint={hint} value={value} rule={rule}>
      {(control) => (
        <input
          {...control}
          type={type}
          value={value}
          placeholder={placeholder}
          list={list}
          maxLength={rule?.maxLength}
          min={number?.min}
          max={number?.max}
          step={type === 'number' ? (number?.integer ? 1 : 'any') : undefined}
          inputMode={number?.integer ? 'numeric' : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

export function TextArea({
  name,
  label,
  value,
  onChange,
  hint,
  rows = 3,
  rule,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  rows?: number;
  rule?: Rule;
}) {
  return (
    <Field name={name} label={label} hint={hint} className="field-wide" value={value} rule={rule}>
      {(control) => <textarea {...control} rows={rows} value={value} maxLength={rule?.maxLength} onChange={(event) => onChange(event.target.value)} />}
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
  required = false,
}: {
  name: string;
  label: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  hint?: string;
  /** How to show an option; by default its value in words (`at_least` → `at least`). */
  labels?: Partial<Record<T, string>>;
  /** The request needs it (the list always has one chosen: the mark says it must be the right one). */
  required?: boolean;
}) {
  return (
    <Field name={name} label={label} hint={hint} rule={{ required }}>
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
 * one. With `offerNew`, a source not yet registered can be, from here, and is then chosen.
 */
export function SourceSelect({
  name,
  label,
  value,
  onChange,
  hint,
  exclude = [],
  includeErased = false,
  required = false,
  offerNew = false,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  exclude?: string[];
  includeErased?: boolean;
  required?: boolean;
  offerNew?: boolean;
}) {
  return (
    <Field name={name} label={label} hint={hint} value={value} rule={{ required }}>
      {(control) => (
        <span className="source-select">
          <SourceOptions control={control} value={value} onChange={onChange} exclude={exclude} includeErased={includeErased} />
          {offerNew && <NewSourceButton label={label} onChosen={onChange} />}
        </span>
      )}
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
    <FieldGroup name="via" legend="Via (conduits, in order)" problem={tooMany(value.length, INCIDENT_LIMITS.via, 'conduits')}>
      {value.length === 0 && <p className="hint">Directly from the source.</p>}
      {value.map((sourceId, index) => (
        <div className="row" key={index}>
          <SourceSelect name={`via[${index}]`} label={`Conduit ${index + 1}`} value={sourceId} onChange={(id) => onChange(value.with(index, id))} required offerNew />
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

export function Checkbox({ name, label, checked, onChange, hint }: { name: string; label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  return (
    <Field name={name} label={label} hint={hint} className="field-checkbox">
      {(control) => <input {...control} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />}
    </Field>
  );
}
