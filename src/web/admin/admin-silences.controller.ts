import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createSilenceSchema } from '../../alerts/alerts.schema.js';
import { AlertsService } from '../../alerts/alerts.service.js';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import type { FieldError } from '../../common/domain-error.js';
import { DepartmentsService } from '../../departments/departments.service.js';
import { TargetsService } from '../../targets/targets.service.js';
import { field, type FormBody, FormErrors, submitForm } from '../form-errors.js';
import { href, Views } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';
import { intId, queryText } from './params.js';

/** The schema's `target` or `department` is the form's one `code` field. */
const toForm = (errors: FieldError[]) => errors.map((e) => (e.path === 'target' || e.path === 'department' ? { ...e, path: 'code' } : e));

/** Silences of a target's or a department's alerts, over AlertsService like the API. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminSilencesController {
  constructor(
    private readonly views: Views,
    private readonly alerts: AlertsService,
    private readonly departments: DepartmentsService,
    private readonly targets: TargetsService,
  ) {}

  @Get('admin/silences')
  async list(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    return this.page(reply, web, { notice: queryText(q.done, 20) });
  }

  @Post('admin/silences')
  async create(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const form: Record<string, string> = {
      scope: field(body, 'scope') === 'department' ? 'department' : 'target', code: field(body, 'code').trim(),
      until: field(body, 'until').trim(), reason: field(body, 'reason'),
    };
    return submitForm(reply, {
      schema: createSilenceSchema, input: { [form.scope]: form.code, until: form.until, reason: form.reason },
      raw: (p) => (p === 'target' || p === 'department' ? form.code : form[p]),
      paths: toForm,
      save: (data) => this.alerts.createSilence(web.actor!, data),
      back: (errors, status) => this.page(reply, web, { form, errors }, status),
      done: () => href('/admin/silences', { done: 'created' }),
    });
  }

  @Post('admin/silences/:id/delete')
  async delete(@Web() web: WebContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    await this.alerts.deleteSilence(web.actor!, intId(id));
    return reply.redirect(href('/admin/silences', { done: 'deleted' }), 303);
  }

  private async page(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
    const [silences, departments, targets] = await Promise.all([
      this.alerts.listSilences(), this.departments.list(), this.targets.list({ archived: false, page: 1, pageSize: 200 }),
    ]);
    return this.views.send(reply, 'admin-silences', web, {
      title: web.t('静默', 'Silences'), silences, departments, targetCodes: targets.items.map((t) => ({ code: t.code, name: t.name })),
      form: { scope: 'target', code: '', until: '', reason: '' }, notice: '',
      ...extra,
      fe: new FormErrors((extra.errors as FieldError[] | undefined) ?? [], ['code', 'until', 'reason', 'scope']),
    }, status);
  }
}
