/** Canonical text of an upload: a line per paragraph; a table as tab-separated rows between blank lines (a
 *  span of n columns is followed by n−1 empty cells). Only this file knows the form. */
export const CELL_SEPARATOR = '\t';

export type DocumentBlock = { kind: 'paragraph'; text: string } | { kind: 'table'; rows: string[][] };

const squeeze = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, ' ').trim();

export function canonicalText(blocks: readonly DocumentBlock[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.kind === 'paragraph') {
      const text = squeeze(block.text);
      if (text) lines.push(text);
      continue;
    }
    const rows = block.rows.map((r) => r.map(squeeze)).filter((r) => r.some((c) => c));
    if (!rows.length) continue;
    if (lines.length && lines.at(-1) !== '') lines.push('');
    lines.push(...rows.map((r) => r.join(CELL_SEPARATOR)), '');
  }
  while (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

export interface CanonicalTable {
  /** string offsets of the table's first and past its last row in the text */
  start: number;
  end: number;
  rows: { cells: string[]; start: number; end: number }[];
}

/** The tables of a canonical text: runs of lines holding a tab, each line a row. */
export function canonicalTables(text: string): CanonicalTable[] {
  const tables: CanonicalTable[] = [];
  let current: CanonicalTable | null = null;
  const lineRe = /[^\n]*/g;
  for (let m = lineRe.exec(text); m; m = lineRe.exec(text)) {
    const line = m[0];
    if (line.includes(CELL_SEPARATOR)) {
      const row = { cells: line.split(CELL_SEPARATOR), start: m.index, end: m.index + line.length };
      if (!current) tables.push((current = { start: row.start, end: row.end, rows: [] }));
      current.rows.push(row);
      current.end = row.end;
    } else current = null;
    lineRe.lastIndex = m.index + line.length + 1;
    if (lineRe.lastIndex > text.length) break;
  }
  return tables;
}
