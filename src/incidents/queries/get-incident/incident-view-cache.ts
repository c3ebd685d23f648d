import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type ReadModelChange, ReadModelChanges } from '../../../projections/read-model-changes.js';
import { sourceStreamId } from '../../../sources/commands/execute-source-command.js';
import { incidentStreamId } from '../../commands/execute-incident-command.js';
import { incidentTimelineProjection } from '../../projections/incident-timeline/incident-timeline.projection.js';
import { incidentViewProjection } from '../../projections/incident-view/incident-view.projection.js';
import type { IncidentViewResponse } from './get-incident.handler.js';

/** The incidents a desk reads at once, a few kilobytes each. */
const MAX_ENTRIES = 1_000;
/** Bounds how long a change whose announcement was lost (a crash, a failed NOTIFY) can go unseen. */
const TTL_MS = 10_000;
const INCIDENT_STREAM = incidentStreamId('');
const SOURCE_STREAM = sourceStreamId('');

/**
 * The current view of the most read incidents, as GET /incidents/{id} answers it: the
 * incident-view row and the names of its sources (incident-timeline's incident_source_names).
 * A row is forgotten as soon as the projection that wrote it announces the change
 * (ReadModelChanges); a source's events may rename it in any incident, so they forget all.
 * A view read while a change came in is not kept: it may predate the change.
 */
@Injectable()
export class IncidentViewCache implements OnModuleDestroy {
  private readonly entries = new Map<string, { view: IncidentViewResponse; until: number }>();
  /** Counts changes heard: a read that saw it move may hold what a change replaced. */
  private changesHeard = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly changes: ReadModelChanges) {
    this.unsubscribe = changes.subscribe((change) => this.forget(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  async read(incidentId: string, load: () => Promise<IncidentViewResponse | null>): Promise<IncidentViewResponse | null> {
    const cached = this.entries.get(incidentId);
    if (cached && cached.until > performance.now() && this.changes.connected) return cached.view;
    const heard = this.changesHeard;
    const view = await load();
    if (view && heard === this.changesHeard && this.changes.connected) {
      this.entries.delete(incidentId); // re-inserted last: Map order makes the first key the oldest
      this.entries.set(incidentId, { view, until: performance.now() + TTL_MS });
      if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    return view;
  }

  private forget({ projections, streams }: ReadModelChange): void {
    const ownsViews = projections.includes(incidentViewProjection.name) || projections.includes('*');
    const ownsSourceNames = projections.includes(incidentTimelineProjection.name) || projections.includes('*');
    if (!ownsViews && !ownsSourceNames) return;
    this.changesHeard++;
    if (streams === 'all' || (ownsSourceNames && streams.some((stream) => stream.startsWith(SOURCE_STREAM)))) {
      this.entries.clear();
      return;
    }
    if (!ownsViews) return;
    for (const stream of streams) if (stream.startsWith(INCIDENT_STREAM)) this.entries.delete(stream.slice(INCIDENT_STREAM.length));
  }
}
