/** Indicator tables (主要指标表) flattened into text, a line per row or per cell; each row a target with its
 *  baseline, unless its target cell is not a number. */
import type { Comparator } from './comparators.js';
import type { Candidate } from './extract.js';
import type { DocumentYear } from './deadlines.js';
import { parseArabic, round } from './numerals.js';

export type TableRowCandidate = Candidate & Required<Pick<Candidate, 'binding' | 'department' | 'table'>>;

export interface TablesFound {
  candidates: TableRowCandidate[];
  /** text spans the tables cover: sentence rules skip them */
  spans: { start: number; end: number }[];
}

type Role = 'index' | 'category' | 'indicator' | 'unit' | 'base' | 'target' | 'cumulative' | 'rate' | 'weight' | 'year' | 'attribute' | 'department' | 'other';

interface Cell {
  text: string;
  start: number;
  end: number;
}

interface Column {
  role: Role;
  year: number | null;
  label: string;
}

const INDICATOR_HEADER = /^(?:主要)?(?:指标|指标名称|指标内容|具体指标|名称|项目)$/;
const YEAR = /((?:19|20)\d{2})\s*年?/;
const ATTRIBUTE_CELL = /^(?:约束性|预期性|约束|预期|指导性)$/;
const EMPTY_CELL = /^(?:[\/／\-—–－~～]+|一|无|暂无|)$/;
/** 农(nóng)业: the pinyin a repost leaves after characters */
const PINYIN_DEBRIS = /[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]/g;
const DEPARTMENT_CELL = /(?:局|委|办|厅|中心|政府|管委会|街道|办事处)$/;

/** A cell's words without pinyin debris and spaces. */
function cleanLabel(label: string): string {
  return label.replace(PINYIN_DEBRIS, '').replace(/\s+/g, '');
}

function columnOf(label: string): Column | null {
  let l = cleanLabel(label);
  // 2020年基期值(起始日期用作比较的数据): a gloss in brackets after the column's name
  if (l.length > 16) l = l.replace(/[(（][^()（）]{4,}[)）]/g, '');
  if (l.length > 16) return null;
  const year = YEAR.exec(l);
  const y = year ? Number(year[1]) : null;
  if (/^序号$/.test(l)) return { role: 'index', year: null, label };
  if (/^(?:类别|领域|分类|一级指标|维度|方面)$/.test(l)) return { role: 'category', year: null, label };
  if (INDICATOR_HEADER.test(l) || /^二级指标$/.test(l)) return { role: 'indicator', year: null, label };
  if (/^(?:计量)?单位$/.test(l)) return { role: 'unit', year: null, label };
  if (/属性|性质/.test(l)) return { role: 'attribute', year: null, label };
  if (/责任单位|牵头单位|责任部门|牵头部门|责任主体|监考单位|考核单位/.test(l)) return { role: 'department', year: null, label };
  if (/^(?:分值|权重|分数|赋分)$/.test(l)) return { role: 'weight', year: null, label };
  if (/累计/.test(l)) return { role: 'cumulative', year: y, label };
  if (/^(?:年均)?(?:增长|增速|增幅|增)(?:率|速度)?(?:[(（]%[)）])?$|^年均/.test(l)) return { role: 'rate', year: null, label };
  if (/基期|基准|现状|基数/.test(l)) return { role: 'base', year: y, label };
  if (/目标|预期值|规划值/.test(l)) return { role: 'target', year: y, label };
  if (y !== null && l.length <= 12) return { role: 'year', year: y, label };
  return null;
}

