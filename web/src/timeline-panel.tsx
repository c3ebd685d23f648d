import { useEffect, useRef } from 'react';
import type { TimelineEntry } from './api-types';
import { formatStated, formatWhen, utcInstant, utcLocal } from './format';
import { FieldScope } from './forms/form-shell';
import { DateTimeInput } from './forms/date-time';

// The story as it was recorded, one step per event. The slider and the list choose the
// version the page shows, the date what the desk had recorded by then; the chosen step is
// highlighted with what it changed. The way back to the latest version is the page's, in the
// notice that says an earlier one is shown.

export const TIMELINE_HEADING_ID = 'timeline-heading';

export function TimelinePanel({
  entries,
  latest,
  viewed,
  asOf,
  onView,
  onViewAsOf,
}: {
  entries: TimelineEntry[];
  latest: number;
  viewed: number;
  /** The time the page shows the incident as of, when it was chosen by date. */
  asOf?: string;
  onView: (version: number) => void;
  onViewAsOf: (instant: string) => void;
}) {
  const current = entries.find((entry) => entry.version === viewed);
  const listRef = useRef<HTMLOListElement>(null);

  // Bring the chosen step into the list's view, without scrolling the page under the editor.
  useEffect(() => {
    const list = listRef.current;
    const selected = list?.querySelector<HTMLElement>('.timeline-entry.selected');
    if (!list || !selected) return;
    const top = selected.offsetTop; // the list is the entries' offset parent (position: relative)
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + selected.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = top + selected.offsetHeight - list.clientHeight;
  }, [viewed, entries]);

  return (
    <section className="timeline" aria-labelledby={TIMELINE_HEADING_ID}>
      <h2 id={TIMELINE_HEADING_ID} tabIndex={-1}>
        Timeline
      </h2>
      <div className="timeline-slider">
        <label htmlFor="timeline-version">
          Show the incident as of version <strong>{viewed}</strong> of {latest}
        </label>
        <input
          id="timeline-version"
          type="range"
          min={0}
          max={latest}
          step={1}
          value={viewed}
          onChange={(event) => onView(Number(event.target.value))}
          aria-valuetext={current ? `version ${viewed}: ${current.headline}` : `version ${viewed}`}
        />
        <FieldScope formId="timeline" errors={[]}>
          <DateTimeInput
            name="asOf"
            label="Or as the desk had it at"
            hint="the last step recorded by then"
            value={utcLocal(asOf ?? current?.recordedAt)}
            onChange={(local) => {
              const instant = utcInstant(local);
              if (instant) onViewAsOf(instant);
            }}
          />
        </FieldScope>
      </div>
      <ol className="timeline-entries" ref={listRef}>
        {entries.map((entry) => {
          const selected = entry.version === viewed;
          return (
            <li key={entry.version} className={`timeline-entry${selected ? ' selected' : ''}${entry.version > viewed ? ' later' : ''}`} data-version={entry.version}>
              {entry.version > viewed && <span className="visually-hidden">After the version shown: </span>}
              <button type="button" onClick={() => onView(entry.version)} aria-current={selected ? 'step' : undefined}>
                <span className="version">v{entry.version}</span> <span className="headline">{entry.headline}</span>
              </button>
              <p className="meta">
                {entry.statedAt && <>stated {formatStated(entry.statedAt)} · </>}recorded {formatWhen(entry.recordedAt)} by {entry.recordedBy}
              </p>
              {entry.changes.length > 0 && (
                <ul className="changes" aria-label={`What version ${entry.version} changed`}>
                  {entry.changes.map((change, index) => (
                    <li key={index}>{change}</li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
