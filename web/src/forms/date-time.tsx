import { formatWhen, utcInstant } from '../format';
import { describedBy, FieldErrorText, RequiredMark, useFormField } from './form-shell';

// The desk's one control for a date and time, wherever a form asks for one: a date, and a
// time that may be left out, both in UTC as the ledger keeps them. The browser shows a date
// in its own locale's order (07/28/2024 or 28/07/2024), so the control reads the value back
// in words, UTC said. It holds `2024-07-28T06:00`, or `2024-07-28` for a day alone.

/** Now, to the minute, as the control holds it. */
export function nowUtc(): string {
  return new Date().toISOString().slice(0, 16);
}

export function DateTimeInput({
  name,
  label,
  value,
  onChange,
  hint,
  required = false,
  notInFuture = false,
  notBefore,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  required?: boolean;
  /** When a source said or published something: the service refuses a time to come. */
  notInFuture?: boolean;
  /** Another control's value that this one may not precede (the end of a span, its start). */
  notBefore?: { value: string; label: string };
}) {
  const [date, time = ''] = value.split('T');
  const legend = `${label} (UTC)`;
  const instant = date ? utcInstant(value) : undefined;
  const problem = timeProblem(date, time, instant, required, notInFuture) ?? (instant && notBefore && Date.parse(instant) < Date.parse(utcInstant(notBefore.value) ?? '') ? `is before ${notBefore.label}` : undefined);
  const { id, error } = useFormField(name, legend, { rule: { required }, problem });
  const readBack = instant && !problem ? (time ? formatWhen(instant, 'time') : formatWhen(date, 'day')) : undefined;
  const note = [readBack, hint].filter(Boolean).join(' · ');
  const control = { 'aria-invalid': error ? (true as const) : undefined, 'aria-describedby': describedBy(id, note, error) };
  const set = (nextDate: string, nextTime: string) => onChange(nextTime ? `${nextDate}T${nextTime}` : nextDate);
  return (
    <fieldset className={['datetime', error ? 'field-invalid' : ''].filter(Boolean).join(' ')}>
      <legend>
        {legend}
        {required && <RequiredMark />}
      </legend>
      <div className="datetime-controls">
        <span className="datetime-part">
          <label htmlFor={id}>Date</label>
          <input {...control} id={id} name={name} type="date" min="0001-01-01" max="9999-12-31" required={required || undefined} value={date} onChange={(event) => set(event.target.value, time)} />
        </span>
        <span className="datetime-part">
          <label htmlFor={`${id}-time`}>Time (UTC)</label>
          <input {...control} id={`${id}-time`} type="time" value={time} onChange={(event) => set(date, event.target.value)} />
        </span>
        <button type="button" onClick={() => onChange(nowUtc())} aria-label={`${label}: now`}>
          Now
        </button>
      </div>
      {note && (
        <span id={`${id}-hint`} className="hint">
          {note}
        </span>
      )}
      {error && <FieldErrorText id={id} name={name} label={legend} error={error} />}
    </fieldset>
  );
}

function timeProblem(date: string, time: string, instant: string | undefined, required: boolean, notInFuture: boolean): string | undefined {
  if (!date) return time || required ? 'needs a date' : undefined;
  // The years PostgreSQL and a four-digit ISO-8601 year both hold, as the service checks.
  if (instant === undefined || Number.isNaN(Date.parse(instant)) || !/^\d{4}-/.test(date) || date < '0001') return 'must be a date in the years 0001 to 9999';
  if (notInFuture && Date.parse(instant) > Date.now()) return 'lies in the future';
  return undefined;
}