/** A header: an indicator column and a year or value column, every cell a column name. */
function header(cells: string[]): Column[] | null {
  if (cells.length < 3) return null;
  const cols = cells.map((c) => (c.trim() === '' ? { role: 'other' as Role, year: null, label: '' } : columnOf(c)));
  if (cols.some((c) => c === null)) return null;
  const list = cols as Column[];
  // 指标 spanning two columns (category, name): the blank one after it holds the names
  const ii = list.findIndex((c) => c.role === 'indicator');
  if (ii >= 0 && list[ii + 1]?.label === '' && list[ii + 1].role === 'other') {
    list[ii] = { ...list[ii], role: 'category' };
    list[ii + 1] = { ...list[ii + 1], role: 'indicator' };
  }
  if (!list.some((c) => c.role === 'indicator')) return null;
  if (!list.some((c) => ['base', 'target', 'year', 'cumulative'].includes(c.role))) return null;
  // the years without a word: the last is the target, the ones before it baselines
  const years = list.filter((c) => c.role === 'year');
  const hasTarget = list.some((c) => c.role === 'target');
  const hasBase = list.some((c) => c.role === 'base');
  years.forEach((c, i) => {
    if (!hasTarget && i === years.length - 1) c.role = 'target';
    else if (!hasBase) c.role = 'base';
  });
  if (!list.some((c) => c.role === 'target' || c.role === 'cumulative')) return null;
  return list;
}

interface Line extends Cell {
  cells: Cell[];
}

function splitCells(line: Cell): Cell[] {
  const sep = line.text.includes('\t') ? '\t' : line.text.includes('|') ? '|' : null;
  if (!sep) return [line];
  const out: Cell[] = [];
  let at = 0;
  const parts = line.text.split(sep);
  for (const [i, p] of parts.entries()) {
    const lead = p.length - p.trimStart().length;
    const t = p.trim();
    // `a | b |`: nothing after the last bar
    if (!(sep === '|' && i === parts.length - 1 && t === '')) out.push({ text: t, start: line.start + at + lead, end: line.start + at + lead + t.length });
    at += p.length + 1;
  }
  return out;
}

function linesOf(norm: string): Line[] {
  const out: Line[] = [];
  const re = /[^\n]*/g;
  for (let m = re.exec(norm); m; m = re.exec(norm)) {
    const raw = m[0].replace(/\r$/, '');
    out.push({ text: raw, start: m.index, end: m.index + raw.length, cells: splitCells({ text: raw, start: m.index, end: m.index + raw.length }) });
    if (re.lastIndex >= norm.length) break;
    re.lastIndex++;
  }
  return out;
}

/** A target cell: ≥ 90%, ＞50, 2000以上, 15左右, 〔18〕, 1.2万; null when it states no number. */
export function parseValueCell(cell: string): { value: number; comparator: Comparator; unit: string; cumulative: boolean; approximate: boolean } | null {
  let s = cell.replace(/\s+/g, '').replace(/[＞]/g, '>').replace(/[＜]/g, '<').replace(/[≧]/g, '≥').replace(/[≦]/g, '≤');
  const cumulative = /^[〔\[【(（].*[〕\]】)）]$/.test(s);
  if (cumulative) s = s.slice(1, -1);
  let comparator: Comparator = '>=';
  let approximate = false;
  const pre = /^(≥|>=|≤|<=|>|<|不低于|不少于|不超过|不高于|低于|高于|超过|达到|力争|约)/.exec(s);
  if (pre) {
    comparator = ({ '≥': '>=', '>=': '>=', '≤': '<=', '<=': '<=', '>': '>', '<': '<', 不低于: '>=', 不少于: '>=', 不超过: '<=', 不高于: '<=', 低于: '<', 高于: '>', 超过: '>' } as Record<string, Comparator>)[pre[1]] ?? '>=';
    if (pre[1] === '约') approximate = true;
    s = s.slice(pre[0].length);
  }
  const m = /^(\d+(?:,\d{3})*(?:\.\d+)?)(万亿|万|亿|千)?(.*)$/.exec(s);
  if (!m) return null;
  const value = parseArabic(m[1]);
  if (value === null) return null;
  let rest = m[3];
  const post = /(以上|以下|以内|左右|及以上|及以下)$/.exec(rest);
  if (post) {
    if (/以下|以内/.test(post[1])) comparator = '<=';
    if (post[1] === '左右') approximate = true;
    rest = rest.slice(0, -post[1].length);
  }
  // 6—7: a range is not read here; words after the number (持续提升) make it no value
  if (rest && !/^[%‰a-zA-Z\u4e00-\u9fff/²³·]{1,10}$/.test(rest)) return null;
  if (/[提升改善下降增长保持稳定]/.test(rest) && !/^%$/.test(rest)) return null;
  return { value, comparator, unit: (m[2] ?? '') + rest, cumulative, approximate };
}

