import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import type { FieldError } from '../../common/domain-error.js';
import { etagOf } from '../../common/etag.js';
import { DepartmentsService } from '../../departments/departments.service.js';
import { targetBody } from '../../targets/target.mapper.js';
import { createTargetSchema, updateTargetSchema } from '../../targets/target.schema.js';
import { TargetsService } from '../../targets/targets.service.js';
import { field, type FormBody, FormErrors, submitForm, versionOf } from '../form-errors.js';
import {
  EMPTY_TARGET_FORM, milestoneRowCount, milestoneRowPath, milestoneRowPaths, type TargetForm, targetFields,
  targetFormFromBody, targetFormFromTarget, targetInput,
} from '../target-form.js';
import { href, Views } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';
import { queryText } from './params.js';

type Editing = { code: string; archived: boolean; version: string } | null;

/** The targets' list and form, over TargetsService like the API. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminTargetsController {
  constructor(private readonly views: Views, private readonly targets: TargetsService, private readonly departments: DepartmentsService) {}

  @Get('admin/targets')
  async list(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const archived = q.archived === 'true';
    const search = queryText(q.q, 100).trim();
    const page = Math.max(1, Math.min(10_000, Number.parseInt(queryText(q.page, 6), 10) || 1));
    const list = await this.targets.list({ archived, q: search || undefined, page, pageSize: 100 });
    return this.views.send(reply, 'admin-targets', web, {
      title: web.t('指标管理', 'Targets'), list, archived, q: search,
      done: { created: queryText(q.created, 40), saved: queryText(q.saved, 40), archivedCode: queryText(q.archivedCode, 40) },
      pageHref: (p: number) => href('/admin/targets', { archived: archived ? 'true' : null, q: search, page: p }),
    });
  }

  @Get('admin/targets/new')
  async newForm(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    return this.form(reply, web, null, EMPTY_TARGET_FORM, []);
  }

  @Post('admin/targets')
  async create(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const form = targetFormFromBody(body);
    const { input, rows, errors } = targetInput(form, true);
    return submitForm(reply, {
      schema: createTargetSchema, input, raw: (path) => form.values[milestoneRowPath(path, rows)], errors,
      paths: (found) => milestoneRowPaths(found, rows),
      save: (data) => this.targets.create(web.actor!, data),
      back: (found, status) => this.form(reply, web, null, form, found, status),
      done: (data) => href('/admin/targets', { created: data.code }),
    });
  }

  @Get('admin/targets/:code/edit')
  async edit(@Web() web: WebContext, @Param('code') code: string, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    // The version first: a change between the two reads makes the save conflict rather than overwrite it.
    const version = etagOf(await this.targets.get(code));
    const target = await this.targets.find(code);
    return this.form(reply, web, { code, archived: target.archivedAt !== null, version }, targetFormFromTarget(code, targetBody(target)), []);
  }

  @Post('admin/targets/:code')
  async update(@Web() web: WebContext, @Param('code') code: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const target = await this.targets.find(code);
    const editing = { code, archived: target.archivedAt !== null, version: field(body, '_version') };
    const form = targetFormFromBody(body);
    form.values.code = code;
    const { input, rows, errors } = targetInput(form, false);
    return submitForm(reply, {
      schema: updateTargetSchema, input, raw: (path) => form.values[milestoneRowPath(path, rows)], errors,
      paths: (found) => milestoneRowPaths(found, rows),
      save: (data) => this.targets.update(web.actor!, code, data, versionOf(body)),
      back: (found, status) => this.form(reply, web, editing, form, found, status),
      stale: () => this.form(reply, web, editing, form, [], 409, `/admin/targets/${encodeURIComponent(code)}/edit`),
      done: () => href('/admin/targets', { saved: code }),
    });
  }

  @Post('admin/targets/:code/archive')
  async archive(@Web() web: WebContext, @Param('code') code: string, @Res() reply: FastifyReply) {
    await this.targets.archive(web.actor!, code);
    return reply.redirect(href('/admin/targets', { archivedCode: code }), 303);
  }

  private async form(reply: FastifyReply, web: WebContext, editing: Editing, form: TargetForm, errors: FieldError[], status = 200, stale: string | null = null) {
    const milestoneRows = milestoneRowCount(form);
    return this.views.send(reply, 'admin-target-form', web, {
      title: editing ? `${web.t('编辑指标', 'Edit target')} ${editing.code}` : web.t('新建指标', 'New target'),
      editing, version: editing?.version ?? '', stale, form, milestoneRows, departments: await this.departments.list(),
      fe: new FormErrors(errors, targetFields(milestoneRows)),
    }, status);
  }
}
