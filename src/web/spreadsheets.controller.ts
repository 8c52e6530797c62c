import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { periodString } from '../common/values.js';
import { DepartmentsService } from '../departments/departments.service.js';
import { ExportsService } from '../imports/exports.service.js';
import { ImportsService } from '../imports/imports.service.js';
import { readUpload, UPLOAD_LIMIT, UploadError } from '../imports/upload.js';
import { attachment as contentDisposition, CSV_TYPE, XLSX_TYPE } from '../spreadsheets/cells.js';
import { figureTemplate } from '../spreadsheets/template.js';
import { TARGET_CODE } from '../targets/target.schema.js';
import { checked, type FormBody } from './form-errors.js';
import { href, Views } from './views.js';
import { CSRF_FIELD, CsrfTokens, Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { CSRF_TOKENS, CsrfCheckedInHandler, WebGuard } from './web.guard.js';

/** A download with a Chinese file name that every browser keeps. */
function attachment(reply: FastifyReply, fileName: string, type: string, body: Buffer): FastifyReply {
  return reply
    .header('content-type', type)
    .header('content-disposition', contentDisposition(fileName))
    .header('cache-control', 'no-store')
    .send(body);
}

const optionalPeriod = (v: unknown) => (typeof v === 'string' && periodString.safeParse(v).success ? v : undefined);
const optionalCode = (v: unknown) => (typeof v === 'string' && TARGET_CODE.test(v) ? v : undefined);

/** Import (upload → preview with every bad row marked → confirm) and the spreadsheet downloads. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class SpreadsheetsController {
  constructor(
    private readonly views: Views,
    private readonly imports: ImportsService,
    private readonly exports: ExportsService,
    private readonly departments: DepartmentsService,
    @Inject(CSRF_TOKENS) private readonly csrf: CsrfTokens,
  ) {}

  @Get('imports')
  async index(@Web() web: WebContext, @Res() reply: FastifyReply) {
    const { items: recent } = await this.imports.list(web.actor!, { page: 1, pageSize: 20 });
    return this.views.send(reply, 'imports', web, { title: web.t('导入数据', 'Import figures'), recent, error: null });
  }

  @Get('imports/template.:format')
  async template(@Param('format') format: string, @Res() reply: FastifyReply) {
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError('not_found', `模板格式 ${format} 不存在 (xlsx or csv)`);
    const body = await figureTemplate(format);
    return attachment(reply, `实际值导入模板.${format}`, format === 'xlsx' ? XLSX_TYPE : CSV_TYPE, body);
  }

  @Post('imports')
  @CsrfCheckedInHandler()
  async upload(@Web() web: WebContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let upload: Awaited<ReturnType<typeof readUpload>>;
    try {
      upload = await readUpload(request, UPLOAD_LIMIT);
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      return this.failed(reply, web, error.message, error.status);
    }
    if (!this.csrf.verify(request, upload.fields[CSRF_FIELD], web.actor?.sessionId ?? null)) {
      throw new DomainError('forbidden', '表单已过期或来源不明，请刷新页面后重试 (form expired or forged: reload the page and try again)', [{ path: CSRF_FIELD, message: 'CSRF' }]);
    }
    try {
      const preview = await this.imports.preview(web.actor!, upload.fileName, upload.buffer);
      return reply.redirect(`/imports/${preview.id}`, 303);
    } catch (error) {
      if (error instanceof UploadError) return this.failed(reply, web, error.message, error.status); // past a size limit
      if (!(error instanceof DomainError) || error.code !== 'invalid') throw error;
      return this.failed(reply, web, error.errors.map((e) => e.message).join('；') || error.message, 422);
    }
  }

  @Get('imports/:id')
  async show(@Web() web: WebContext, @Param('id') id: string, @Res() reply: FastifyReply) {
    const result = await this.imports.get(web.actor!, id);
    return this.views.send(reply, 'import', web, { title: `${web.t('导入', 'Import')} ${result.fileName}`, result });
  }

  /** 确认导入, or 导入有效行（跳过N行错误） (skipInvalid). */
  @Post('imports/:id/apply')
  async apply(@Web() web: WebContext, @Param('id') id: string, @Body() body: FormBody, @Res() reply: FastifyReply) {
    try {
      await this.imports.apply(web.actor!, id, { skipInvalid: checked(body, 'skipInvalid'), confirmWarnings: checked(body, 'confirmWarnings') });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'invalid') throw error;
      // the preview again, with why nothing was written (an unconfirmed warning, a check failing now)
      const result = await this.imports.get(web.actor!, id);
      return this.views.send(reply, 'import', web, { title: `${web.t('导入', 'Import')} ${result.fileName}`, result, applyError: error.message }, 422);
    }
    return reply.redirect(`/imports/${encodeURIComponent(id)}`, 303);
  }

  @Get('exports')
  async exportsPage(@Web() web: WebContext, @Res() reply: FastifyReply) {
    const departments = await this.departments.list();
    return this.views.send(reply, 'exports', web, { title: web.t('导出', 'Export'), departments });
  }

  @Get('exports/status.xlsx')
  async statusReport(@Web() web: WebContext, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const department = optionalCode(query?.department);
    const body = await this.exports.statusReport(web.actor!, { department });
    return attachment(reply, this.exports.fileName('status', 'xlsx', department), XLSX_TYPE, body);
  }

  @Get('exports/figures.:format')
  async figures(@Web() web: WebContext, @Param('format') format: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError('not_found', `导出格式 ${format} 不存在 (xlsx or csv)`);
    const filter = { department: optionalCode(query?.department), from: optionalPeriod(query?.from), to: optionalPeriod(query?.to) };
    const body = format === 'xlsx' ? await this.exports.figuresXlsx(web.actor!, filter) : await this.exports.figuresCsv(web.actor!, filter);
    return attachment(reply, this.exports.fileName('figures', format, filter.department), format === 'xlsx' ? XLSX_TYPE : CSV_TYPE, body);
  }

  private async failed(reply: FastifyReply, web: WebContext, error: string, status: number) {
    const { items: recent } = await this.imports.list(web.actor!, { page: 1, pageSize: 20 });
    return this.views.send(reply, 'imports', web, { title: web.t('导入数据', 'Import figures'), recent, error }, status);
  }
}
