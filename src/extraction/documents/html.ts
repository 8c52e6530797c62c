import { type DefaultTreeAdapterTypes as T, parse } from 'parse5';
import type { DocumentBlock } from './canonical.js';

const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object']);
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'figure', 'figcaption', 'caption', 'form', 'fieldset', 'address', 'center', 'hr',
]);

type Node = T.Node;
const isElement = (n: Node): n is T.Element => 'tagName' in n;
const isText = (n: Node): n is T.TextNode => n.nodeName === '#text';

/** Paragraphs and tables of an HTML page (a published web page, or mammoth's rendering of a Word file). */
export function htmlBlocks(html: string): DocumentBlock[] {
  const blocks: DocumentBlock[] = [];
  let paragraph = '';
  const flush = () => {
    if (paragraph.trim()) blocks.push({ kind: 'paragraph', text: paragraph });
    paragraph = '';
  };
  const walk = (node: Node) => {
    if (isText(node)) {
      paragraph += node.value;
      return;
    }
    if (!isElement(node)) {
      if ('childNodes' in node) node.childNodes.forEach(walk);
      return;
    }
    const tag = node.tagName;
    if (SKIPPED.has(tag)) return;
    if (tag === 'br') {
      flush();
      return;
    }
    if (tag === 'table') {
      flush();
      blocks.push({ kind: 'table', rows: tableRows(node) });
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    node.childNodes.forEach(walk);
    if (block) flush();
  };
  walk(parse(html));
  flush();
  return blocks;
}

/** Rows of cells; a cell spanning columns is followed by empty ones, a nested table reads as its text. */
function tableRows(table: T.Element): string[][] {
  const rows: string[][] = [];
  const visit = (node: T.Element) => {
    for (const child of node.childNodes) {
      if (!isElement(child)) continue;
      if (child.tagName === 'tr') rows.push(rowCells(child));
      else if (['thead', 'tbody', 'tfoot'].includes(child.tagName)) visit(child);
    }
  };
  visit(table);
  return rows;
}

function rowCells(tr: T.Element): string[] {
  const cells: string[] = [];
  for (const cell of tr.childNodes) {
    if (!isElement(cell) || (cell.tagName !== 'td' && cell.tagName !== 'th')) continue;
    cells.push(textOf(cell));
    const span = Number(cell.attrs.find((a) => a.name === 'colspan')?.value ?? 1);
    for (let i = 1; i < Math.min(Number.isFinite(span) ? span : 1, 50); i++) cells.push('');
  }
  return cells;
}

function textOf(node: Node): string {
  if (isText(node)) return node.value;
  if (isElement(node) && SKIPPED.has(node.tagName)) return '';
  if (!('childNodes' in node)) return '';
  const parts = node.childNodes.map(textOf);
  const block = isElement(node) && (BLOCKS.has(node.tagName) || node.tagName === 'br');
  return block ? ` ${parts.join('')} ` : parts.join('');
}
