import { useEffect, useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { FIGURE_OUTCOMES, type CasualtyEntry, type FigureOutcome, type FigureQualifier, type IncidentView } from './api-types';
import { useDesk } from './desk-context';
import { figureLong, figureShort, partyKey, rangeText } from './format';

// The casualty summary as a picture: per party and outcome, a bar from the lowest to the
// highest number active claims state, each claimant's figure marked and labelled on it, and
// the figures of retracted claims drawn hollow, their numbers struck through and marked
// "retracted". The numbers come from the service's summary (`casualties`); retracted
// figures, which it leaves out, from the claims.
//
// The drawing is as wide as the space it is given, one unit a pixel, so that its labels
// keep their type size on a phone instead of shrinking with a scaled-down picture: a
// narrow chart stacks its labels in more lanes.

interface ChartFigure {
  claimId: string;
  claimantId: string;
  qualifier: FigureQualifier;
  value?: number;
  originalText: string;
  retracted: boolean;
}

interface ChartRow {
  key: string;
  party: string;
  outcome: FigureOutcome;
  /** Absent when every figure of the row was retracted. */
  entry?: CasualtyEntry;
  figures: ChartFigure[];
}

export function casualtyRowKey(party: string, outcome: FigureOutcome): string {
  return `${partyKey(party)}|${outcome}`;
}

export function chartRows(view: IncidentView): ChartRow[] {
  const rows = new Map<string, ChartRow>();
  for (const entry of view.casualties) {
    rows.set(casualtyRowKey(entry.party, entry.outcome), {
      key: casualtyRowKey(entry.party, entry.outcome),
      party: entry.party,
      outcome: entry.outcome,
      entry,
      figures: entry.figures.map((figure) => ({ ...figure, retracted: false })),
    });
  }
  for (const claim of view.claims.filter((candidate) => candidate.status === 'retracted')) {
    for (const { party, outcome, qualifier, value, originalText } of claim.figures) {
      const key = casualtyRowKey(party, outcome);
      const row = rows.get(key) ?? { key, party: party.trim(), outcome, figures: [] };
      row.figures.push({ claimId: claim.claimId, claimantId: claim.claimantId, qualifier, value, originalText, retracted: true });
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.key.split('|')[0].localeCompare(b.key.split('|')[0]) || FIGURE_OUTCOMES.indexOf(a.outcome) - FIGURE_OUTCOMES.indexOf(b.outcome));
}

export function CasualtyChart({ view, changed = new Set() }: { view: IncidentView; changed?: Set<string> }) {
  const [width, ref] = useWidth<HTMLDivElement>();
  const rows = chartRows(view);
  // The box is there without rows too: it is measured once, and the first claim with a figure may come later.
  return (
    <div className="casualties" ref={ref}>
      {rows.length === 0 && <p className="empty">No claim on record states casualties.</p>}
      {rows.map((row) => (
        <CasualtyRow key={row.key} row={row} changed={changed.has(row.key)} width={width} />
      ))}
    </div>
  );
}

/** The drawing's width before the page is laid out (and in a page that is never laid out). */
const DEFAULT_WIDTH = 720;
/** The figure's padding, left and right, which the drawing leaves to it. */
const INSET = 2 * 14;
const MARGIN = 18;
/** Labels' type size (px), as styles.css sets it; the lanes and their widths follow from it. */
const LABEL_SIZE = 13;
const LANE = LABEL_SIZE + 7;
// An estimate of a label's width that errs wide: system fonts average about 0.55 em a character.
const CHAR = LABEL_SIZE * 0.58;
const RETRACTED = ' retracted';

/** The element's content width in pixels, followed as the page is resized. */
function useWidth<T extends HTMLElement>(): [number, RefObject<T | null>] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  // Measured before the first paint, so that the chart is never drawn at the default width.
  useLayoutEffect(() => {
    if (ref.current) setWidth(Math.floor(ref.current.clientWidth));
  }, []);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [width, ref];
}

function CasualtyRow({ row, changed, width: outer }: { row: ChartRow; changed: boolean; width: number }) {
  const { sourceName } = useDesk();
  const titleId = useId();
  const chartWidth = Math.max(200, outer - INSET);
  const numbered = row.figures.filter((figure) => figure.value !== undefined);
  const unnumbered = row.figures.filter((figure) => figure.value === undefined);
  const max = niceCeiling(Math.max(1, ...numbered.map((figure) => figure.value!)));
  const x = (value: number) => MARGIN + (value / max) * (chartWidth - 2 * MARGIN);

  // Labels go in lanes above the bar: each takes the lowest lane where it overlaps no other.
  const laneEnds: number[] = [];
  const marks = numbered
    .map((figure) => ({ figure, at: x(figure.value!), name: sourceName(figure.claimantId), number: figureShort(figure) }))
    .sort((a, b) => a.at - b.at)
    .map((mark) => {
      const characters = `${mark.name} ${mark.number}${mark.figure.retracted ? RETRACTED : ''}`.length;
      const width = Math.min(characters * CHAR + 8, chartWidth);
      const left = Math.min(Math.max(mark.at - width / 2, 0), chartWidth - width);
      let lane = laneEnds.findIndex((end) => end + 6 <= left);
      if (lane === -1) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = left + width;
      return { ...mark, lane, labelX: left + width / 2 };
    });
  const lanes = Math.max(1, laneEnds.length);
  const barY = 8 + lanes * LANE + 6;
  const height = barY + 40;
  const low = row.entry?.lowestClaimed ?? null;
  const high = row.entry?.highestClaimed ?? null;

  const description = [
    `${row.party} ${row.outcome}: ${row.entry ? `${rangeText(low, high)} claimed` : 'no active claim'}${row.entry?.contested ? ', contested' : ''}.`,
    ...row.figures.map((figure) => `${sourceName(figure.claimantId)}: ${figureLong(figure)}${figure.retracted ? ' (retracted)' : ''}.`),
  ].join(' ');

  return (
    <figure className={`casualty${changed ? ' changed' : ''}`} data-party={row.party} data-outcome={row.outcome} aria-labelledby={`${titleId}-caption`}>
      <figcaption id={`${titleId}-caption`}>
        <span className="casualty-name">
          {row.party} <span className="outcome">{row.outcome}</span>
        </span>
        <span className="range">{row.entry ? rangeText(low, high) : 'none active'}</span>
        {row.entry?.contested && <span className="badge badge-contested">contested</span>}
        {!row.entry && <span className="badge badge-retracted">all retracted</span>}
        {changed && <span className="badge badge-changed">changed at this step</span>}
      </figcaption>
      {numbered.length > 0 && (
        <svg viewBox={`0 0 ${chartWidth} ${height}`} role="img" aria-labelledby={titleId} className="casualty-svg">
          <title id={titleId}>{description}</title>
          <line className="axis" x1={MARGIN} x2={chartWidth - MARGIN} y1={barY + 5} y2={barY + 5} />
          {ticks(max).map((tick) => (
            <g key={tick} className="tick">
              <line x1={x(tick)} x2={x(tick)} y1={barY + 12} y2={barY + 17} />
              <text x={x(tick)} y={barY + 30} textAnchor="middle">
                {tick}
              </text>
            </g>
          ))}
          {low !== null && high !== null && (
            <rect className={`range-bar${row.entry?.contested ? ' contested' : ''}`} x={x(low) - 2} y={barY} width={Math.max(4, x(high) - x(low) + 4)} height={10} rx={5} />
          )}
          {marks.map(({ figure, at, name, number, lane, labelX }) => {
            const labelY = 8 + (lanes - 1 - lane) * LANE + LABEL_SIZE;
            return (
              <g key={`${figure.claimId}-${figure.value}-${name}`} className={`mark${figure.retracted ? ' retracted' : ''}`} data-status={figure.retracted ? 'retracted' : 'active'} data-claimant={sourceName(figure.claimantId)}>
                <line className="leader" x1={at} x2={at} y1={labelY + 4} y2={barY + 5} />
                {/* Only the withdrawn number is struck through: a line through the whole label made it unreadable. */}
                <text x={labelX} y={labelY} textAnchor="middle">
                  {name}{' '}
                  {figure.retracted ? (
                    <>
                      <tspan className="struck">{number}</tspan>
                      {RETRACTED}
                    </>
                  ) : (
                    number
                  )}
                </text>
                <circle cx={at} cy={barY + 5} r={6} />
                {figure.qualifier === 'at_least' && <path className="open-end" d={`M ${at + 9} ${barY + 1} l 6 4 l -6 4 z`} />}
                {figure.qualifier === 'at_most' && <path className="open-end" d={`M ${at - 9} ${barY + 1} l -6 4 l 6 4 z`} />}
              </g>
            );
          })}
        </svg>
      )}
      {unnumbered.length > 0 && (
        <ul className="unnumbered">
          {unnumbered.map((figure) => (
            <li key={`${figure.claimId}-${figure.originalText}`} className={figure.retracted ? 'retracted' : undefined}>
              {sourceName(figure.claimantId)}: {figure.retracted ? <s>“{figure.originalText}”</s> : `“${figure.originalText}”`} (no number){figure.retracted && ' — retracted'}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/** 1, 2, 5, 10, 20, 50, …: the smallest at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value)!;
}

function ticks(max: number): number[] {
  const step = max / (max % 5 === 0 && max >= 5 ? 5 : max % 4 === 0 ? 4 : max % 2 === 0 ? 2 : 1);
  return Array.from({ length: Math.round(max / step) + 1 }, (_, index) => Math.round(index * step));
}
