import { Module } from '@nestjs/common';
import { IncidentSearchController } from './http/incident-search.controller.js';
import { HeldSearches } from './queries/search-incidents/held-searches.js';
import { SearchIncidentsHandler } from './queries/search-incidents/search-incidents.handler.js';

@Module({ controllers: [IncidentSearchController], providers: [SearchIncidentsHandler, HeldSearches] })
export class IncidentSearchModule {}
