import { Body, Controller, Get, Inject, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { can } from '../access/permissions.js';
import { Clock } from '../common/clock.js';
import type { FieldError } from '../common/domain-error.js';
import { idParam } from '../common/id-param.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { reportingQuarter } from '../evaluation/periods.js';
import { draftReportSchema } from '../reports/report.schema.js';
import { DOCX_TYPE, ReportsService } from '../reports/reports.service.js';
import { attachment } from '../spreadsheets/cells.js';
import { field, type FormBody, FormErrors, formErrorsOf, submitForm } from './form-errors.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

const NOTICES = ['drafted', 'issued'];

/** The quarterly 通报: the list, drafting one (form#draft-report), downloading and issuing (.issue-report). */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class ReportsPageController {
  constructor(
    private readonly views: Views,
    private readonly reports: ReportsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('reports')
  async list(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    const done = typeof q.done === 'string' && NOTICES.includes(q.done) ? q.done : '';
    return this.page(reply, web, { notice: done });
  }

  @Post('reports')
  async draft(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const period = field(body, 'period').trim();
    return submitForm(reply, {
      schema: draftReportSchema, input: { period }, raw: () => period,
      save: (data) => this.reports.draft(web.actor!, data.period),
      back: (errors, status) => this.page(reply, web, { period, errors }, status),
      done: () => href('/reports', { done: 'drafted' }),
    });
  }

  @Get('reports/:id/document')
  async document(@Web() _web: WebContext, @Param('id', idParam()) id: number, @Res() reply: FastifyReply) {
    const { fileName, body } = await this.reports.document(id);
    return reply.header('content-type', DOCX_TYPE).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store').send(body);
  }

  @Post('reports/:id/issue')
  async issue(@Web() web: WebContext, @Param('id', idParam()) id: number, @Res() reply: FastifyReply) {
    try {
      await this.reports.issue(web.actor!, id);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return this.page(reply, web, { issueErrors: errors }, status);
    }
    return reply.redirect(href('/reports', { done: 'issued' }), 303);
  }

  private async page(reply: FastifyReply, web: WebContext, extra: { notice?: string; period?: string; errors?: FieldError[]; issueErrors?: FieldError[] }, status = 200) {
    const { items } = await this.reports.list({ page: 1, pageSize: 100 });
    return this.views.send(reply, 'reports', web, {
      title: web.t('季度通报', 'Quarterly reports'),
      reports: items,
      canWrite: can(web.actor!, 'reports.write'),
      period: extra.period ?? reportingQuarter(this.clock.now(), this.config.scheduleTz),
      notice: extra.notice ?? '',
      issueErrors: extra.issueErrors ?? [],
      fe: new FormErrors(extra.errors ?? [], ['period']),
    }, status);
  }
}
