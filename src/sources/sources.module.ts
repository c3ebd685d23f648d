import { Module } from '@nestjs/common';
import { ExecuteSourceCommandHandler } from './commands/execute-source-command.js';
import { SourcesController } from './http/sources.controller.js';
import { GetSourceAccessLogHandler } from './queries/get-source-access-log/get-source-access-log.handler.js';
import { GetSourceHandler } from './queries/get-source/get-source.handler.js';
import { ListSourcesHandler } from './queries/list-sources/list-sources.handler.js';
import { UnfinishedErasures } from './erasure/unfinished-erasures.js';
import { RegisteredSources } from './registered-sources.js';
import { SourceAccessLog } from './source-access-log.js';

// RegisteredSources is what the incidents slice asks of this one; SourceAccessLog, where it
// records showing a confidential source.
@Module({
  controllers: [SourcesController],
  providers: [ExecuteSourceCommandHandler, ListSourcesHandler, GetSourceHandler, GetSourceAccessLogHandler, RegisteredSources, SourceAccessLog, UnfinishedErasures],
  exports: [RegisteredSources, SourceAccessLog],
})
export class SourcesModule {}
