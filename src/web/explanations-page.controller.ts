import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { type FieldError, invalid } from '../common/domain-error.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { explanationStates, putExplanationSchema, quarterString, returnExplanationSchema } from '../explanations/explanation.schema.js';
import { reviewsExplanations } from '../explanations/explanation-rules.js';
import { ExplanationsService } from '../explanations/explanations.service.js';
import { field, type FormBody, FormErrors, submitForm } from './form-errors.js';
import { queryText } from './admin/params.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

type State = (typeof explanationStates)[number];

/** The form a failed POST shows again: which explanation, what was typed, and the errors. */
interface Failed { key: string; form: Record<string, string>; errors: FieldError[] }

const keyOf = (code: string, period: string) => `${code}/${period}`;

/** /explanations: a department's 情况说明 to write; the planning office's table of all of them, to accept or return. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('explanations')
export class ExplanationsPageController {
  constructor(
    private readonly views: Views,
    private readonly explanations: ExplanationsService,
    private readonly departments: DepartmentsService,
  ) {}

  @Get()
  async show(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    return this.page(reply, web, q);
  }

  @Post(':code/:period')
  async submit(@Web() web: WebContext, @Param('code') code: string, @Param('period') period: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const form = { cause: field(body, 'cause'), measures: field(body, 'measures') };
    const p = this.period(period);
    return submitForm(reply, {
      schema: putExplanationSchema, input: form, raw: (path) => form[path as keyof typeof form],
      save: (data) => this.explanations.submit(web.actor!, code, p, data),
      back: (errors, status) => this.page(reply, web, { period: p }, { key: keyOf(code, p), form, errors }, status),
      done: () => href('/explanations', { period: p, done: 'submitted' }),
    });
  }

  @Post(':code/:period/return')
  async returnIt(@Web() web: WebContext, @Param('code') code: string, @Param('period') period: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const form = { reason: field(body, 'reason') };
    const p = this.period(period);
    const filters = { period: p, department: field(body, 'department'), state: field(body, 'state') };
    return submitForm(reply, {
      schema: returnExplanationSchema, input: form, raw: () => form.reason,
      save: (data) => this.explanations.returnIt(web.actor!, code, p, data.reason),
      back: (errors, status) => this.page(reply, web, filters, { key: keyOf(code, p), form, errors }, status),
      done: () => href('/explanations', { ...filters, done: 'returned' }),
    });
  }

  @Post(':code/:period/accept')
  async accept(@Web() web: WebContext, @Param('code') code: string, @Param('period') period: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const p = this.period(period);
    const filters = { period: p, department: field(body, 'department'), state: field(body, 'state') };
    await this.explanations.accept(web.actor!, code, p);
    return reply.redirect(href('/explanations', { ...filters, done: 'accepted' }), 303);
  }

  /** A period from the URL: a quarter, or the 422 the API gives. */
  private period(period: string): string {
    const parsed = quarterString.safeParse(period);
    if (!parsed.success) throw invalid([{ path: 'period', message: parsed.error.issues[0]?.message ?? 'period' }]);
    return parsed.data;
  }

  private async page(reply: FastifyReply, web: WebContext, q: Record<string, unknown>, failed: Failed | null = null, status = 200) {
    const actor = web.actor!;
    const periods = await this.explanations.periods(actor);
    const asked = queryText(q.period, 6);
    const period = periods.includes(asked) ? asked : (periods[0] ?? '');
    const reviewer = reviewsExplanations(actor);
    const department = reviewer ? queryText(q.department, 40) : '';
    const state = (explanationStates as readonly string[]).includes(queryText(q.state, 20)) ? (queryText(q.state, 20) as State) : undefined;
    const [items, departments] = await Promise.all([
      period ? this.explanations.list(actor, { period, state, department: department || undefined }) : Promise.resolve([]),
      this.departments.list(),
    ]);
    const departmentName = new Map(departments.map((d) => [d.code, d.name]));
    return this.views.send(reply, 'explanations', web, {
      title: web.t('情况说明', 'Explanations'),
      items, periods, quarter: period, department, state: state ?? '', reviewer, departments,
      departmentName: (code: string) => departmentName.get(code) ?? code,
      notice: queryText(q.done, 20),
      failed: failed ? { ...failed, fe: new FormErrors(failed.errors, ['cause', 'measures', 'reason']) } : null,
      fe: new FormErrors([], []),
      stateText: (s: State) => ({
        due: web.t('待提交', 'due'), submitted: web.t('已提交，待审核', 'submitted'), returned: web.t('已退回修改', 'returned'),
        accepted: web.t('已通过', 'accepted'),
      })[s],
    }, status);
  }
}
