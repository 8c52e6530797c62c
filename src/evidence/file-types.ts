/**
 * The file types evidence (佐证材料) may be: decided by the name's extension and the content's magic bytes
 * together, never by the Content-Type the client claims. A name and content that disagree are refused.
 */

type Magic = 'pdf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'zip' | 'ole';

interface FileType {
  contentType: string;
  /** what the content must start as */
  magic: Magic[];
  /** for a zip: an entry name the package must contain (word/, xl/, ppt/ of OOXML; OFD.xml) */
  entry?: string;
}

const OLE = 'ole', ZIP = 'zip';

export const EVIDENCE_TYPES: Record<string, FileType> = {
  pdf: { contentType: 'application/pdf', magic: ['pdf'] },
  png: { contentType: 'image/png', magic: ['png'] },
  jpg: { contentType: 'image/jpeg', magic: ['jpeg'] },
  jpeg: { contentType: 'image/jpeg', magic: ['jpeg'] },
  gif: { contentType: 'image/gif', magic: ['gif'] },
  webp: { contentType: 'image/webp', magic: ['webp'] },
  doc: { contentType: 'application/msword', magic: [OLE] },
  xls: { contentType: 'application/vnd.ms-excel', magic: [OLE] },
  ppt: { contentType: 'application/vnd.ms-powerpoint', magic: [OLE] },
  docx: { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', magic: [ZIP], entry: 'word/' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: [ZIP], entry: 'xl/' },
  pptx: { contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', magic: [ZIP], entry: 'ppt/' },
  // WPS Office: the older files are OLE compound files, newer ones may be OOXML packages
  wps: { contentType: 'application/vnd.ms-works', magic: [OLE, ZIP] },
  et: { contentType: 'application/vnd.ms-excel', magic: [OLE, ZIP] },
  dps: { contentType: 'application/vnd.ms-powerpoint', magic: [OLE, ZIP] },
  // 版式文档 (GB/T 33190): a zip package with OFD.xml at its root
  ofd: { contentType: 'application/ofd', magic: [ZIP], entry: 'OFD.xml' },
};

/** Every content type a download may carry (declared in the API document). */
export const EVIDENCE_CONTENT_TYPES = [...new Set(Object.values(EVIDENCE_TYPES).map((t) => t.contentType))];

export const EVIDENCE_EXTENSIONS = Object.keys(EVIDENCE_TYPES);

const startsWith = (content: Buffer, bytes: number[], at = 0) => bytes.every((b, i) => content[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function magicOf(content: Buffer): Magic | null {
  // a PDF's header may follow a little junk (some scanners write a BOM or a few bytes first)
  const head = content.subarray(0, 1024).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(content, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(content, ascii('GIF87a')) || startsWith(content, ascii('GIF89a'))) return 'gif';
  if (startsWith(content, ascii('RIFF')) && startsWith(content, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(content, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(content, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  return null;
}

const MAGIC_ZH: Record<Magic, string> = {
  pdf: 'PDF', png: 'PNG 图片', jpeg: 'JPEG 图片', gif: 'GIF 图片', webp: 'WebP 图片', zip: 'ZIP 压缩包', ole: '旧版 Office 文件',
};

export const extensionOf = (fileName: string) => (/\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] ?? '').toLowerCase();

export const ACCEPTED_TEXT = 'PDF、图片（PNG、JPEG、GIF、WebP）、Word、Excel、PowerPoint（含 WPS）或 OFD';

/** The content type of an evidence file, or why it is refused (415). */
export function sniffEvidence(fileName: string, content: Buffer): { contentType: string } | { error: string } {
  const ext = extensionOf(fileName);
  const type = EVIDENCE_TYPES[ext];
  if (!type) {
    return { error: `不支持的文件类型${ext ? ` .${ext}` : ''}：佐证材料须为 ${ACCEPTED_TEXT} (unsupported file type: PDF, images, Office files or OFD)` };
  }
  const magic = magicOf(content);
  const fits = magic !== null && type.magic.includes(magic) &&
    (magic !== 'zip' || !type.entry || content.includes(Buffer.from(type.entry, 'latin1')));
  if (!fits) {
    const seen = magic ? `内容是${MAGIC_ZH[magic]}` : '内容无法识别';
    return { error: `文件「${fileName}」的扩展名 .${ext} 与内容不符（${seen}），请上传原始文件 (the content does not match the .${ext} extension)` };
  }
  return { contentType: type.contentType };
}

/** A client's file name made safe to store and send back: no folders, no control characters, at most 255 characters. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const chars = [...base];
  if (chars.length <= 255) return base;
  const ext = extensionOf(base);
  const tail = ext ? `.${ext}` : '';
  return chars.slice(0, 255 - tail.length).join('').trimEnd() + tail;
}
