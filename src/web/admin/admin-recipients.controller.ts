import { Body, Controller, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createRecipientSchema, updateRecipientSchema } from '../../notifications/notifications.schema.js';
import { RecipientsService } from '../../notifications/recipients.service.js';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import type { FieldError } from '../../common/domain-error.js';
import { checked, field, type FormBody, submitForm } from '../form-errors.js';
import { href } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';
import { DepartmentPages } from './department-pages.js';
import { intId } from './params.js';

const prefixed = (prefix: string, errors: FieldError[]) => errors.map((e) => ({ ...e, path: e.path ? `${prefix}.${e.path}` : prefix }));

/** A department's contacts (or the district-wide subscribers) over RecipientsService, like the API. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminRecipientsController {
  constructor(private readonly recipients: RecipientsService, private readonly pages: DepartmentPages) {}

  @Post('admin/recipients')
  async create(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const department = field(body, 'department');
    const form: Record<string, string> = {
      email: field(body, 'recipient.email'), name: field(body, 'recipient.name'), language: field(body, 'recipient.language'),
    };
    const flags = { subscriber: checked(body, 'recipient.subscriber'), enabled: checked(body, 'recipient.enabled') };
    return submitForm(reply, {
      schema: createRecipientSchema,
      input: { email: form.email, name: form.name.trim() || null, department: department || null, language: form.language || undefined, ...flags },
      raw: (p) => form[p],
      save: (data) => this.recipients.create(web.actor!, data),
      back: (errors, status) => this.back(reply, web, department, { recipientForm: { ...form, ...flags }, recipientErrors: prefixed('recipient', errors) }, status),
      done: () => this.done(department),
    });
  }

  @Post('admin/recipients/:id')
  async update(@Web() web: WebContext, @Param('id') rawId: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'alerts.manage');
    const id = intId(rawId);
    const department = field(body, 'department');
    const patch = {
      name: field(body, 'name').trim() || null, language: field(body, 'language'),
      subscriber: checked(body, 'subscriber'), enabled: checked(body, 'enabled'),
    };
    return submitForm(reply, {
      schema: updateRecipientSchema, input: patch,
      save: (data) => this.recipients.update(web.actor!, id, data),
      back: (errors, status) => this.back(reply, web, department, { recipientEdit: { id, ...patch }, recipientErrors: prefixed(`r${id}`, errors) }, status),
      done: () => this.done(department),
    });
  }

  private back(reply: FastifyReply, web: WebContext, department: string, extra: Record<string, unknown>, status: number) {
    return department ? this.pages.one(reply, web, department, extra, status) : this.pages.list(reply, web, extra, status);
  }

  private done(department: string): string {
    return department ? href(`/admin/departments/${encodeURIComponent(department)}`, { done: 'recipient' }) : '/admin/departments#subscribers';
  }
}
