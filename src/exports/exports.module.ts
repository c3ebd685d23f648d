import { Module } from '@nestjs/common';
import { OpenExportHandler } from './export-snapshot.js';
import { ExportsController } from './exports.controller.js';
import { SourcesModule } from '../sources/sources.module.js';

@Module({ imports: [SourcesModule], controllers: [ExportsController], providers: [OpenExportHandler] })
export class ExportsModule {}
