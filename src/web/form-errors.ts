import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { DomainError, type FieldError } from '../common/domain-error.js';
import { zodErrors } from '../common/zod.pipe.js';
import { type Lang, localise } from './i18n.js';

/** A urlencoded form body as Fastify parses it: a repeated name becomes an array. */
export type FormBody = Record<string, string | string[] | undefined>;

/** One value of a form field: the last one when the name was repeated; '' when absent. */
export const field = (body: FormBody | undefined, name: string): string => {
  const v = body?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[v.length - 1] ?? '') : '';
};

/** Every value of a repeated field (checkboxes, multi-selects). */
export const fields = (body: FormBody | undefined, name: string): string[] => {
  const v = body?.[name];
  return (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x) => x !== '');
};

/** The version an edit form showed (its `_version`), on which the save is conditional; none from an older page. */
export const versionOf = (body: FormBody): string | undefined => field(body, '_version') || undefined;

export const checked = (body: FormBody | undefined, name: string): boolean => ['on', 'true', '1'].includes(field(body, name));

/** '' (or only spaces) → null, else the text as typed. */
export const orNull = (s: string): string | null => (s.trim() === '' ? null : s);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** The HTML id of the input for an error path: `milestones[2].period` → `f-milestones-2-period`. */
export const fieldId = (path: string): string => `f-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

const under = (path: string, parent: string) =>
  path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);

/** Field errors of one form, each beside the most specific field its path is in; the rest in the summary. */
export class FormErrors {
  private readonly placed = new Map<string, string[]>();
  readonly summary: { path: string; message: string; anchor: string | null }[] = [];
  /** the page's language, set by Views when the page is rendered: messages are shown in it */
  lang: Lang = 'zh';

  constructor(readonly errors: FieldError[], known: readonly string[]) {
    for (const error of errors) {
      const target = known.filter((f) => under(error.path, f)).sort((a, b) => b.length - a.length)[0]
        ?? (error.path ? known.find((f) => under(f, error.path)) : undefined);
      if (target) this.placed.set(target, [...(this.placed.get(target) ?? []), error.message]);
      this.summary.push({ ...error, anchor: target ? fieldId(target) : null });
    }
  }

  get any(): boolean {
    return this.errors.length > 0;
  }

  has(name: string): boolean {
    return this.placed.has(name);
  }

  id(name: string): string {
    return fieldId(name);
  }

  /** Attributes for the input (trusted: built from ids only). */
  attrs(name: string): string {
    return this.placed.has(name) ? ` aria-invalid="true" aria-describedby="${fieldId(name)}-error"` : '';
  }

  /** The error beside the input, escaped here. */
  span(name: string): string {
    const messages = this.placed.get(name);
    return messages ? `<span class="field-error" id="${fieldId(name)}-error">${escapeHtml(messages.map((m) => localise(this.lang, m)).join(this.lang === 'en' ? '; ' : '；'))}</span>` : '';
  }
}

export const NO_ERRORS = new FormErrors([], []);

/** The record changed after the page showed it: say so, link to reload, keep what was typed. */
export const isStale = (error: unknown): boolean => error instanceof DomainError && error.code === 'precondition_failed';

/** The field errors of a DomainError a form can show (invalid, conflict); anything else is rethrown. */
export function formErrorsOf(error: unknown): { status: number; errors: FieldError[]; message: string } {
  if (error instanceof DomainError && (error.code === 'invalid' || error.code === 'conflict')) {
    const errors = error.errors.length ? error.errors : [{ path: '', message: error.message }];
    return { status: error.code === 'conflict' ? 409 : 422, errors, message: error.message };
  }
  throw error;
}

/** zod's errors as field errors ("required" for an empty input); `raw(path)` is what the form had there. */
export function parseForm<S extends z.ZodType>(
  schema: S, input: unknown, raw: (path: string) => string | undefined,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldError[] } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    errors: zodErrors(parsed.error).map((e) => (raw(e.path)?.trim() === '' ? { ...e, message: '必填 (required)' } : e)),
  };
}

/** One form's POST, from the fields as typed to the page it leads to. */
export interface FormSubmission<S extends z.ZodType, R> {
  /** the API's schema, so the page accepts what the API accepts */
  schema: S;
  input: unknown;
  /** what the form had at an error's path (an empty field is "required") */
  raw?: (path: string) => string | undefined;
  /** errors found before the schema, shown with its own */
  errors?: FieldError[];
  /** the schema's and the service's error paths → the form's */
  paths?: (errors: FieldError[]) => FieldError[];
  /** the same service call the API makes */
  save: (data: z.output<S>) => Promise<unknown>;
  /** the page again, as typed, with the errors beside the fields */
  back: (errors: FieldError[], status: number) => R | Promise<R>;
  /** the page again when the record changed since it was shown (409), with a link to reload */
  stale?: () => R | Promise<R>;
  /** where the browser goes after the save */
  done: (data: z.output<S>) => string;
}

/** Parse, save, redirect (303, so a reload does not post again); 422 invalid, 409 stale. */
export async function submitForm<S extends z.ZodType, R>(reply: FastifyReply, form: FormSubmission<S, R>): Promise<R | FastifyReply> {
  const paths = form.paths ?? ((errors) => errors);
  const early = form.errors ?? [];
  const parsed = parseForm(form.schema, form.input, form.raw ?? (() => undefined));
  if (!parsed.ok || early.length) return form.back([...early, ...paths(parsed.ok ? [] : parsed.errors)], 422);
  try {
    await form.save(parsed.data);
  } catch (error) {
    if (form.stale && isStale(error)) return form.stale();
    const { status, errors } = formErrorsOf(error);
    return form.back(paths(errors), status);
  }
  return reply.redirect(form.done(parsed.data), 303);
}
