import { Module } from '@nestjs/common';
import { IncidentSearchController } from './http/incident-search.controller.js';
import { SearchIncidentsHandler } from './queries/search-incidents/search-incidents.handler.js';

@Module({ controllers: [IncidentSearchController], providers: [SearchIncidentsHandler] })
export class IncidentSearchModule {}
