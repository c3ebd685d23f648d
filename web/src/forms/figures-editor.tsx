import { useId } from 'react';
import { FIGURE_OUTCOMES, FIGURE_QUALIFIERS, INCIDENT_LIMITS as LIMIT, type Figure, type FigureOutcome, type FigureQualifier } from '../api-types';
import { FieldGroup } from './form-shell';
import { EnumSelect, TextInput } from './inputs';
import { FIGURE_NUMBER, tooMany, type Rule } from './rules';

// A claim's figures: who (party), what happened to them (outcome), how sure the claimant
// was (qualifier), the number, and the claimant's own words.

/** As the form holds it: the value as typed, so an empty box stays empty. */
export interface FigureDraft {
  party: string;
  outcome: FigureOutcome;
  qualifier: FigureQualifier;
  value: string;
  originalText: string;
}

export function emptyFigure(): FigureDraft {
  return { party: '', outcome: 'killed', qualifier: 'exact', value: '', originalText: '' };
}

export function figureDraft(figure: Figure): FigureDraft {
  return { ...figure, value: figure.value === undefined ? '' : String(figure.value) };
}

/** What the API receives. */
export function figureOf({ value, ...draft }: FigureDraft): Figure {
  return value.trim() === '' ? draft : { ...draft, value: Number(value) };
}

/** "Numerous" has no number to record; every other qualifier qualifies a whole number, 0 or more. */
function numberRule(qualifier: FigureQualifier): Rule {
  if (qualifier === 'unspecified') return { check: (value) => (value.trim() ? FIGURE_NUMBER.forbidden : undefined) };
  return { required: FIGURE_NUMBER.missing, number: { min: 0, integer: true } };
}

export function FiguresEditor({ value, onChange, parties = [] }: { value: FigureDraft[]; onChange: (value: FigureDraft[]) => void; parties?: string[] }) {
  const update = (index: number, change: Partial<FigureDraft>) => onChange(value.with(index, { ...value[index], ...change }));
  const partiesId = useId();
  return (
    <FieldGroup name="figures" legend="Figures" className="group figures" problem={tooMany(value.length, LIMIT.figures, 'figures')}>
      {value.length === 0 && <p className="hint">No figures: the claim states no numbers.</p>}
      {parties.length > 0 && (
        <datalist id={partiesId}>
          {parties.map((party) => (
            <option key={party} value={party} />
          ))}
        </datalist>
      )}
      {value.map((figure, index) => (
        <FieldGroup name={`figures[${index}]`} legend={`Figure ${index + 1}`} className="figure" namesFields key={index}>
          <div className="row">
            <TextInput
              name={`figures[${index}].party`}
              label="Party"
              value={figure.party}
              onChange={(party) => update(index, { party })}
              placeholder="e.g. Wagner"
              list={parties.length > 0 ? partiesId : undefined}
              rule={{ required: true, maxLength: LIMIT.party }}
            />
            <EnumSelect name={`figures[${index}].outcome`} label="Outcome" options={FIGURE_OUTCOMES} value={figure.outcome} onChange={(outcome) => update(index, { outcome })} required />
            <EnumSelect
              name={`figures[${index}].qualifier`}
              label="Qualifier"
              options={FIGURE_QUALIFIERS}
              value={figure.qualifier}
              onChange={(qualifier) => update(index, qualifier === 'unspecified' ? { qualifier, value: '' } : { qualifier })}
              required
            />
            <TextInput
              name={`figures[${index}].value`}
              label="Number"
              type="number"
              value={figure.value}
              onChange={(number) => update(index, { value: number })}
              hint={figure.qualifier === 'unspecified' ? 'none for “unspecified”' : undefined}
              rule={numberRule(figure.qualifier)}
            />
          </div>
          <TextInput
            name={`figures[${index}].originalText`}
            label="Original words"
            hint="as the claimant gave the figure"
            value={figure.originalText}
            onChange={(originalText) => update(index, { originalText })}
            rule={{ required: true, maxLength: LIMIT.originalText }}
          />
          <button type="button" className="remove" onClick={() => onChange(value.filter((_, i) => i !== index))} aria-label={`Remove figure ${index + 1}`}>
            Remove figure
          </button>
        </FieldGroup>
      ))}
      <button type="button" onClick={() => onChange([...value, emptyFigure()])}>
        Add a figure
      </button>
    </FieldGroup>
  );
}

