import { Module } from '@nestjs/common';
import { OpenExportHandler } from './export-snapshot.js';
import { ExportsController } from './exports.controller.js';

@Module({ controllers: [ExportsController], providers: [OpenExportHandler] })
export class ExportsModule {}
