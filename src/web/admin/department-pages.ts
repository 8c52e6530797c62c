import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RecipientsService } from '../../notifications/recipients.service.js';
import type { FieldError } from '../../common/domain-error.js';
import { etagOf } from '../../common/etag.js';
import { DepartmentsService } from '../../departments/departments.service.js';
import { FormErrors } from '../form-errors.js';
import { Views } from '../views.js';
import type { WebContext } from '../web-context.js';

const RECIPIENT_FIELDS = ['email', 'name', 'department', 'subscriber', 'language', 'enabled'];

/** The departments page and a department's page, where their forms come back; `extra` is what was typed and its errors. */
@Injectable()
export class DepartmentPages {
  constructor(private readonly views: Views, private readonly departments: DepartmentsService, private readonly recipients: RecipientsService) {}

  async list(reply: FastifyReply, web: WebContext, extra: Record<string, unknown>, status = 200) {
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

  async one(reply: FastifyReply, web: WebContext, code: string, extra: Record<string, unknown>, status = 200) {
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
}
