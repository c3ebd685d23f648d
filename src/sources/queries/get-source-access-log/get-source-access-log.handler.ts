import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type SourceAccess, SourceAccessLog } from '../../source-access-log.js';

export interface SourceAccessPage {
  sourceId: string;
  /** Newest first. */
  entries: SourceAccess[];
  /** Pass as `before` for the next (older) page; null on the last. */
  nextBefore: number | null;
}

/** Who was shown a confidential source's identity, when, through which route (SourceAccessLog). */
export class GetSourceAccessLogQuery extends Query<SourceAccessPage> {
  constructor(
    readonly sourceId: string,
    readonly limit: number,
    readonly before?: number,
  ) {
    super();
  }
}

@QueryHandler(GetSourceAccessLogQuery)
export class GetSourceAccessLogHandler implements IQueryHandler<GetSourceAccessLogQuery> {
  constructor(private readonly accessLog: SourceAccessLog) {}

  async execute({ sourceId, limit, before }: GetSourceAccessLogQuery): Promise<SourceAccessPage> {
    return { sourceId, ...(await this.accessLog.read(sourceId, limit, before)) };
  }
}
