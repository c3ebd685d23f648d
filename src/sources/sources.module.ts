import { Module } from '@nestjs/common';
import { ExecuteSourceCommandHandler } from './commands/execute-source-command.js';
import { SourcesController } from './http/sources.controller.js';
import { GetSourceHandler } from './queries/get-source/get-source.handler.js';
import { ListSourcesHandler } from './queries/list-sources/list-sources.handler.js';
import { RegisteredSources } from './registered-sources.js';

// RegisteredSources is what the incidents slice asks of this one.
@Module({ controllers: [SourcesController], providers: [ExecuteSourceCommandHandler, ListSourcesHandler, GetSourceHandler, RegisteredSources], exports: [RegisteredSources] })
export class SourcesModule {}
