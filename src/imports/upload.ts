import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../common/problem.filter.js';

/** A multipart upload the request does not carry properly: 400, 413, 415 or 422 at path `file`. */
export class UploadError extends Error {
  constructor(readonly status: 400 | 413 | 415 | 422, message: string) {
    super(message);
  }
}

/** UploadError → problem+json naming `file` (the app's filter would call every 413 a 1 MB JSON body). */
@Catch(UploadError)
export class UploadErrorFilter implements ExceptionFilter {
  catch(error: UploadError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(),
      problem(error.status, error.message, [{ path: 'file', message: error.message }], http.getRequest<FastifyRequest>().url));
  }
}

export const FILE_FIELD = 'file';

/** Largest spreadsheet an import takes (the multipart plugin's limit, set in app.ts). */
export const UPLOAD_LIMIT = 20 * 1024 * 1024;

export interface Upload {
  fileName: string;
  buffer: Buffer;
  /** the plain form fields sent before the file (e.g. a CSRF token) */
  fields: Record<string, string>;
}

/** The uploaded file (field `file`); `limitBytes` is only named in the 413 message. */
export async function readUpload(request: FastifyRequest, limitBytes?: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new UploadError(415, '请以 multipart/form-data 上传文件，字段名为 file (upload the file as multipart/form-data, field "file")');
  }
  let part: MultipartFile | undefined;
  let buffer: Buffer;
  try {
    part = await request.file();
    if (!part) throw new UploadError(422, '缺少上传的文件，字段名应为 file (no file: the field must be named "file")');
    if (part.fieldname !== FILE_FIELD) {
      part.file.resume();
      throw new UploadError(422, `文件字段应名为 file，收到 ${part.fieldname} (the file field must be named "file")`);
    }
    buffer = await part.toBuffer();
  } catch (error) {
    if (error instanceof UploadError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      const mb = limitBytes ? ` ${Math.round(limitBytes / 1024 / 1024)} MB` : '';
      throw new UploadError(413, `文件超过上传大小上限${mb} (the file exceeds the upload size limit${mb})`);
    }
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new UploadError(413, '一次只能上传一个文件 (one file per upload)');
    }
    throw new UploadError(400, `上传的 multipart 请求格式有误 (malformed multipart body): ${(error as Error).message}`);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(part.fields)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.type === 'field' && typeof first.value === 'string') fields[name] = first.value;
  }
  return { fileName: part.filename, buffer, fields };
}
