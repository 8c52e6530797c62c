import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import { createDepartmentSchema, updateDepartmentSchema } from '../../departments/department.schema.js';
import { DepartmentsService } from '../../departments/departments.service.js';
import { field, type FormBody, submitForm, versionOf } from '../form-errors.js';
import { href } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';
import { DepartmentPages } from './department-pages.js';
import { queryText } from './params.js';

/** Contact emails as typed: one a line, or separated by commas, semicolons or spaces. */
const emailList = (s: string): string[] => s.split(/[\s,;，；、]+/).map((e) => e.trim()).filter(Boolean);

/** The departments' list and form, over DepartmentsService like the API. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminDepartmentsController {
  constructor(private readonly departments: DepartmentsService, private readonly pages: DepartmentPages) {}

  @Get('admin/departments')
  async list(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    return this.pages.list(reply, web, {});
  }

  @Post('admin/departments')
  async create(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    const form: Record<string, string> = { code: field(body, 'code').trim(), name: field(body, 'name'), emails: field(body, 'emails') };
    return submitForm(reply, {
      schema: createDepartmentSchema, input: { ...form, emails: emailList(form.emails) }, raw: (p) => form[p],
      save: (data) => this.departments.create(web.actor!, data),
      back: (errors, status) => this.pages.list(reply, web, { form, errors }, status),
      done: (data) => href(`/admin/departments/${encodeURIComponent(data.code)}`, { done: 'created' }),
    });
  }

  @Get('admin/departments/:code')
  async show(@Web() web: WebContext, @Param('code') code: string, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    return this.pages.one(reply, web, code, { notice: queryText(q.done, 20) });
  }

  @Post('admin/departments/:code')
  async update(@Web() web: WebContext, @Param('code') code: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    const form: Record<string, string> = { name: field(body, 'name'), emails: field(body, 'emails') };
    const version = field(body, '_version');
    const page = `/admin/departments/${encodeURIComponent(code)}`;
    return submitForm(reply, {
      schema: updateDepartmentSchema, input: { ...form, emails: emailList(form.emails) }, raw: (p) => form[p],
      save: (data) => this.departments.update(web.actor!, code, data, versionOf(body)),
      back: (errors, status) => this.pages.one(reply, web, code, { form, version, errors }, status),
      stale: () => this.pages.one(reply, web, code, { form, version, stale: page }, 409),
      done: () => href(page, { done: 'saved' }),
    });
  }
}
