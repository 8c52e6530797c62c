import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { attachment, CSV_TYPE, XLSX_TYPE } from '../spreadsheets/cells.js';
import { figureTemplate } from '../spreadsheets/template.js';
import { ExportsService } from './exports.service.js';
import {
  type ApplyQuery, applyQuerySchema, type FiguresExportQuery, figuresExportQuerySchema, type StatusExportQuery,
  statusExportQuerySchema, type UploadQuery, uploadQuerySchema,
} from './imports.schema.js';
import { type ImportDocument, type ImportJson, ImportsService } from './imports.service.js';
import { readUpload, UPLOAD_LIMIT, UploadErrorFilter } from './upload.js';
import { type JsonText, Returns, ReturnsFile } from '../contract/returns.js';

/** An import as its JSON text (the stored rows spliced in, not parsed and serialised again). */
function sendImport(reply: FastifyReply, document: ImportDocument): JsonText<ImportJson> {
  void reply.header('content-type', 'application/json; charset=utf-8');
  return document.body();
}

function download(reply: FastifyReply, type: string, fileName: string, body: Buffer): Buffer {
  void reply.header('content-type', type).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store');
  return body;
}

@ApiTags('imports 导入')
@ApiBearerAuth()
@Controller('imports')
@UseFilters(UploadErrorFilter)
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get('template.xlsx')
  @ReturnsFile(XLSX_TYPE, 'Excel 导入模板 (the .xlsx template)')
  async templateXlsx(@Res({ passthrough: true }) reply: FastifyReply) {
    return download(reply, XLSX_TYPE, '实际值导入模板.xlsx', await figureTemplate('xlsx'));
  }

  @Get('template.csv')
  @ReturnsFile('text/csv', 'CSV 导入模板，UTF-8 带 BOM (the .csv template)')
  async templateCsv(@Res({ passthrough: true }) reply: FastifyReply) {
    return download(reply, CSV_TYPE, '实际值导入模板.csv', await figureTemplate('csv'));
  }

  @Get()
  @ApiZodQuery(pageQuerySchema)
  @Returns('ImportPage')
  list(@CurrentActor() actor: Actor, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return this.imports.list(actor, query);
  }

  /** Upload (.xlsx or .csv, field `file`) → preview (201); `?apply=true` applies at once when clean (or `&skipInvalid=true`). */
  @Post()
  @HttpCode(201)
  @ApiZodQuery(uploadQuerySchema)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object', required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: '.xlsx 或 .csv：指标代码（或指标名称）、期间、数值，可选 单位、口径、备注' } },
    },
  })
  @Returns('Import', 201)
  async upload(
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Query(new ZodPipe(uploadQuerySchema)) query: UploadQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { fileName, buffer } = await readUpload(request, UPLOAD_LIMIT);
    const options = { skipInvalid: query.skipInvalid, confirmWarnings: query.confirmWarnings };
    return sendImport(reply,
      await (query.apply ? this.imports.importAndApply(actor, fileName, buffer, options) : this.imports.preview(actor, fileName, buffer)));
  }

  @Get(':id')
  @Returns('Import')
  async get(@CurrentActor() actor: Actor, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendImport(reply, await this.imports.document(actor, id));
  }

  /** Writes a preview; `?skipInvalid=true` only its valid rows; `?confirmWarnings=true` despite warnings. */
  @Post(':id/apply')
  @HttpCode(200)
  @ApiZodQuery(applyQuerySchema)
  @Returns('Import')
  async apply(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query(new ZodPipe(applyQuerySchema)) query: ApplyQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendImport(reply, await this.imports.apply(actor, id, { skipInvalid: query.skipInvalid, confirmWarnings: query.confirmWarnings }));
  }
}

@ApiTags('imports 导入')
@ApiBearerAuth()
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('status.xlsx')
  @ApiZodQuery(statusExportQuerySchema)
  @ReturnsFile(XLSX_TYPE, '进度表 (the status report)')
  async status(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(statusExportQuerySchema)) query: StatusExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.exports.statusReport(actor, query);
    return download(reply, XLSX_TYPE, this.exports.fileName('status', 'xlsx', query.department), body);
  }

  @Get('figures.xlsx')
  @ApiZodQuery(figuresExportQuerySchema)
  @ReturnsFile(XLSX_TYPE, '实际值 (figures, .xlsx)')
  async figuresXlsx(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(figuresExportQuerySchema)) query: FiguresExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.exports.figuresXlsx(actor, query);
    return download(reply, XLSX_TYPE, this.exports.fileName('figures', 'xlsx', query.department), body);
  }

  @Get('figures.csv')
  @ApiZodQuery(figuresExportQuerySchema)
  @ReturnsFile('text/csv', '实际值，UTF-8 带 BOM (figures, .csv)')
  async figuresCsv(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(figuresExportQuerySchema)) query: FiguresExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const body = await this.exports.figuresCsv(actor, query);
    return download(reply, CSV_TYPE, this.exports.fileName('figures', 'csv', query.department), body);
  }
}
