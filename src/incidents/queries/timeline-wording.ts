import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/api-keys.js';
import { identifiesConfidentialSources } from '../../auth/confidentiality.js';
import { SourceAccessLog } from '../../sources/source-access-log.js';
import { shownSource, type SourceName } from '../projections/incident-view/source-name.js';
import { referencedSources, worded } from '../read-model/source-references.js';

/**
 * Texts told by the timeline (its headlines and changes, and the alerts made of them) read
 * to someone: the sources they refer to named as they are now, as `viewer` may be shown
 * them (shownSource). Confidential sources so named are recorded in the access log first.
 */
@Injectable()
export class TimelineWording {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: SourceAccessLog,
  ) {}

  /** How to word each of `texts` for `viewer`, who is shown them through `route`. */
  async wordingFor(texts: readonly string[], viewer: Principal, route: string): Promise<(text: string) => string> {
    const referenced = referencedSources(texts);
    if (referenced.length === 0) return (text) => text;
    const rows = await this.dataSource.query<SourceName[]>('SELECT source_id, name, kind, confidential FROM incident_source_names WHERE source_id = ANY($1::uuid[])', [referenced]);
    const identified = identifiesConfidentialSources(viewer.role);
    if (identified) await this.accessLog.record(viewer, rows.filter((row) => row.confidential).map((row) => row.source_id), route);
    const sources = new Map(rows.map((row) => [row.source_id, shownSource(row, identified)]));
    return (text) => worded(text, (sourceId) => sources.get(sourceId));
  }
}
