import type { FastifyRequest } from 'fastify';
import { readUpload, type Upload, UPLOAD_LIMIT, UploadError } from '../imports/upload.js';
import { type DocumentText, readDocument } from './documents/read.js';
import { UnreadableDocument } from './documents/errors.js';

export interface DocumentUpload extends DocumentText {
  fileName: string;
  /** the plain form fields sent before the file */
  fields: Record<string, string>;
}

/** The uploaded policy document (multipart, field `file`) as canonical text; an unreadable one is an UploadError at `file`. */
export async function readDocumentUpload(request: FastifyRequest, maxChars: number): Promise<DocumentUpload> {
  return documentOf(await readUpload(request, UPLOAD_LIMIT), maxChars);
}

/** An upload already read (e.g. after its CSRF field was checked) as canonical text. */
export async function documentOf({ fileName, buffer, fields }: Upload, maxChars: number): Promise<DocumentUpload> {
  let document: DocumentText;
  try {
    document = await readDocument(fileName, buffer, { maxChars });
  } catch (error) {
    if (!(error instanceof UnreadableDocument)) throw error;
    throw new UploadError(error.reason === 'type' ? 415 : 422, error.message);
  }
  if (document.text.length > maxChars) {
    throw new UploadError(422, `文件正文超过 ${maxChars} 字，请拆分后上传 (the text exceeds ${maxChars} characters: split the document)`);
  }
  return { ...document, fileName, fields };
}

/** 政策.docx → 政策 */
export const baseName = (fileName: string) => fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
