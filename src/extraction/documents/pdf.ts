import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DocumentBlock } from './canonical.js';
import { UnreadableDocument } from './errors.js';

interface Piece { text: string; x: number; end: number; y: number; size: number }
interface Line { segments: Piece[]; x: number; end: number; y: number; size: number }

const packageDir = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const ASCII_WORD = /[A-Za-z0-9%.]$/;
const SENTENCE_END = /[。！？；：!?;:]$/;

/** Paragraphs and tables of a PDF's text layer, rebuilt from the positions of its text pieces. */
export async function pdfBlocks(data: Uint8Array, maxChars = Infinity): Promise<DocumentBlock[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await pdfjs.getDocument({
      data, isEvalSupported: false, verbosity: 0, disableFontFace: true, useSystemFonts: false,
      cMapUrl: join(packageDir, 'cmaps/'), cMapPacked: true, standardFontDataUrl: join(packageDir, 'standard_fonts/'),
    }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException') throw new UnreadableDocument('damaged', 'PDF 文件已加密，请先解除密码 (the PDF is password-protected)');
    throw new UnreadableDocument('damaged', 'PDF 文件已损坏或不完整，无法读取 (the PDF is damaged or incomplete)');
  }
  try {
    const blocks: DocumentBlock[] = [];
    let chars = 0;
    // past maxChars the text is refused anyway: the remaining pages are not read
    for (let p = 1; p <= doc.numPages && chars <= maxChars; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      const pieces: Piece[] = [];
      for (const item of content.items) {
        if (!('str' in item) || !item.str.trim()) continue;
        const [, , c, d, x, y] = item.transform as number[];
        const size = Math.hypot(c, d) || 10;
        pieces.push({ text: item.str, x, end: x + item.width, y, size });
        chars += item.str.length;
      }
      blocks.push(...pageBlocks(lines(pieces)));
      page.cleanup();
    }
    return blocks;
  } finally {
    await doc.destroy();
  }
}

function lines(pieces: Piece[]): Line[] {
  const rows: Piece[][] = [];
  for (const piece of [...pieces].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const row = rows.find((r) => Math.abs(r[0].y - piece.y) < 0.4 * Math.min(r[0].size, piece.size));
    if (row) row.push(piece);
    else rows.push([piece]);
  }
  return rows.map((row) => {
    row.sort((a, b) => a.x - b.x);
    const segments: Piece[] = [];
    for (const piece of row) {
      const last = segments.at(-1);
      const gap = last ? piece.x - last.end : Infinity;
      if (last && gap < piece.size) {
        const space = gap > 0.15 * piece.size && ASCII_WORD.test(last.text) && /^[A-Za-z0-9]/.test(piece.text) ? ' ' : '';
        segments[segments.length - 1] = { ...last, text: last.text + space + piece.text, end: Math.max(last.end, piece.end) };
      } else segments.push({ ...piece });
    }
    return { segments, x: segments[0].x, end: Math.max(...segments.map((s) => s.end)), y: row[0].y, size: row[0].size };
  }).sort((a, b) => b.y - a.y);
}

function pageBlocks(page: Line[]): DocumentBlock[] {
  const blocks: DocumentBlock[] = [];
  const right = Math.max(0, ...page.map((l) => l.end));
  let paragraph: Line | null = null;
  for (let i = 0; i < page.length; i++) {
    const line = page[i];
    const tabular = (l: Line | undefined) => !!l && l.segments.length > 1;
    if (tabular(line) && (tabular(page[i - 1]) || tabular(page[i + 1]))) {
      let j = i;
      while (tabular(page[j + 1])) j++;
      blocks.push({ kind: 'table', rows: tableRows(page.slice(i, j + 1)) });
      paragraph = null;
      i = j;
      continue;
    }
    const text = line.segments.map((s) => s.text).join(' ');
    const prev = blocks.at(-1);
    if (paragraph && prev?.kind === 'paragraph') prev.text += text;
    else blocks.push({ kind: 'paragraph', text });
    paragraph = line.end >= right - 1.5 * line.size && !SENTENCE_END.test(text.trim()) ? line : null;
  }
  return blocks;
}

/** Cells placed in the columns of the row with the most cells, by where each cell's middle falls. */
function tableRows(rows: Line[]): string[][] {
  const widest = rows.reduce((a, b) => (b.segments.length > a.segments.length ? b : a));
  const bounds = widest.segments.slice(1).map((s, k) => (widest.segments[k].end + s.x) / 2);
  return rows.map((row) => {
    const cells = widest.segments.map(() => '');
    for (const s of row.segments) {
      const column = bounds.filter((b) => (s.x + s.end) / 2 > b).length;
      cells[column] = cells[column] ? `${cells[column]} ${s.text}` : s.text;
    }
    return cells;
  });
}
