import { Readable } from 'node:stream';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequiresRole } from '../auth/access.decorators.js';
import type { AuthenticatedRequest } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/api-keys.js';
import { ApiQueryParams } from '../http/api-query-params.decorator.js';
import { RequestValidationError } from '../http/problem.js';
import { Valid } from '../http/validation.js';
import type { IncidentView } from '../incidents/read-model/incident-view.js';
import { csvHead, csvRow, UTF8_BOM } from './csv.js';
import { type Column, type ExportRow, FIGURE_COLUMNS, figureRows, INCIDENT_SUMMARY_COLUMNS, incidentSummaryRows, type PublicNames } from './export-rows.js';
import { type ExportSnapshot, OpenExportQuery } from './export-snapshot.js';
import { type ExportOptions, ExportParams, ExportRequest } from './exports.requests.js';

interface Export {
  name: 'figures' | 'incidents';
  columns: readonly Column[];
  rows: (view: IncidentView, names: PublicNames) => ExportRow[];
}

const FIGURES: Export = { name: 'figures', columns: FIGURE_COLUMNS, rows: figureRows };
const INCIDENTS: Export = { name: 'incidents', columns: INCIDENT_SUMMARY_COLUMNS, rows: incidentSummaryRows };

/** The ledger position every row of an export stands at (also the NDJSON's first line). */
const POSITION_HEADER = 'ledger-position';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class ExportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('figures.csv')
  @RequiresRole('reader')
  @ApiOperation({ summary: `Every figure of every claim, a row each (a claim without figures: one row). Columns: ${names(FIGURE_COLUMNS)}.` })
  @ApiProduces('text/csv')
  @ApiQueryParams(ExportParams)
  figuresCsv(@Query(new Valid(ExportRequest, 'query')) request: ExportOptions, @Req() asked: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.send(reply, FIGURES, 'csv', request, asked.principal);
  }

  @Get('figures.ndjson')
  @RequiresRole('reader')
  @ApiOperation({ summary: `The figures export as NDJSON: a line { position, asOf } first, then an object a row with the CSV's columns as keys.` })
  @ApiProduces('application/x-ndjson')
  @ApiQueryParams(ExportParams)
  figuresNdjson(@Query(new Valid(ExportRequest, 'query')) request: ExportOptions, @Req() asked: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.send(reply, FIGURES, 'ndjson', request, asked.principal);
  }

  @Get('incidents.csv')
  @RequiresRole('reader')
  @ApiOperation({ summary: `A row per incident and (party, outcome) of its casualty summary (an incident without figures: one row). Columns: ${names(INCIDENT_SUMMARY_COLUMNS)}.` })
  @ApiProduces('text/csv')
  @ApiQueryParams(ExportParams)
  incidentsCsv(@Query(new Valid(ExportRequest, 'query')) request: ExportOptions, @Req() asked: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.send(reply, INCIDENTS, 'csv', request, asked.principal);
  }

  @Get('incidents.ndjson')
  @RequiresRole('reader')
  @ApiOperation({ summary: 'The incidents export as NDJSON: a line { position, asOf } first, then an object a row.' })
  @ApiProduces('application/x-ndjson')
  @ApiQueryParams(ExportParams)
  incidentsNdjson(@Query(new Valid(ExportRequest, 'query')) request: ExportOptions, @Req() asked: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.send(reply, INCIDENTS, 'ndjson', request, asked.principal);
  }

  /** Streamed as it is read: a client that leaves ends the snapshot (Fastify destroys the stream, which returns the generators). */
  private async send(reply: FastifyReply, exported: Export, format: 'csv' | 'ndjson', { filters, incidentId, asOf, hxl }: ExportOptions, viewer: Principal) {
    if (hxl && format !== 'csv') {
      throw new RequestValidationError([{ field: 'query.format', code: 'invalid_value', message: 'hxl is a CSV format: ask for the .csv export' }]);
    }
    void reply
      .header('content-disposition', `attachment; filename="${exported.name}.${format}"`)
      .type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8');
    // Fastify answers HEAD with the GET route, and would read the whole export to drop it.
    if (reply.request.method === 'HEAD') return reply.send();
    const snapshot = await this.queries.execute(new OpenExportQuery(filters, viewer, { incidentId, asOf }));
    const stream = Readable.from(format === 'csv' ? csv(snapshot, exported, hxl) : ndjson(snapshot, exported));
    // A client gone before the first row was read leaves views never started, which their end cannot close.
    stream.once('close', () => void snapshot.close());
    void reply.header(POSITION_HEADER, snapshot.position ?? '').send(stream);
  }
}

async function* csv({ views }: ExportSnapshot, { columns, rows }: Export, hxl: boolean): AsyncGenerator<string> {
  yield UTF8_BOM + csvHead(columns, { hxl });
  for await (const { view, names } of views) yield rows(view, names).map((row) => csvRow(columns, row)).join('');
}

async function* ndjson({ position, asOf, views }: ExportSnapshot, { rows }: Export): AsyncGenerator<string> {
  yield `${JSON.stringify({ position, asOf })}\n`;
  for await (const { view, names } of views) yield rows(view, names).map((row) => `${JSON.stringify(row)}\n`).join('');
}

function names(columns: readonly Column[]): string {
  return columns.map((column) => column.name).join(', ');
}
