import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { FILE_FIELD, UploadError } from '../imports/upload.js';
import { cleanFileName, sniffEvidence } from './file-types.js';

export interface EvidenceFile {
  fileName: string;
  contentType: string;
  content: Buffer;
  /** SHA-256 of `content`, computed as it streamed in */
  sha256: Buffer;
}

export const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export const tooLargeMessage = (maxBytes: number) =>
  `文件超过佐证材料的大小上限 ${megabytes(maxBytes)} MB (the file exceeds the ${megabytes(maxBytes)} MB limit for evidence)`;

/**
 * The one file (field `file`) of a multipart upload, streamed: bytes are counted and hashed as they arrive,
 * and past `maxBytes` the rest is discarded unread into memory (413); never more than `maxBytes` is held.
 * `check` sees the plain fields sent before the file (a form's CSRF token, its period) before the file is read;
 * when it throws, the file is discarded. Empty → 422; a name and content of no accepted type → 415.
 */
export async function readEvidenceUpload(
  request: FastifyRequest, maxBytes: number, check?: (fields: Record<string, string>) => void | Promise<void>,
): Promise<EvidenceFile> {
  if (!request.isMultipart()) {
    throw new UploadError(415, '请以 multipart/form-data 上传文件，字段名为 file (upload the file as multipart/form-data, field "file")');
  }
  let part: MultipartFile | undefined;
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 20 }, throwFileSizeLimit: false });
  } catch (error) {
    throw uploadErrorOf(error);
  }
  if (!part) throw new UploadError(422, '缺少上传的文件，字段名应为 file (no file: the field must be named "file")');
  if (part.fieldname !== FILE_FIELD) {
    part.file.resume();
    throw new UploadError(422, `文件字段应名为 file，收到 ${part.fieldname} (the file field must be named "file")`);
  }
  if (check) {
    try {
      await check(fieldsOf(part));
    } catch (error) {
      part.file.resume(); // discarded as it arrives
      throw error;
    }
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      if (tooLarge) continue; // busboy discards the rest of the part; the request is read to its end
      size += chunk.length;
      if (size > maxBytes || part.file.truncated) {
        tooLarge = true;
        chunks.length = 0;
        continue;
      }
      hash.update(chunk);
      chunks.push(chunk);
    }
  } catch (error) {
    throw uploadErrorOf(error);
  }
  if (tooLarge || part.file.truncated) throw new UploadError(413, tooLargeMessage(maxBytes));
  const fileName = cleanFileName(part.filename);
  if (!fileName) throw new UploadError(422, '文件名为空，请给文件命名后上传 (the file has no name)');
  if (size === 0) throw new UploadError(422, `文件「${fileName}」是空的 (the file is empty)`);
  const content = Buffer.concat(chunks, size);
  const type = sniffEvidence(fileName, content);
  if ('error' in type) throw new UploadError(415, type.error);
  return { fileName, contentType: type.contentType, content, sha256: hash.digest() };
}

function fieldsOf(part: MultipartFile): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(part.fields)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.type === 'field' && typeof first.value === 'string') fields[name] = first.value;
  }
  return fields;
}

function uploadErrorOf(error: unknown): Error {
  if (error instanceof UploadError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new UploadError(413, '一次只能上传一个文件 (one file per upload)');
  }
  return new UploadError(400, `上传的 multipart 请求格式有误 (malformed multipart body): ${(error as Error).message}`);
}