const LOWER_BETTER = /极差|劣|排放|能耗|水耗|失业率|事故|死亡率|污染|浓度|发生率|负债率|差距|恩格尔系数|收入比/;

const unitInName = /[（(]\s*([^（）()]{1,12})\s*[）)]\s*$|[（(]\s*(%|‰)\s*$/;

/** Department names in a 责任单位 cell: 区发改委、区统计局 (or run together, 区发改委区统计局) → the lead first. */
export function departmentsIn(cell: string): string[] {
  return cell.split(/[、，,；;\/\s]+|(?<=[局委办厅])(?=[区市县省])/).map((d) => d.replace(/[（(]牵头[）)]|牵头$/, '').trim()).filter(Boolean);
}

interface Row {
  cells: (Cell | null)[];
  start: number;
  end: number;
}

/** Cells of a row placed in the header's columns. */
function place(cols: Column[], cells: Cell[], lastCategory: string): { placed: (Cell | null)[]; category: string } {
  const n = cols.length;
  const ni = cols.findIndex((c) => c.role === 'indicator');
  let row: (Cell | null)[] = [...cells];
  let category = lastCategory;
  if (row.length > n) {
    // a category column the header spans with 指标
    const extra = row.splice(0, row.length - n);
    category = extra.map((c) => c!.text).join('') || category;
  } else if (row.length < n) {
    // the group's category (and index) written on its first row only
    const lead = cols.slice(0, ni).filter((c) => c.role === 'category' || c.role === 'index').length;
    const missing = Math.min(lead, n - row.length);
    row = [...Array<null>(missing).fill(null), ...row];
    while (row.length < n) row.push(null);
    // an attribute cell found by its words goes to the attribute column
    const ai = cols.findIndex((c) => c.role === 'attribute');
    const at = row.findIndex((c) => c !== null && ATTRIBUTE_CELL.test(c.text));
    if (ai >= 0 && at >= 0 && at !== ai) {
      const cell = row[at];
      row[at] = null;
      row[ai] = cell;
    }
    // 新增企业 / 家 / (blank) / 120 / 预期性 with the blank base cell written as nothing: the value is the target
    const ti = cols.findIndex((c) => c.role === 'target');
    const bi = cols.findIndex((c) => c.role === 'base');
    if (ti > bi && bi >= 0 && row[ti] === null && row[bi] && parseValueCell(row[bi]!.text) !== null) {
      row[ti] = row[bi];
      row[bi] = null;
    }
  }
  const ci = cols.findIndex((c) => c.role === 'category');
  if (ci >= 0 && row[ci] && row[ci]!.text) category = row[ci]!.text;
  return { placed: row, category };
}

/** An indicator's name: words that are no value, 属性 or department. */
function nameLike(cell: Cell): boolean {
  const t = cleanLabel(cell.text);
  return /[\u4e00-\u9fff]/.test(t) && !ATTRIBUTE_CELL.test(t) && !DEPARTMENT_CELL.test(t) && parseValueCell(t) === null && !EMPTY_CELL.test(t);
}

/** Rows of a cell-a-line table, ended by a last-column 属性 cell or the header's width (merged cells shorten them). */
function rowsFromStream(cols: Column[], cells: Cell[]): Cell[][] {
  const rows: Cell[][] = [];
  const lastIsAttribute = cols[cols.length - 1].role === 'attribute';
  const ni = cols.findIndex((c) => c.role === 'indicator');
  const afterName = cols[ni + 1]?.role;
  let cur: Cell[] = [];
  cells.forEach((c, k) => {
    if (!lastIsAttribute && cur.length > ni && afterName && afterName !== 'unit' && nameLike(c)) {
      const next = cells[k + 1];
      if (next && (parseValueCell(next.text) !== null || EMPTY_CELL.test(next.text.trim()))) {
        rows.push(cur);
        cur = [];
      }
    }
    cur.push(c);
    if (lastIsAttribute ? ATTRIBUTE_CELL.test(c.text) : cur.length === cols.length) {
      rows.push(cur);
      cur = [];
    }
  });
  if (cur.length) rows.push(cur);
  return rows;
}

/** 2015 / 基期值 and 年均增速 / 〔累计〕: a header cell broken over two lines is one column. */
function mergeBrokenHeader(head: Cell[]): Cell[] {
  const out: Cell[] = [];
  for (const c of head) {
    const prev = out[out.length - 1];
    const t = cleanLabel(c.text);
    const joinsYear = prev && /^(?:19|20)\d{2}年?$/.test(cleanLabel(prev.text)) && /^(?:基期|目标|规划|预期|现状)/.test(t);
    const joinsRate = prev && columnOf(prev.text)?.role === 'rate' && /^[〔\[(（].*[〕\])）]$/.test(t);
    if (joinsYear || joinsRate) out[out.length - 1] = { text: `${prev.text}${c.text}`, start: prev.start, end: c.end };
    else out.push(c);
  }
  return out;
}

/** The year a table's title names (旌阳区2016年度经济社会发展目标任务分解表), for a target column without one. */
function titleYear(lines: Line[], at: number): number | null {
  for (let j = at - 1, seen = 0; j >= 0 && seen < 3; j--) {
    const t = lines[j].text.trim();
    if (!t) continue;
    seen++;
    const years = [...new Set([...t.matchAll(/((?:19|20)\d{2})\s*年/g)].map((m) => Number(m[1])))];
    if (years.length === 1 && t.length <= 40 && /表|指标|任务|目标/.test(t)) return years[0];
  }
  return null;
}

/** The label cell of a transposed row and the cells after it (on its line, or on the next line when the label stands alone). */
function labelled(lines: Line[], i: number): { label: string; cells: Cell[]; next: number } | null {
  const line = lines[i];
  if (!line || !line.text.trim() || (line.cells.length < 2 && !/\|\s*$/.test(line.text))) return null;
  const label = cleanLabel(line.cells[0].text);
  if (line.cells.length >= 3) return { label, cells: line.cells.slice(1), next: i + 1 };
  const following = lines[i + 1];
  if (line.cells.length === 1 && following && following.cells.length >= 2 && !columnOf(following.cells[0].text)) return { label, cells: following.cells, next: i + 2 };
  return null;
}

/** A transposed table: a row of names, then rows of values, then 属性; a label may stand alone on its line. */
function transposed(text: string, lines: Line[], i: number): { candidates: TableRowCandidate[]; end: number; span: { start: number; end: number } } | null {
  const names = labelled(lines, i);
  if (!names || !INDICATOR_HEADER.test(names.label) || names.cells.length < 2) return null;
  let j = names.next;
  let target: { col: Column; cells: Cell[] } | null = null;
  let base: { col: Column; cells: Cell[] } | null = null;
  let attributes: Cell[] = [];
  for (;;) {
    const row = labelled(lines, j);
    if (!row || row.cells.length !== names.cells.length) break;
    const col = columnOf(row.label);
    if (col?.role === 'attribute') {
      attributes = row.cells;
      j = row.next;
      break;
    }
    if (!col || !['base', 'target', 'year'].includes(col.role)) break;
    if (col.role === 'base' || (col.role === 'year' && target === null && labelled(lines, row.next) && columnOf(labelled(lines, row.next)!.label)?.role !== 'attribute'))
      base = { col, cells: row.cells };
    else target = { col, cells: row.cells };
    j = row.next;
  }
  if (!target) return null;
  const candidates: TableRowCandidate[] = [];
  names.cells.forEach((nameCell, k) => {
    const cell = target!.cells[k];
    const parsed = parseValueCell(cell.text);
    const name = cleanLabel(nameCell.text);
    const unitMatch = unitInName.exec(name);
    const subject = unitMatch ? name.slice(0, unitMatch.index) : name;
    if (!parsed || !subject) return;
    const b = base && !EMPTY_CELL.test(base.cells[k].text) ? parseValueCell(base.cells[k].text) : null;
    const explicit = /[<>≥≤]|以上|以下|以内|不低于|不少于|不超过|不高于|低于|高于|超过/.test(cell.text);
    const lower = !explicit && LOWER_BETTER.test(subject) && !/下降|降低|减少|削减/.test(subject);
    const notes = [`指标表（横排）第${k + 1}列`];
    if (lower) notes.push('越低越好的指标，按不高于处理');
    candidates.push({
      subject,
      value: parsed.value,
      unit: parsed.unit || (unitMatch ? (unitMatch[1] ?? unitMatch[2]) : ''),
      comparator: lower ? '<=' : parsed.comparator,
      implicit: !explicit,
      deadline: target!.col.year === null ? null : String(target!.col.year),
      baseline: b ? { period: base!.col.year === null ? null : String(base!.col.year), value: round(b.value) } : null,
      relative: null,
      quote: text.slice(cell.start, cell.end),
      start: cell.start,
      end: cell.end,
      confidence: target!.col.year === null ? 0.65 : 0.8,
      notes,
      binding: /约束/.test(attributes[k]?.text ?? ''),
      department: null,
      table: { row: k + 1 },
    });
  });
  const last = lines[j - 1];
  return { candidates, end: j, span: { start: lines[i].start, end: last.end } };
}

export function extractTables(text: string, norm: string, doc: DocumentYear): TablesFound {
  void doc;
  const lines = linesOf(norm);
  const candidates: TableRowCandidate[] = [];
  const spans: { start: number; end: number }[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const across = transposed(text, lines, i);
    if (across) {
      candidates.push(...across.candidates);
      spans.push(across.span);
      i = across.end;
      continue;
    }
    let cols: Column[] | null = null;
    let rows: Cell[][] = [];
    let end = i;
    if (line.cells.length >= 3) {
      cols = header(line.cells.map((c) => c.text));
      if (cols) {
        end = i + 1;
        // a row line: two cells or more, or one ending in `|` (a group's title row); a blank line inside is skipped
        const isRow = (l: Line | undefined) => l !== undefined && (l.cells.length >= 2 || /\|\s*$/.test(l.text));
        while (end < lines.length && (isRow(lines[end]) || (lines[end].text.trim() === '' && isRow(lines[end + 1]) && !header(lines[end + 1].cells.map((c) => c.text))))) {
          if (isRow(lines[end])) rows.push(lines[end].cells);
          end++;
        }
      }
    } else if (line.text.trim() && columnOf(stripBar(line.text))?.role) {
      // one cell a line: the header is the run of column names
      const head: Cell[] = [];
      let j = i;
      const isColumn = (l: Line | undefined) => l !== undefined && l.text.trim() !== '' && columnOf(stripBar(l.text)) !== null;
      for (;;) {
        if (isColumn(lines[j])) head.push(cellOf(lines[j++]));
        else if (j < lines.length && lines[j].text.trim() === '' && head.length && isColumn(lines[j + 1])) j++;
        else break;
      }
      const merged = mergeBrokenHeader(head);
      const found = header(merged.map((c) => c.text));
      if (found) {
        cols = found;
        const body: Cell[] = [];
        while (j < lines.length && lines[j].cells.length === 1) {
          if (lines[j].text.trim() === '' && (j + 1 >= lines.length || lines[j + 1].text.trim() === '')) break;
          if (lines[j].text.trim() !== '') body.push(cellOf(lines[j]));
          j++;
        }
        rows = rowsFromStream(cols, body);
        end = j;
      }
    }
    if (!cols || !rows.length) {
      i++;
      continue;
    }
    const tableStart = line.start;
    let tableEnd = line.end;
    let category = '';
    let parent = '';
    /** a 责任单位 cell merged over the rows below it is written once: those rows have none */
    let lastDepartment: string[] = [];
    rows.forEach((cells, k) => {
      const filled = cells.filter((c) => c.text !== '');
      if (!filled.length) return;
      const rowStart = filled[0].start;
      const rowEnd = filled[filled.length - 1].end;
      tableEnd = Math.max(tableEnd, rowEnd);
      const { placed, category: cat } = place(cols!, cells, category);
      category = cat;
      const get = (role: Role) => {
        const at = cols!.findIndex((c) => c.role === role);
        return at >= 0 ? placed[at] : null;
      };
      const name = (get('indicator')?.text ?? '')
        .replace(PINYIN_DEBRIS, '')
        .replace(/(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])/g, '')
        .replace(/^\d+[.、．]\s*/, '');
      if (!name) return;
      const sub = /^其中[:：]?/.test(name);
      if (!sub) parent = name;
      const targetCol = cols!.findIndex((c) => c.role === 'target');
      const cumCol = cols!.findIndex((c) => c.role === 'cumulative');
      let parsed = targetCol >= 0 && placed[targetCol] ? parseValueCell(placed[targetCol]!.text) : null;
      let col = targetCol;
      if (!parsed && cumCol >= 0 && placed[cumCol]) {
        parsed = parseValueCell(placed[cumCol]!.text);
        col = cumCol;
      }
      if (!parsed) return;
      const notes: string[] = [`指标表第${k + 1}行`];
      const unitMatch = unitInName.exec(name);
      const unitCell = get('unit')?.text ?? '';
      const unit = parsed.unit || (EMPTY_CELL.test(unitCell) ? '' : unitCell) || (unitMatch ? (unitMatch[1] ?? unitMatch[2]) : '');
      let subject = unitMatch && !unitCell ? name.slice(0, unitMatch.index).trim() : name;
      if (sub) subject = `${parent.replace(unitInName, '')}${subject.replace(/^其中[:：]?\s*/, '：')}`;
      const baseCol = cols!.findIndex((c) => c.role === 'base');
      const baseCell = baseCol >= 0 ? placed[baseCol] : null;
      const base = baseCell && !EMPTY_CELL.test(baseCell.text) ? parseValueCell(baseCell.text) : null;
      const deadlineYear = cols![col].year ?? cols!.find((c) => c.role === 'target')?.year ?? titleYear(lines, i);
      if (parsed.cumulative || cols![col].role === 'cumulative') notes.push('〔〕内为规划期累计数');
      if (parsed.approximate) notes.push('约数（左右），按所写数值登记');
      const explicit = /[<>≥≤]|以上|以下|以内|不低于|不少于|不超过|不高于|低于|高于|超过/.test(placed[col]!.text);
      // 劣Ⅴ类比例, 极差比例: lower is better unless the name is the decrease itself (浓度下降〔18〕)
      const lower = !explicit && LOWER_BETTER.test(subject) && !/下降|降低|减少|削减/.test(subject);
      if (lower) notes.push('越低越好的指标，按不高于处理');
      const attribute = get('attribute')?.text ?? '';
      const binding = /约束/.test(attribute);
      const deptAt = cols!.findIndex((c) => c.role === 'department');
      const deptCell = get('department')?.text ?? '';
      let departments = EMPTY_CELL.test(deptCell) ? [] : departmentsIn(deptCell);
      if (deptAt >= 0 && placed[deptAt] === null && !departments.length) {
        departments = lastDepartment;
        if (departments.length) notes.push(`责任单位沿用上一行（合并单元格）：${departments.join('、')}`);
      } else lastDepartment = departments;
      if (category) notes.push(`类别：${category}`);
      if (departments.length > 1) notes.push(`责任单位：${deptCell}`);
      candidates.push({
        subject,
        value: parsed.value,
        unit,
        comparator: lower ? '<=' : parsed.comparator,
        implicit: !explicit,
        deadline: deadlineYear === null ? null : String(deadlineYear),
        baseline: base ? { period: cols![baseCol].year === null ? null : String(cols![baseCol].year), value: round(base.value) } : null,
        relative: null,
        quote: text.slice(rowStart, rowEnd),
        start: rowStart,
        end: rowEnd,
        confidence: deadlineYear === null ? 0.7 : 0.85,
        notes,
        binding,
        department: departments[0] ?? null,
        table: { row: k + 1 },
      });
    });
    spans.push({ start: tableStart, end: tableEnd });
    i = Math.max(end, i + 1);
  }
  return { candidates, spans };
}

function stripBar(s: string): string {
  return s.trim().replace(/\s*\|$/, '').trim();
}

function cellOf(line: Line): Cell {
  const lead = line.text.length - line.text.trimStart().length;
  const t = stripBar(line.text);
  return { text: t, start: line.start + lead, end: line.start + lead + t.length };
}
