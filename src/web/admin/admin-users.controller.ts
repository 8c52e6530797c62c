import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import { passwordWeakness } from '../../auth/password.js';
import type { FieldError } from '../../common/domain-error.js';
import { etagOf } from '../../common/etag.js';
import { DepartmentsService } from '../../departments/departments.service.js';
import { createUserSchema, updateUserSchema } from '../../users/user.schema.js';
import { UsersService } from '../../users/users.service.js';
import { checked, field, type FormBody, FormErrors, submitForm, versionOf } from '../form-errors.js';
import { href, Views } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';
import { intId, queryText } from './params.js';

const USER_FIELDS = ['email', 'password', 'role', 'department', 'disabled'];

/** A password to offer for a new account: 16 characters, letters and digits. */
export function suggestPassword(): string {
  for (;;) {
    const p = randomBytes(12).toString('base64url');
    if (!passwordWeakness(p) && /\d/.test(p)) return p;
  }
}

/** Users and roles (admins only), over UsersService like the API. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminUsersController {
  constructor(private readonly views: Views, private readonly users: UsersService, private readonly departments: DepartmentsService) {}

  @Get('admin/users')
  async list(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'users.manage');
    return this.page(reply, web, { notice: queryText(q.created, 200) || queryText(q.saved, 200) });
  }

  @Post('admin/users')
  async create(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'users.manage');
    const form: Record<string, string> = {
      email: field(body, 'email'), password: field(body, 'password'), role: field(body, 'role'), department: field(body, 'department'),
    };
    return submitForm(reply, {
      schema: createUserSchema, input: { ...form, department: form.department || null }, raw: (p) => form[p],
      save: (data) => this.users.create(web.actor!, data),
      back: (errors, status) => this.page(reply, web, { form, errors }, status),
      done: (data) => href('/admin/users', { created: data.email }),
    });
  }

  @Get('admin/users/:id/edit')
  async edit(@Web() web: WebContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    const user = await this.users.get(web.actor!, intId(id));
    return this.form(reply, web, user, { role: user.role, department: user.department ?? '', disabled: user.disabled, password: '', version: etagOf(user) }, []);
  }

  @Post('admin/users/:id')
  async update(@Web() web: WebContext, @Param('id') rawId: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const id = intId(rawId);
    const user = await this.users.get(web.actor!, id);
    const form = {
      role: field(body, 'role'), department: field(body, 'department'), disabled: checked(body, 'disabled'), password: field(body, 'password'),
      version: field(body, '_version'),
    };
    return submitForm(reply, {
      schema: updateUserSchema,
      input: { role: form.role, department: form.department || null, disabled: form.disabled, ...(form.password && { password: form.password }) },
      raw: (p) => (p === 'role' || p === 'department' || p === 'password' ? form[p] : undefined),
      save: (data) => this.users.update(web.actor!, id, data, versionOf(body)),
      back: (errors, status) => this.form(reply, web, user, form, errors, status),
      stale: () => this.form(reply, web, user, form, [], 409, `/admin/users/${id}/edit`),
      done: () => href('/admin/users', { saved: user.email }),
    });
  }

  private async page(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
    const [users, departments] = await Promise.all([this.users.list(web.actor!), this.departments.list()]);
    return this.views.send(reply, 'admin-users', web, {
      title: web.t('用户与角色', 'Users and roles'), users, departments, notice: '',
      form: { email: '', password: suggestPassword(), role: 'viewer', department: '' },
      ...extra,
      fe: new FormErrors((extra.errors as FieldError[] | undefined) ?? [], USER_FIELDS),
    }, status);
  }

  private async form(
    reply: FastifyReply, web: WebContext, user: { id: number; email: string }, form: Record<string, unknown>, errors: FieldError[], status = 200,
    stale: string | null = null,
  ) {
    return this.views.send(reply, 'admin-user-form', web, {
      title: `${web.t('编辑用户', 'Edit user')} ${user.email}`, user, form, version: form.version, stale, departments: await this.departments.list(),
      fe: new FormErrors(errors, USER_FIELDS),
    }, status);
  }
}
