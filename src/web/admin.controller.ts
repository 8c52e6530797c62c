import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createSilenceSchema } from '../alerts/alerts.schema.js';
import { createRecipientSchema, updateRecipientSchema } from '../notifications/notifications.schema.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { RecipientsService } from '../notifications/recipients.service.js';
import { Public } from '../access/current-actor.decorator.js';
import { assertCan } from '../access/permissions.js';
import { passwordWeakness } from '../auth/password.js';
import { type FieldError, notFound } from '../common/domain-error.js';
import { etagOf } from '../common/etag.js';
import { createDepartmentSchema, updateDepartmentSchema } from '../departments/department.schema.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { targetBody } from '../targets/target.mapper.js';
import { createTargetSchema, updateTargetSchema } from '../targets/target.schema.js';
import { TargetsService } from '../targets/targets.service.js';
import { createUserSchema, updateUserSchema } from '../users/user.schema.js';
import { UsersService } from '../users/users.service.js';
import { checked, field, type FormBody, FormErrors, formErrorsOf, isStale, parseForm } from './form-errors.js';
import {
  EMPTY_TARGET_FORM, milestoneRowCount, milestoneRowPath, milestoneRowPaths, type TargetForm, targetFields,
  targetFormFromBody, targetFormFromTarget, targetInput,
} from './target-form.js';
import { href, Views } from './views.js';
import { Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { WebGuard } from './web.guard.js';

const str = (v: unknown, max = 200): string => (typeof v === 'string' ? v.slice(0, max) : '');
/** Contact emails as typed: one a line, or separated by commas, semicolons or spaces. */
const emailList = (s: string): string[] => s.split(/[\s,;，；、]+/).map((e) => e.trim()).filter(Boolean);
const prefixed = (prefix: string, errors: FieldError[]) => errors.map((e) => ({ ...e, path: e.path ? `${prefix}.${e.path}` : prefix }));
const intId = (id: string): number => {
  if (!/^\d{1,9}$/.test(id)) throw notFound(id);
  return Number(id);
};

/** A password to offer for a new account: 16 characters, letters and digits. */
export function suggestPassword(): string {
  for (;;) {
    const p = randomBytes(12).toString('base64url');
    if (!passwordWeakness(p) && /\d/.test(p)) return p;
  }
}

/** The version an edit form showed (its `_version`), on which the save is conditional; none from an older page. */
const versionOf = (body: FormBody): string | undefined => field(body, '_version') || undefined;

const RECIPIENT_FIELDS = ['email', 'name', 'department', 'subscriber', 'language', 'enabled'];
const USER_FIELDS = ['email', 'password', 'role', 'department', 'disabled'];

/** The admin pages: targets, departments and their contacts, users and roles, silences. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminController {
  constructor(
    private readonly views: Views,
    private readonly targets: TargetsService,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly recipients: RecipientsService,
    private readonly alerts: AlertsService,
  ) {}

  @Get('admin')
  index(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    return this.views.send(reply, 'admin-index', web, { title: web.t('管理', 'Admin') });
  }

  // ── targets ──────────────────────────────────────────────────────────────

  @Get('admin/targets')
  async targetList(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const archived = q.archived === 'true';
    const search = str(q.q, 100).trim();
    const page = Math.max(1, Math.min(10_000, Number.parseInt(str(q.page, 6), 10) || 1));
    const list = await this.targets.list({ archived, q: search || undefined, page, pageSize: 100 });
    return this.views.send(reply, 'admin-targets', web, {
      title: web.t('指标管理', 'Targets'), list, archived, q: search,
      done: { created: str(q.created, 40), saved: str(q.saved, 40), archivedCode: str(q.archivedCode, 40) },
      pageHref: (p: number) => href('/admin/targets', { archived: archived ? 'true' : null, q: search, page: p }),
    });
  }

  @Get('admin/targets/new')
  async newTarget(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    return this.targetForm(reply, web, null, EMPTY_TARGET_FORM, []);
  }

  @Post('admin/targets')
  async createTarget(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const form = targetFormFromBody(body);
    const { input, rows, errors } = targetInput(form, true);
    const parsed = parseForm(createTargetSchema, input, (path) => form.values[milestoneRowPath(path, rows)]);
    if (!parsed.ok || errors.length) {
      return this.targetForm(reply, web, null, form, [...errors, ...milestoneRowPaths(parsed.ok ? [] : parsed.errors, rows)], 422);
    }
    try {
      await this.targets.create(web.actor!, parsed.data);
    } catch (error) {
      const { status, errors: found } = formErrorsOf(error);
      return this.targetForm(reply, web, null, form, milestoneRowPaths(found, rows), status);
    }
    return reply.redirect(href('/admin/targets', { created: parsed.data.code }), 303);
  }

  @Get('admin/targets/:code/edit')
  async editTarget(@Web() web: WebContext, @Param('code') code: string, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    // The version first: a change between the two reads makes the save conflict rather than overwrite it.
    const version = etagOf(await this.targets.get(code));
    const target = await this.targets.find(code);
    return this.targetForm(reply, web, { code, archived: target.archivedAt !== null, version }, targetFormFromTarget(code, targetBody(target)), []);
  }

  @Post('admin/targets/:code')
  async updateTarget(@Web() web: WebContext, @Param('code') code: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const target = await this.targets.find(code);
    const editing = { code, archived: target.archivedAt !== null, version: field(body, '_version') };
    const form = targetFormFromBody(body);
    form.values.code = code;
    const { input, rows, errors } = targetInput(form, false);
    const parsed = parseForm(updateTargetSchema, input, (path) => form.values[milestoneRowPath(path, rows)]);
    if (!parsed.ok || errors.length) {
      return this.targetForm(reply, web, editing, form, [...errors, ...milestoneRowPaths(parsed.ok ? [] : parsed.errors, rows)], 422);
    }
    try {
      await this.targets.update(web.actor!, code, parsed.data, versionOf(body));
    } catch (error) {
      if (isStale(error)) return this.targetForm(reply, web, editing, form, [], 409, `/admin/targets/${encodeURIComponent(code)}/edit`);
      const { status, errors: found } = formErrorsOf(error);
      return this.targetForm(reply, web, editing, form, milestoneRowPaths(found, rows), status);
    }
    return reply.redirect(href('/admin/targets', { saved: code }), 303);
  }

  @Post('admin/targets/:code/archive')
  async archiveTarget(@Web() web: WebContext, @Param('code') code: string, @Res() reply: FastifyReply) {
    await this.targets.archive(web.actor!, code);
    return reply.redirect(href('/admin/targets', { archivedCode: code }), 303);
  }

  private async targetForm(
    reply: FastifyReply, web: WebContext, editing: { code: string; archived: boolean; version: string } | null, form: TargetForm,
    errors: FieldError[], status = 200, stale: string | null = null,
  ) {
    const milestoneRows = milestoneRowCount(form);
    return this.views.send(reply, 'admin-target-form', web, {
      title: editing ? `${web.t('编辑指标', 'Edit target')} ${editing.code}` : web.t('新建指标', 'New target'),
      editing, version: editing?.version ?? '', stale, form, milestoneRows, departments: await this.departments.list(),
      fe: new FormErrors(errors, targetFields(milestoneRows)),
    }, status);
  }

  // ── departments and their contacts ───────────────────────────────────────

  @Get('admin/departments')
  async departmentList(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    return this.departmentsPage(reply, web, {});
  }

  @Post('admin/departments')
  async createDepartment(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    const form = { code: field(body, 'code').trim(), name: field(body, 'name'), emails: field(body, 'emails') };
    const parsed = parseForm(createDepartmentSchema, { ...form, emails: emailList(form.emails) }, (p) => (form as Record<string, string>)[p]);
    if (!parsed.ok) return this.departmentsPage(reply, web, { form, errors: parsed.errors }, 422);
    try {
      await this.departments.create(web.actor!, parsed.data);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return this.departmentsPage(reply, web, { form, errors }, status);
    }
    return reply.redirect(href(`/admin/departments/${encodeURIComponent(parsed.data.code)}`, { done: 'created' }), 303);
  }

  @Get('admin/departments/:code')
  async department(@Web() web: WebContext, @Param('code') code: string, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    return this.departmentPage(reply, web, code, { notice: str(q.done, 20) });
  }

  @Post('admin/departments/:code')
  async updateDepartment(@Web() web: WebContext, @Param('code') code: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'departments.write');
    const form = { name: field(body, 'name'), emails: field(body, 'emails') };
    const parsed = parseForm(updateDepartmentSchema, { ...form, emails: emailList(form.emails) }, (p) => (form as Record<string, string>)[p]);
    const version = field(body, '_version');
    if (!parsed.ok) return this.departmentPage(reply, web, code, { form, version, errors: parsed.errors }, 422);
    try {
      await this.departments.update(web.actor!, code, parsed.data, versionOf(body));
    } catch (error) {
      if (isStale(error)) return this.departmentPage(reply, web, code, { form, version, stale: `/admin/departments/${encodeURIComponent(code)}` }, 409);
      const { status, errors } = formErrorsOf(error);
      return this.departmentPage(reply, web, code, { form, version, errors }, status);
    }
    return reply.redirect(href(`/admin/departments/${encodeURIComponent(code)}`, { done: 'saved' }), 303);
  }

  /** A contact of a department (or a district-wide subscriber when no department is given). */
  @Post('admin/recipients')
  async createRecipient(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const department = field(body, 'department');
    const form: Record<string, string> = {
      email: field(body, 'recipient.email'), name: field(body, 'recipient.name'), language: field(body, 'recipient.language'),
    };
    const flags = { subscriber: checked(body, 'recipient.subscriber'), enabled: checked(body, 'recipient.enabled') };
    const back = (errors: FieldError[], status: number) => {
      const extra = { recipientForm: { ...form, ...flags }, recipientErrors: prefixed('recipient', errors) };
      return department ? this.departmentPage(reply, web, department, extra, status) : this.departmentsPage(reply, web, extra, status);
    };
    const parsed = parseForm(createRecipientSchema, {
      email: form.email, name: form.name.trim() || null, department: department || null, language: form.language || undefined, ...flags,
    }, (p) => form[p]);
    if (!parsed.ok) return back(parsed.errors, 422);
    try {
      await this.recipients.create(web.actor!, parsed.data);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return back(errors, status);
    }
    return reply.redirect(department ? href(`/admin/departments/${encodeURIComponent(department)}`, { done: 'recipient' }) : '/admin/departments#subscribers', 303);
  }

  @Post('admin/recipients/:id')
  async updateRecipient(@Web() web: WebContext, @Param('id') rawId: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const id = intId(rawId);
    const department = field(body, 'department');
    const patch = {
      name: field(body, 'name').trim() || null, language: field(body, 'language'),
      subscriber: checked(body, 'subscriber'), enabled: checked(body, 'enabled'),
    };
    const back = (errors: FieldError[], status: number) => {
      const extra = { recipientEdit: { id, ...patch }, recipientErrors: prefixed(`r${id}`, errors) };
      return department ? this.departmentPage(reply, web, department, extra, status) : this.departmentsPage(reply, web, extra, status);
    };
    const parsed = parseForm(updateRecipientSchema, patch, () => undefined);
    if (!parsed.ok) return back(parsed.errors, 422);
    try {
      await this.recipients.update(web.actor!, id, parsed.data);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return back(errors, status);
    }
    return reply.redirect(department ? href(`/admin/departments/${encodeURIComponent(department)}`, { done: 'recipient' }) : '/admin/departments#subscribers', 303);
  }

  private async departmentsPage(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
    const [departments, recipients] = await Promise.all([this.departments.list(), this.recipients.list()]);
    const count = new Map<string, number>();
    for (const r of recipients) if (r.department) count.set(r.department, (count.get(r.department) ?? 0) + 1);
    return this.views.send(reply, 'admin-departments', web, {
      title: web.t('部门与联系人', 'Departments and contacts'), departments, recipientCount: count,
      subscribers: recipients.filter((r: { department: string | null }) => r.department === null),
      form: { code: '', name: '', emails: '' }, notice: '', ...this.recipientView(null, recipients, extra),
      ...extra,
      fe: new FormErrors((extra.errors as FieldError[] | undefined) ?? [], ['code', 'name', 'emails']),
    }, status);
  }

  private async departmentPage(reply: FastifyReply, web: WebContext, code: string, extra: Record<string, unknown>, status = 200) {
    const department = await this.departments.get(code);
    const recipients = (await this.recipients.list()).filter((r: { department: string | null }) => r.department === code);
    return this.views.send(reply, 'admin-department', web, {
      title: `${web.t('部门', 'Department')} ${department.name}`, department, version: etagOf(department),
      form: { name: department.name, emails: department.emails.join('\n') }, notice: '',
      ...this.recipientView(code, recipients, extra),
      ...extra,
      fe: new FormErrors((extra.errors as FieldError[] | undefined) ?? [], ['name', 'emails']),
    }, status);
  }

  /** The contacts listed with an edit form each, and the form for a new one. */
  private recipientView(department: string | null, recipients: Array<Record<string, any>>, extra: Record<string, unknown>) {
    const errors = (extra.recipientErrors as FieldError[] | undefined) ?? [];
    const edit = extra.recipientEdit as { id: number } | undefined;
    const known = [
      ...RECIPIENT_FIELDS.map((f) => `recipient.${f}`),
      ...recipients.flatMap((r) => RECIPIENT_FIELDS.map((f) => `r${r.id}.${f}`)),
    ];
    return {
      recipients: recipients.map((r) => (edit && edit.id === r.id ? { ...r, ...edit } : r)),
      recipientForm: { email: '', name: '', language: 'zh-CN', subscriber: department === null, enabled: true },
      recipientDepartment: department,
      rfe: new FormErrors(errors, known),
    };
  }

  // ── users and roles (admins only) ────────────────────────────────────────

  @Get('admin/users')
  async userList(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'users.manage');
    return this.usersPage(reply, web, { notice: str(q.created, 200) || str(q.saved, 200) });
  }

  @Post('admin/users')
  async createUser(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'users.manage');
    const form = { email: field(body, 'email'), password: field(body, 'password'), role: field(body, 'role'), department: field(body, 'department') };
    const parsed = parseForm(createUserSchema, { ...form, department: form.department || null }, (p) => (form as Record<string, string>)[p]);
    if (!parsed.ok) return this.usersPage(reply, web, { form, errors: parsed.errors }, 422);
    try {
      await this.users.create(web.actor!, parsed.data);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return this.usersPage(reply, web, { form, errors }, status);
    }
    return reply.redirect(href('/admin/users', { created: parsed.data.email }), 303);
  }

  @Get('admin/users/:id/edit')
  async editUser(@Web() web: WebContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    const user = await this.users.get(web.actor!, intId(id));
    return this.userForm(reply, web, user, { role: user.role, department: user.department ?? '', disabled: user.disabled, password: '', version: etagOf(user) }, []);
  }

  @Post('admin/users/:id')
  async updateUser(@Web() web: WebContext, @Param('id') rawId: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const id = intId(rawId);
    const user = await this.users.get(web.actor!, id);
    const form = {
      role: field(body, 'role'), department: field(body, 'department'), disabled: checked(body, 'disabled'), password: field(body, 'password'),
      version: field(body, '_version'),
    };
    const parsed = parseForm(updateUserSchema, {
      role: form.role, department: form.department || null, disabled: form.disabled, ...(form.password && { password: form.password }),
    }, (p) => (p === 'role' || p === 'department' || p === 'password' ? form[p] : undefined));
    if (!parsed.ok) return this.userForm(reply, web, user, form, parsed.errors, 422);
    try {
      await this.users.update(web.actor!, id, parsed.data, versionOf(body));
    } catch (error) {
      if (isStale(error)) return this.userForm(reply, web, user, form, [], 409, `/admin/users/${id}/edit`);
      const { status, errors } = formErrorsOf(error);
      return this.userForm(reply, web, user, form, errors, status);
    }
    return reply.redirect(href('/admin/users', { saved: user.email }), 303);
  }

  private async usersPage(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
    const [users, departments] = await Promise.all([this.users.list(web.actor!), this.departments.list()]);
    return this.views.send(reply, 'admin-users', web, {
      title: web.t('用户与角色', 'Users and roles'), users, departments, notice: '',
      form: { email: '', password: suggestPassword(), role: 'viewer', department: '' },
      ...extra,
      fe: new FormErrors((extra.errors as FieldError[] | undefined) ?? [], USER_FIELDS),
    }, status);
  }

  private async userForm(
    reply: FastifyReply, web: WebContext, user: { id: number; email: string }, form: Record<string, unknown>, errors: FieldError[], status = 200,
    stale: string | null = null,
  ) {
    return this.views.send(reply, 'admin-user-form', web, {
      title: `${web.t('编辑用户', 'Edit user')} ${user.email}`, user, form, version: form.version, stale, departments: await this.departments.list(),
      fe: new FormErrors(errors, USER_FIELDS),
    }, status);
  }

  // ── silences ──────────────────────────────────────────────────────────────

  @Get('admin/silences')
  async silenceList(@Web() web: WebContext, @Query() q: Record<string, unknown>, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    return this.silencesPage(reply, web, { notice: str(q.done, 20) });
  }

  @Post('admin/silences')
  async createSilence(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const form = { scope: field(body, 'scope') === 'department' ? 'department' : 'target', code: field(body, 'code').trim(), until: field(body, 'until').trim(), reason: field(body, 'reason') };
    const parsed = parseForm(createSilenceSchema, { [form.scope]: form.code, until: form.until, reason: form.reason },
      (p) => (p === 'target' || p === 'department' ? form.code : (form as Record<string, string>)[p]));
    const toForm = (errors: FieldError[]) => errors.map((e) => (e.path === 'target' || e.path === 'department' ? { ...e, path: 'code' } : e));
    if (!parsed.ok) return this.silencesPage(reply, web, { form, errors: toForm(parsed.errors) }, 422);
    try {
      await this.alerts.createSilence(web.actor!, parsed.data);
    } catch (error) {
      const { status, errors } = formErrorsOf(error);
      return this.silencesPage(reply, web, { form, errors: toForm(errors) }, status);
    }
    return reply.redirect(href('/admin/silences', { done: 'created' }), 303);
  }

  @Post('admin/silences/:id/delete')
  async deleteSilence(@Web() web: WebContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    await this.alerts.deleteSilence(web.actor!, intId(id));
    return reply.redirect(href('/admin/silences', { done: 'deleted' }), 303);
  }

  private async silencesPage(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
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
