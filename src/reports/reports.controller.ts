import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { idParam } from '../common/id-param.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Returns, ReturnsFile } from '../contract/returns.js';
import { attachment } from '../spreadsheets/cells.js';
import {
  type DocumentQuery, documentQuerySchema, type DraftReport, draftReportSchema, type ListReports, listReportsSchema,
} from './report.schema.js';
import { DOCX_TYPE, ReportsService } from './reports.service.js';

@ApiTags('reports 季度通报')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Drafts the quarter's 通报 from its latest completed run (planners, admins). */
  @Post()
  @ApiZodBody(draftReportSchema)
  @Returns('Report', 201)
  draft(@CurrentActor() actor: Actor, @Body(new ZodPipe(draftReportSchema)) body: DraftReport) {
    return this.reports.draft(actor, body.period);
  }

  @Get()
  @ApiZodQuery(listReportsSchema)
  @Returns('ReportPage')
  list(@Query(new ZodPipe(listReportsSchema)) query: ListReports) {
    return this.reports.list(query);
  }

  @Get(':id')
  @Returns('Report')
  get(@Param('id', idParam()) id: number) {
    return this.reports.get(id);
  }

  /** The .docx; `?fresh=true` renders it again from the stored model (the same bytes). */
  @Get(':id/document')
  @ApiZodQuery(documentQuerySchema)
  @ReturnsFile(DOCX_TYPE, '季度通报 (.docx)')
  async document(
    @Param('id', idParam()) id: number, @Query(new ZodPipe(documentQuerySchema)) query: DocumentQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { fileName, body } = await this.reports.document(id, query.fresh ?? false);
    void reply.header('content-type', DOCX_TYPE).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store');
    return body;
  }

  /** Issues the draft: locks its quarter and emails the .docx to the leaders (planners, admins). */
  @Post(':id/issue')
  @HttpCode(200)
  @Returns('Report')
  issue(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number) {
    return this.reports.issue(actor, id);
  }
}
