import { Body, Controller, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodPipe } from '../common/zod.pipe.js';
import { UploadErrorFilter } from '../imports/upload.js';
import { baseName, readDocumentUpload } from './document-upload.js';
import { extractTargets } from './extract.js';
import type { ExtractionJson } from './extraction-json.js';
import { Returns } from '../contract/returns.js';

const MAX_TEXT = 200_000;
const sourceSchema = z.strictObject({
  title: z.string().trim().max(500).nullable().default(null),
  url: z.url({ protocol: /^https?$/, error: '链接须为 http(s) 地址 (an http(s) URL)' }).max(2000).nullable().default(null),
  /** the year the document was written: resolves 今年, 全年, 三年内 */
  documentYear: z.number().int().min(1949).max(2200).optional(),
});
const extractSchema = sourceSchema.extend({ text: z.string().min(1).max(MAX_TEXT) });
/** the same fields sent as multipart form fields (strings) before the file */
const uploadFieldsSchema = sourceSchema.extend({
  title: z.string().trim().max(500).optional(),
  url: z.preprocess((v) => (v === '' ? null : v), sourceSchema.shape.url),
  documentYear: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1949).max(2200).optional()),
});

/** Proposes targets found in a policy text or an uploaded document; nothing is created until a planner confirms them. */
@ApiTags('documents 政策文件')
@ApiBearerAuth()
@UseFilters(UploadErrorFilter)
@Controller('documents')
export class DocumentsController {
  /** JSON `{ text, title?, url?, documentYear? }`, or multipart with the document in field `file` and the same fields before it. */
  @Post('extract')
  @HttpCode(200)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        z.toJSONSchema(extractSchema, { io: 'input', unrepresentable: 'any' }),
        { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, title: { type: 'string' }, url: { type: 'string' }, documentYear: { type: 'integer' } } },
      ],
    } as never,
  })
  @Returns('Extraction')
  async extract(@Req() request: FastifyRequest, @Body() body: unknown): Promise<ExtractionJson> {
    if (!request.isMultipart()) {
      const input = new ZodPipe(extractSchema).transform(body);
      const candidates = extractTargets(input.text, { documentYear: input.documentYear });
      return { document: { title: input.title, url: input.url }, candidates };
    }
    const upload = await readDocumentUpload(request, MAX_TEXT);
    const fields = new ZodPipe(uploadFieldsSchema).transform(upload.fields);
    const candidates = extractTargets(upload.text, { documentYear: fields.documentYear });
    return {
      document: { title: fields.title || baseName(upload.fileName), url: fields.url, fileName: upload.fileName, format: upload.format, text: upload.text },
      candidates,
    };
  }
}
