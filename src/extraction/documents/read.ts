import mammoth from 'mammoth';
import { decodeText } from '../../spreadsheets/parse.js';
import { zipEntries } from '../../spreadsheets/xlsx-file.js';
import { canonicalText, type DocumentBlock } from './canonical.js';
import { UnreadableDocument } from './errors.js';
import { htmlBlocks } from './html.js';
import { pdfBlocks } from './pdf.js';

export type DocumentFormat = 'docx' | 'pdf' | 'html' | 'txt';

export interface DocumentText {
  format: DocumentFormat;
  /** the canonical text (canonical.ts): paragraphs a line each, tables as tab-separated rows between blank lines */
  text: string;
}

export const DOCUMENT_EXTENSIONS = ['.docx', '.pdf', '.html', '.htm', '.txt'] as const;
const TAKEN = '请上传 .docx、.pdf、.html 或 .txt 文件 (upload a .docx, .pdf, .html or .txt file)';

const startsWith = (buffer: Buffer, bytes: number[]) => bytes.every((b, i) => buffer[i] === b);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
/** what a .docx may unpack to: a policy document's XML is a few MB, a zip bomb many GB */
const MAX_UNPACKED = 200 * 1024 * 1024;

/** An upload (extension checked against its first bytes) → canonical text; PDF pages past `maxChars` are skipped. */
export async function readDocument(fileName: string, buffer: Buffer, options: { maxChars?: number } = {}): Promise<DocumentText> {
  const ext = /\.[^.]+$/.exec(fileName.toLowerCase())?.[0] ?? '';
  if (ext === '.doc' || ext === '.wps') throw new UnreadableDocument('type', `不支持旧版 Word（${ext}）文件，请另存为 .docx 后上传 (old Word files are not read: save as .docx)`);
  if (!(DOCUMENT_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new UnreadableDocument('type', `不支持的文件类型${ext ? ` ${ext}` : ''}：${TAKEN}`);
  }
  if (buffer.length === 0) throw new UnreadableDocument('empty', '上传的文件是空的 (the file is empty)');
  const format: DocumentFormat = ext === '.htm' ? 'html' : (ext.slice(1) as DocumentFormat);
  const text = format === 'txt' ? plainText(buffer) : canonicalText(await blocksOf(format, buffer, options.maxChars));
  if (!text.trim()) {
    throw format === 'pdf'
      ? new UnreadableDocument('no-text', 'PDF 没有文字层（可能是扫描件），无法识别；请上传可复制文字的 PDF 或 Word 文件 (the PDF has no text layer, e.g. a scan)')
      : new UnreadableDocument('empty', '文件中没有文字 (the file holds no text)');
  }
  return { format, text };
}

async function blocksOf(format: Exclude<DocumentFormat, 'txt'>, buffer: Buffer, maxChars?: number): Promise<DocumentBlock[]> {
  if (format === 'html') return htmlBlocks(textOf(buffer));
  if (format === 'pdf') {
    if (!buffer.subarray(0, 1024).includes('%PDF-')) throw new UnreadableDocument('damaged', '文件不是 PDF 格式 (not a PDF file)');
    return pdfBlocks(new Uint8Array(buffer), maxChars);
  }
  if (startsWith(buffer, OLE)) throw new UnreadableDocument('type', '这是旧版 Word（.doc）或加密的文件，请另存为 .docx 后上传 (an old .doc or encrypted file: save as .docx)');
  if (!startsWith(buffer, ZIP)) throw new UnreadableDocument('damaged', '文件不是有效的 Word（.docx）文档 (not a valid .docx file)');
  const entries = zipEntries(buffer);
  if (!entries) throw new UnreadableDocument('damaged', 'Word 文档已损坏或不完整，无法读取 (the .docx is damaged or incomplete)');
  if (!entries.some((e) => e.name === 'word/document.xml')) {
    const workbook = entries.some((e) => e.name.startsWith('xl/'));
    throw new UnreadableDocument('type', workbook
      ? '这是 Excel 工作簿，不是 Word 文档：实际值请在“导入数据”页面上传 (an Excel workbook, not a Word document)'
      : '文件不是 Word（.docx）文档 (not a Word document)');
  }
  if (entries.reduce((sum, e) => sum + e.size, 0) > MAX_UNPACKED) {
    throw new UnreadableDocument('damaged', 'Word 文档解压后超过 200 MB，无法读取 (the .docx unpacks to more than 200 MB)');
  }
  try {
    const { value } = await mammoth.convertToHtml({ buffer }, { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) });
    return htmlBlocks(value);
  } catch {
    throw new UnreadableDocument('damaged', 'Word 文档已损坏或不完整，无法读取 (the .docx is damaged or incomplete)');
  }
}

function textOf(buffer: Buffer): string {
  if (buffer.includes(0) && !startsWith(buffer, [0xff, 0xfe]) && !startsWith(buffer, [0xfe, 0xff])) {
    throw new UnreadableDocument('type', `文件不是文本格式：${TAKEN}`);
  }
  return decodeText(buffer).text.replace(/^\uFEFF/, '');
}

const plainText = (buffer: Buffer) => textOf(buffer).replace(/\r\n?/g, '\n');
