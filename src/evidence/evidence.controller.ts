import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { API_PREFIX } from '../api-prefix.js';
import { idParam } from '../common/id-param.js';
import { ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { periodString } from '../common/values.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { Returns, ReturnsNothing } from '../contract/returns.js';
import { UploadErrorFilter } from '../imports/upload.js';
import { attachment } from '../spreadsheets/cells.js';
import { readEvidenceUpload } from './evidence-upload.js';
import type { EvidenceSubject } from './evidence.schema.js';
import { type EvidenceJson, EvidenceService } from './evidence.service.js';
import { ACCEPTED_TEXT, EVIDENCE_CONTENT_TYPES } from './file-types.js';

const FILE_BODY = {
  schema: {
    type: 'object', required: ['file'],
    properties: { file: { type: 'string', format: 'binary', description: `${ACCEPTED_TEXT}；不超过 EVIDENCE_MAX_MB（缺省 20 MB）` } },
  },
};

/** 200 with the file as stored: its own Content-Type, a download name, its SHA-256 as the ETag. */
const ReturnsEvidenceFile = () => ApiResponse({
  status: 200,
  description: '文件内容，Content-Type 为上传时识别的类型 (the file, with the type it was stored as)',
  headers: {
    'Content-Disposition': { description: '下载的文件名 (attachment; filename*=UTF-8\'\'…)', schema: { type: 'string' } },
    ETag: { description: '文件内容的 SHA-256（十六进制）(the SHA-256 of the content, hex)', schema: { type: 'string' } },
    'X-Checksum-SHA256': { description: '文件内容的 SHA-256（十六进制）(the SHA-256 of the content, hex)', schema: { type: 'string' } },
  },
  content: Object.fromEntries(EVIDENCE_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
});

const period = new ZodPipe(periodString, ['period']);

/** Sends a stored file with headers that keep a browser from running or sniffing it. */
export function sendEvidence(reply: FastifyReply, evidence: EvidenceJson, content: Buffer): FastifyReply {
  return reply
    .header('content-type', evidence.contentType)
    .header('content-disposition', attachment(evidence.filename))
    .header('content-length', String(content.length))
    .header('etag', `"${evidence.sha256}"`)
    .header('x-checksum-sha256', evidence.sha256)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-cache');
}

@ApiTags('evidence 佐证材料')
@ApiBearerAuth()
@Controller()
@UseFilters(UploadErrorFilter)
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  /** Evidence for a figure (a target's period): multipart, one `file` part. */
  @Post('targets/:code/figures/:period/evidence')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @Returns('Evidence', 201)
  uploadFigure(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', period) p: string,
    @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.upload(actor, code, 'figure', p, request, reply);
  }

  @Get('targets/:code/figures/:period/evidence')
  @ApiZodQuery(pageQuerySchema)
  @Returns('EvidencePage')
  async listFigure(@Param('code') code: string, @Param('period', period) p: string, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.evidence.list(code, 'figure', p), query);
  }

  /** Evidence for a 情况说明 (a target's quarter): multipart, one `file` part. */
  @Post('targets/:code/explanations/:period/evidence')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_BODY)
  @Returns('Evidence', 201)
  uploadExplanation(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Param('period', period) p: string,
    @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.upload(actor, code, 'explanation', p, request, reply);
  }

  @Get('targets/:code/explanations/:period/evidence')
  @ApiZodQuery(pageQuerySchema)
  @Returns('EvidencePage')
  async listExplanation(@Param('code') code: string, @Param('period', period) p: string, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.evidence.list(code, 'explanation', p), query);
  }

  @Get('evidence/:id')
  @ReturnsEvidenceFile()
  async download(@Param('id', idParam()) id: number, @Res({ passthrough: true }) reply: FastifyReply) {
    const { evidence, content } = await this.evidence.download(id);
    sendEvidence(reply, evidence, content);
    return content;
  }

  @Delete('evidence/:id')
  @HttpCode(204)
  @ReturnsNothing()
  async remove(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number) {
    await this.evidence.remove(actor, id);
  }

  private async upload(actor: Actor, code: string, subject: EvidenceSubject, p: string, request: FastifyRequest, reply: FastifyReply) {
    const place = await this.evidence.place(actor, code, subject, p); // 404, 422, 403 before the file is read
    const file = await readEvidenceUpload(request, this.evidence.maxBytes);
    const json = await this.evidence.save(actor, place, file);
    void reply.header('location', `/${API_PREFIX}/evidence/${json.id}`);
    return json;
  }
}
