import { Controller, Get, Inject, Injectable, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../access/current-actor.decorator.js';
import { idParam } from '../common/id-param.js';
import { DomainError } from '../common/domain-error.js';
import { periodString } from '../common/values.js';
import { sendEvidence } from '../evidence/evidence.controller.js';
import { megabytes, readEvidenceUpload } from '../evidence/evidence-upload.js';
import { type EvidenceSubject, isEvidenceSubject } from '../evidence/evidence.schema.js';
import { type EvidenceJson, type EvidencePlace, EvidenceService } from '../evidence/evidence.service.js';
import { ACCEPTED_TEXT, EVIDENCE_EXTENSIONS } from '../evidence/file-types.js';
import { UploadError } from '../imports/upload.js';
import { href } from './views.js';
import { CSRF_FIELD, CsrfTokens, Web, type WebContext } from './web-context.js';
import { WebErrorFilter } from './web-error.filter.js';
import { CSRF_TOKENS, CsrfCheckedInHandler, WebGuard } from './web.guard.js';

/** Why an upload from the target page failed, as a code in the address it returns to (never free text). */
const ERRORS = {
  too_large: ['文件超过大小上限 {mb} MB，未保存', 'The file is larger than {mb} MB: nothing was saved'],
  type: [`文件类型不支持或扩展名与内容不符，未保存：请上传 ${ACCEPTED_TEXT}`, 'Unsupported file type, or its extension does not match its content: nothing was saved'],
  empty: ['文件是空的，未保存', 'The file is empty: nothing was saved'],
  missing: ['请选择要上传的文件', 'Choose a file to upload'],
  period: ['期间格式有误或与指标的报送频率不符（情况说明须为季度，如 2026Q3）', 'The period is malformed or does not fit the target (an explanation needs a quarter such as 2026Q3)'],
  forbidden: ['您无权为此指标上传这类佐证材料', 'You may not upload this kind of evidence for this target'],
  malformed: ['上传失败，请重试', 'The upload failed: try again'],
} satisfies Record<string, [string, string]>;
type ErrorCode = keyof typeof ERRORS;

/** A form token that does not verify: the guard's 403, not a message on the page. */
class ForgedForm extends DomainError {
  constructor() {
    super('forbidden', '表单已过期或来源不明，请刷新页面后重试 (form expired or forged: reload the page and try again)', [{ path: CSRF_FIELD, message: 'CSRF' }]);
  }
}

const errorCodeOf = (error: unknown): ErrorCode | null => {
  if (error instanceof UploadError) {
    if (error.status === 413) return 'too_large';
    if (error.status === 415) return 'type';
    if (error.status === 422) return /空|empty/.test(error.message) ? 'empty' : 'missing';
    return 'malformed';
  }
  if (error instanceof DomainError) {
    if (error.code === 'invalid') return 'period';
    if (error.code === 'forbidden') return 'forbidden';
  }
  return null;
};

/** The 佐证材料 section of a target page (views/target-evidence.eta). */
export interface EvidenceSection {
  /** the files, latest period first, grouped by period */
  groups: { period: string; items: EvidenceJson[] }[];
  canFigure: boolean;
  canExplanation: boolean;
  maxMb: number;
  accept: string;
  acceptedText: string;
  /** the file just uploaded (?evidence=<id>) */
  uploaded: EvidenceJson | null;
  error: string | null;
}

/** What the target page shows of its evidence, and to whom the upload form. */
@Injectable()
export class EvidencePages {
  constructor(private readonly evidence: EvidenceService) {}

  async section(web: WebContext, code: string, query: Record<string, unknown> | undefined): Promise<EvidenceSection> {
    const items = await this.evidence.listForTarget(code);
    const groups: EvidenceSection['groups'] = [];
    for (const item of items) {
      const last = groups[groups.length - 1];
      if (last && last.period === item.period) last.items.push(item);
      else groups.push({ period: item.period, items: [item] });
    }
    const actor = web.actor!;
    const rights = await this.evidence.uploadRights(actor, code);
    const uploadedId = Number(typeof query?.evidence === 'string' ? query.evidence : NaN);
    const code_ = typeof query?.evidenceError === 'string' ? query.evidenceError : '';
    const mb = String(megabytes(this.evidence.maxBytes));
    const error = Object.hasOwn(ERRORS, code_) ? web.t(...ERRORS[code_ as ErrorCode]).replace('{mb}', mb) : null;
    return {
      groups, canFigure: rights.figure, canExplanation: rights.explanation, maxMb: Number(mb),
      accept: EVIDENCE_EXTENSIONS.map((e) => `.${e}`).join(','), acceptedText: ACCEPTED_TEXT,
      uploaded: items.find((i) => i.id === uploadedId) ?? null, error,
    };
  }
}

/** Evidence from the target page: the upload form's POST and the download behind the page session. */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class EvidencePageController {
  constructor(
    private readonly evidence: EvidenceService,
    @Inject(CSRF_TOKENS) private readonly csrf: CsrfTokens,
  ) {}

  /** form#evidence-upload: _csrf, subject and period before the file; 303 back to the target page either way. */
  @Post('targets/:code/evidence')
  @CsrfCheckedInHandler()
  async upload(@Web() web: WebContext, @Param('code') code: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const page = `/targets/${encodeURIComponent(code)}`;
    let place: EvidencePlace | null = null;
    try {
      const file = await readEvidenceUpload(request, this.evidence.maxBytes, async (fields) => {
        if (!this.csrf.verify(request, fields[CSRF_FIELD], web.actor?.sessionId ?? null)) {
          throw new ForgedForm();
        }
        const subject: EvidenceSubject = isEvidenceSubject(fields.subject) ? fields.subject : 'figure';
        const period = (fields.period ?? '').trim();
        if (!periodString.safeParse(period).success) throw new DomainError('invalid', 'period', [{ path: 'period', message: 'period' }]);
        place = await this.evidence.place(web.actor!, code, subject, period);
      });
      const saved = await this.evidence.save(web.actor!, place!, file);
      return reply.redirect(`${href(page, { evidence: String(saved.id) })}#evidence`, 303);
    } catch (error) {
      if (error instanceof ForgedForm || (error instanceof DomainError && error.code === 'not_found')) throw error;
      const errorCode = errorCodeOf(error);
      if (!errorCode) throw error;
      return reply.redirect(`${href(page, { evidenceError: errorCode })}#evidence`, 303);
    }
  }

  /** The file, for anyone signed in (as the API's GET /api/v1/evidence/{id}). */
  @Get('evidence/:id')
  async download(@Param('id', idParam()) id: number, @Res() reply: FastifyReply) {
    const { evidence, content } = await this.evidence.download(id);
    return sendEvidence(reply, evidence, content).send(content);
  }
}
