import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { SourceAccessPage } from '../../source-access.js';
import { SourceAccessLog } from '../../source-access-log.js';

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
