import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { assertCan, can } from '../access/permissions.js';
import { DomainError, type FieldError } from '../common/domain-error.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { batchFiguresSchema } from '../figures/figure.schema.js';
import { FiguresService, type FigureWrite, valueFitsUnit } from '../figures/figures.service.js';
import { baseName, documentOf } from '../extraction/document-upload.js';
import { extractTargets } from '../extraction/extract.js';
import { readUpload, UPLOAD_LIMIT, UploadError } from '../imports/upload.js';
import { type CreateTarget, createTargetSchema, TARGET_CODE } from '../targets/target.schema.js';
import { TargetsService } from '../targets/targets.service.js';
import {
  type DocumentFields, documentFields, documentFormSchema, documentInput, highlight, type ReviewRow, reviewRows, rowErrorPath, rowErrors,
  rowFields, rowFigure, rowInput, rowsFromBody,
} from './document-review.js';
import { type FormBody, FormErrors, formErrorsOf, parseForm } from './form-errors.js';
import { href, Views } from './views.js';
import { CSRF_FIELD, CsrfTokens, Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { CSRF_TOKENS, CsrfCheckedInHandler, WebGuard } from './web.guard.js';


/** Targets from a policy text: paste, review, confirm; confirmation creates every ticked row or none. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class DocumentReviewController {
  constructor(
    private readonly views: Views,
    private readonly targets: TargetsService,
    private readonly departments: DepartmentsService,
    private readonly figures: FiguresService,
    @Inject(CSRF_TOKENS) private readonly csrf: CsrfTokens,
  ) {}

  @Get('documents')
  form(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    return this.sendForm(reply, web, { title: '', url: '', documentYear: '', text: '' }, []);
  }

  @Post('documents/extract')
  async extract(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const doc = documentFields(body);
    const parsed = parseForm(documentFormSchema, documentInput(doc), (p) => (doc as unknown as Record<string, string>)[p]);
    if (!parsed.ok) return this.sendForm(reply, web, doc, parsed.errors, 422);
    return this.review(reply, web, parsed.data, doc.documentYear);
  }

  /** A .docx, .pdf (text layer), .html or .txt file, read into text and reviewed as a pasted one would be. */
  @Post('documents/upload')
  @CsrfCheckedInHandler()
  async upload(@Web() web: WebContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const empty = { title: '', url: '', documentYear: '', text: '' };
    let upload: Awaited<ReturnType<typeof documentOf>>;
    try {
      const file = await readUpload(request, UPLOAD_LIMIT);
      if (!this.csrf.verify(request, file.fields[CSRF_FIELD], web.actor?.sessionId ?? null)) {
        throw new DomainError('forbidden', '表单已过期或来源不明，请刷新页面后重试 (form expired or forged: reload the page and try again)', [{ path: CSRF_FIELD, message: 'CSRF' }]);
      }
      upload = await documentOf(file, MAX_WEB_TEXT);
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      return this.sendForm(reply, web, empty, [{ path: 'file', message: error.message }], error.status);
    }
    const f = upload.fields;
    const doc = { title: (f.title ?? '').trim() || baseName(upload.fileName), url: (f.url ?? '').trim(), documentYear: (f.documentYear ?? '').trim(), text: upload.text };
    const parsed = parseForm(documentFormSchema, documentInput(doc), (p) => (doc as unknown as Record<string, string>)[p]);
    if (!parsed.ok) return this.sendForm(reply, web, { ...doc, text: '' }, parsed.errors, 422);
    return this.review(reply, web, parsed.data, doc.documentYear);
  }

  private async review(reply: FastifyReply, web: WebContext, data: { text: string; title: string; url: string | null; documentYear?: number }, documentYear: string) {
    const { text, title, url } = data;
    const candidates = extractTargets(text, { documentYear: data.documentYear });
    const codes = await this.suggestCodes(data.documentYear ?? chinaYear(), candidates.length);
    return this.sendReview(reply, web, { title, url: url ?? '', documentYear, text }, reviewRows(candidates, codes, await this.departments.list()), []);
  }

  @Post('documents/confirm')
  async confirm(@Web() web: WebContext, @Body() body: FormBody, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const doc = documentFields(body);
    const rows = rowsFromBody(body);
    const errors: FieldError[] = [];
    const docParsed = parseForm(documentFormSchema, documentInput(doc), (p) => (doc as unknown as Record<string, string>)[p]);
    if (!docParsed.ok) errors.push(...docParsed.errors);
    const source = { title: doc.title, url: doc.url || null };
    const picked: { row: number; input: CreateTarget }[] = [];
    const actuals: FigureWrite[] = [];
    const actualRows: number[] = [];
    rows.forEach((row, i) => {
      if (!row.create) return;
      if (!doc.text.includes(row.quote)) errors.push({ path: `rows[${i}].quote`, message: '摘录不在原文中 (the quote is not in the text)' });
      const raw = rowInput(row, source);
      const parsed = parseForm(createTargetSchema, raw, (p) => (row as unknown as Record<string, string>)[rowErrorPath(i, p).replace(/^rows\[\d+\]\./, '')]);
      if (parsed.ok) picked.push({ row: i, input: parsed.data });
      // the document's title and URL are checked once, above
      else errors.push(...rowErrors(i, parsed.errors.filter((e) => e.path !== 'source.document' && e.path !== 'source.url')));
      const before = actuals.length;
      errors.push(...this.actualOf(web, row, i, source, actuals));
      if (actuals.length > before) actualRows.push(i);
    });
    if (!rows.some((r) => r.create)) errors.push({ path: 'rows', message: '请至少勾选一项要创建的指标 (tick at least one target to create)' });
    if (errors.length) return this.sendReview(reply, web, doc, rows, errors, 422);
    try {
      // the targets and their actuals commit together, or neither does
      let afterCommit = async () => {};
      await this.targets.createMany(web.actor!, picked.map((p) => p.input), actuals.length
        ? async (tx) => { afterCommit = await this.figures.batchWithin(tx, web.actor!, actuals); }
        : undefined);
      await afterCommit();
    } catch (error) {
      const { status, errors: found } = formErrorsOf(error);
      // `[k].code` names the k-th created input; show it on the row it came from
      const onRows = found.flatMap((e) => {
        const m = /^\[(\d+)\]\.?(.*)$/.exec(e.path);
        // `figures[k].value`: the k-th actual (checked above, so only a race lands here; its targets were rolled back)
        const f = /^figures\[(\d+)\]\.(\w+)/.exec(e.path);
        if (f && actualRows[Number(f[1])] !== undefined) return [{ ...e, path: `rows[${actualRows[Number(f[1])]}].${f[2] === 'period' ? 'figurePeriod' : 'figureValue'}` }];
        return m && picked[Number(m[1])] ? rowErrors(picked[Number(m[1])].row, [{ ...e, path: m[2] }]) : [e];
      });
      return this.sendReview(reply, web, doc, rows, onRows, status);
    }
    return reply.redirect(href('/documents/created', { codes: picked.map((p) => p.input.code).join(',') }), 303);
  }

  @Get('documents/created')
  async created(@Web() web: WebContext, @Query('codes') codes: unknown, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    const list = (typeof codes === 'string' ? codes.split(',') : []).filter((c) => TARGET_CODE.test(c)).slice(0, 200);
    const targets = await Promise.all(list.map((code) => this.targets.get(code)));
    return this.views.send(reply, 'documents-created', web, { title: web.t('已创建的指标', 'Targets created'), targets });
  }

  /** A ticked row's actual (计划执行情况), checked as the figures service will check it, before anything is created. */
  private actualOf(web: WebContext, row: ReviewRow, i: number, doc: { title: string }, into: FigureWrite[]): FieldError[] {
    const raw = rowFigure(row, doc);
    if (!raw) return [];
    const field = (path: string) => `rows[${i}].${/period/.test(path) ? 'figurePeriod' : 'figureValue'}`;
    const parsed = parseForm(batchFiguresSchema, { figures: [raw] }, (p) => (/period/.test(p) ? row.figurePeriod : row.figureValue));
    if (!parsed.ok) return parsed.errors.filter((e) => !/\.target$/.test(e.path)).map((e) => ({ ...e, path: field(e.path) }));
    const figure = parsed.data.figures[0];
    const unfit = valueFitsUnit(figure.value, figure.percent === true, row.unit);
    if (unfit) return [{ path: `rows[${i}].figureValue`, message: unfit }];
    // the page needs targets.write; figures of any department need figures.write.any (the service checks again)
    if (!can(web.actor!, 'figures.write.any')) return [{ path: `rows[${i}].figureValue`, message: '无权录入实际值 (you may not record figures)' }];
    into.push(figure);
    return [];
  }

  private sendForm(reply: FastifyReply, web: WebContext, doc: DocumentFields, errors: FieldError[], status = 200) {
    return this.views.send(reply, 'documents', web, {
      title: web.t('从文件识别指标', 'Targets from a document'), doc, fe: new FormErrors(errors, ['title', 'url', 'documentYear', 'text', 'file']),
      uploadLimitMb: UPLOAD_LIMIT / 1024 / 1024,
    }, status);
  }

  private async sendReview(reply: FastifyReply, web: WebContext, doc: DocumentFields, rows: ReviewRow[], errors: FieldError[], status = 200) {
    const marked = highlight(doc.text, rows.map((r, i) => ({ n: i + 1, start: Number(r.start), end: Number(r.end), tableRow: r.tableRow !== '' }))
      .filter((s, i) => doc.text.slice(s.start, s.end) === rows[i].quote));
    return this.views.send(reply, 'documents-review', web, {
      title: web.t('审核候选指标', 'Review the candidates'), doc, rows, marked,
      departments: await this.departments.list(), fe: new FormErrors(errors, rowFields(rows.length)),
    }, status);
  }

  /** DOC-<year>-01, -02, … after the highest such code already taken (archived ones included). */
  private async suggestCodes(year: number, count: number): Promise<string[]> {
    const prefix = `DOC-${year}-`;
    const taken = await Promise.all([false, true].map((archived) => this.targets.list({ q: prefix, archived, page: 1, pageSize: 200 })));
    const last = Math.max(0, ...taken.flatMap((p) => p.items).map((t) => (t.code.startsWith(prefix) ? Number.parseInt(t.code.slice(prefix.length), 10) || 0 : 0)));
    return Array.from({ length: count }, (_, i) => `${prefix}${String(last + i + 1).padStart(2, '0')}`);
  }
}

/** documentFormSchema's limit on the text */
const MAX_WEB_TEXT = 60_000;

const chinaYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
