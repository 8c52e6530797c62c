import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodBody } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { extractTargets } from './extract.js';

const extractSchema = z.strictObject({
  text: z.string().min(1).max(200_000),
  title: z.string().trim().max(500).nullable().default(null),
  url: z.url({ protocol: /^https?$/, error: '链接须为 http(s) 地址 (an http(s) URL)' }).max(2000).nullable().default(null),
  /** the year the document was written: resolves 今年, 全年, 三年内 */
  documentYear: z.number().int().min(1949).max(2200).optional(),
});
type Extract = z.output<typeof extractSchema>;

/** Proposes targets found in a pasted policy text; nothing is created until a planner confirms them. */
@ApiTags('documents 政策文件')
@ApiBearerAuth()
@Controller('documents')
export class DocumentsController {
  @Post('extract')
  @HttpCode(200)
  @ApiZodBody(extractSchema)
  extract(@Body(new ZodPipe(extractSchema)) body: Extract) {
    const candidates = extractTargets(body.text, { documentYear: body.documentYear });
    return { document: { title: body.title, url: body.url }, candidates };
  }
}
