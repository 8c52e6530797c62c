/** Text layout for the extractor: offset-keeping normalisation, paragraphs, clauses, segments and names. */

/** Full-width to ASCII, one unit for one (offsets kept); a full-width comma stays: 120，300 is two numbers. */
export function normalizeWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000\uFE6A]/g, (c) => {
    if (c === '\u3000') return ' ';
    if (c === '\uFE6A') return '%';
    if ('，；：！？（）'.includes(c)) return c;
    return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  });
}

export interface Span {
  start: number;
  end: number;
}

export interface Block extends Span {
  heading: boolean;
}

const TERMINAL_END = /[。！？!?；;：:，,.…”’"』」)）]$/;
const OPEN_END = /[，,、：:；;（(“‘《—-]$/;

function unbalanced(line: string): boolean {
  const count = (re: RegExp) => (line.match(re) ?? []).length;
  return (
    count(/“/g) > count(/”/g) ||
    count(/‘/g) > count(/’/g) ||
    count(/[（(]/g) > count(/[）)]/g) ||
    count(/《/g) > count(/》/g)
  );
}

/** Paragraphs and headings: a plainly cut line continues into the next. */
export function splitBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lineRe = /[^\n]*(?:\n|$)/g;
  let open = false;
  let current: { start: number; end: number; lines: number; firstLine: string } | null = null;
  const close = () => {
    if (!current) return;
    const heading = current.lines === 1 && isHeadingLine(current.firstLine);
    blocks.push({ start: current.start, end: current.end, heading });
    current = null;
  };
  for (let m = lineRe.exec(text); m && m[0] !== ''; m = lineRe.exec(text)) {
    const raw = m[0].replace(/\r?\n$/, '');
    const lead = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (!line) continue;
    const start = m.index + lead;
    const end = start + line.length;
    if (current && open) {
      current.end = end;
      current.lines++;
    } else {
      close();
      current = { start, end, lines: 1, firstLine: line };
    }
    open =
      OPEN_END.test(line) ||
      unbalanced(text.slice(current.start, current.end)) ||
      (line.length > 40 && !TERMINAL_END.test(line));
    if (lineRe.lastIndex >= text.length) break;
  }
  close();
  return blocks;
}

function isHeadingLine(line: string): boolean {
  // 到2027年,力争工业规模提升至7万亿级,服务业规模提升至4万亿级: clauses with figures, a sentence without its full stop
  if (/[，,][^，,]*\d/.test(line)) return false;
  return line.length <= 40 && !/[。！？!?；;：:，,、.]$/.test(line) && !/[。！？!?；;]|\.(?!\d)/.test(line.slice(0, -1));
}

/** Sentence ends: 。！？!? and an ASCII full stop that is not a decimal point. Semicolons end clauses. */
export const SENTENCE_END = /[。！？!?]|\.(?!\d)|…{1,2}$/;

export interface Segment extends Span {
  /** the clause around it: separators except 、 */
  clause: Span;
  sentence: number;
  /** bracket depth: 0 outside （…）, 1 inside */
  depth: number;
}

const CLAUSE_SEPARATORS = '，,；;：:。！？!?\n…';

function isSeparator(text: string, i: number, withEnumeration: boolean): boolean {
  const c = text[i];
  if (c === '、') return withEnumeration;
  if (c === '.') return !(/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? ''));
  // 2,600: a thousands separator
  if (c === ',' && /\d/.test(text[i - 1] ?? '') && /^\d{3}(?!\d)/.test(text.slice(i + 1, i + 5))) return false;
  return CLAUSE_SEPARATORS.includes(c);
}

/** Segments between separators at one bracket depth; a bracket's content is segmented on its own. */
export function segmentBlock(text: string, block: Span): Segment[] {
  const depth: number[] = [];
  let d = 0;
  let maxDepth = 0;
  for (let i = block.start; i < block.end; i++) {
    const c = text[i];
    if (c === '（' || c === '(') {
      depth[i - block.start] = d;
      if (d > maxDepth) maxDepth = d;
      d++;
      continue;
    }
    if ((c === '）' || c === ')') && d > 0) {
      d--;
      depth[i - block.start] = d;
      continue;
    }
    depth[i - block.start] = d;
    if (d > maxDepth) maxDepth = d;
  }
  const depthAt = (i: number) => depth[i - block.start] ?? 0;
  const segments: Segment[] = [];
  // sentence index per position (depth-independent)
  const sentenceOf: number[] = [];
  let sentence = 0;
  for (let i = block.start; i < block.end; i++) {
    sentenceOf[i - block.start] = sentence;
    const c = text[i];
    if (/[。！？!?]/.test(c) || (c === '.' && !(/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')))) {
      sentence++;
    }
  }
  for (let level = 0; level <= maxDepth; level++) {
    let segStart = -1;
    let clauseStart = -1;
    const pending: Segment[] = [];
    const closeSegment = (end: number) => {
      if (segStart < 0) return;
      const span = trimSpan(text, { start: segStart, end });
      segStart = -1;
      if (span.end <= span.start) return;
      const seg: Segment = { ...span, clause: span, sentence: sentenceOf[span.start - block.start] ?? 0, depth: level };
      segments.push(seg);
      pending.push(seg);
    };
    const closeClause = (end: number) => {
      if (clauseStart >= 0) {
        const clause = trimSpan(text, { start: clauseStart, end });
        for (const seg of pending) seg.clause = clause;
      }
      pending.length = 0;
      clauseStart = -1;
    };
    for (let i = block.start; i < block.end; i++) {
      if (depthAt(i) < level) {
        closeSegment(i);
        closeClause(i);
        continue;
      }
      if (depthAt(i) === level && isSeparator(text, i, true)) {
        closeSegment(i);
        if (isSeparator(text, i, false)) closeClause(i);
        continue;
      }
      if (segStart < 0) segStart = i;
      if (clauseStart < 0) clauseStart = i;
    }
    closeSegment(block.end);
    closeClause(block.end);
  }
  return segments;
}

/** Trim spaces and unpaired quotes/brackets from both ends of a span. */
export function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  const strip = /[\s“”"‘’'「」『』]/;
  for (;;) {
    const before = [start, end];
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    const inner = text.slice(start, end);
    if (start < end && strip.test(text[start]) && !hasClosing(inner, text[start])) start++;
    if (end > start && strip.test(text[end - 1]) && !hasOpening(text.slice(start, end), text[end - 1])) end--;
    if (before[0] === start && before[1] === end) break;
  }
  return { start, end };
}

const PAIRS: Record<string, string> = { '“': '”', '‘': '’', '「': '」', '『': '』', '"': '"', "'": "'" };
function hasClosing(s: string, open: string): boolean {
  const close = PAIRS[open];
  return close !== undefined && s.indexOf(close, 1) > 0;
}
function hasOpening(s: string, close: string): boolean {
  const open = Object.keys(PAIRS).find((k) => PAIRS[k] === close);
  return open !== undefined && s.slice(0, -1).includes(open);
}

export interface QuotedSpan extends Span {
  /** a 《title》 or a short quoted name/slogan, whose figures and words are not statements */
  name: boolean;
  kind: 'title' | 'quote';
}

/** Quoted spans; a short quote without clause punctuation is a name, a long one reported speech. */
export function quotedSpans(text: string, block: Span): QuotedSpan[] {
  const out: QuotedSpan[] = [];
  const pairs: [string, string, 'title' | 'quote'][] = [
    ['《', '》', 'title'], ['〈', '〉', 'title'], ['“', '”', 'quote'], ['‘', '’', 'quote'], ['「', '」', 'quote'], ['『', '』', 'quote'],
  ];
  const s = text.slice(block.start, block.end);
  for (const [open, close, kind] of pairs) {
    const stack: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === open) stack.push(i);
      else if (s[i] === close && stack.length) {
        const a = stack.pop()!;
        out.push(makeQuoted(s, a, i, block.start, kind));
      }
    }
  }
  // ASCII double quotes pair up in order
  let a = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '"') continue;
    if (a < 0) a = i;
    else {
      out.push(makeQuoted(s, a, i, block.start, 'quote'));
      a = -1;
    }
  }
  return out;
}

function makeQuoted(s: string, a: number, b: number, offset: number, kind: 'title' | 'quote'): QuotedSpan {
  const content = s.slice(a + 1, b);
  const name = kind === 'title' || (content.length <= 20 && !/[，,。；;！？!?：:]/.test(content));
  return { start: offset + a, end: offset + b + 1, name, kind };
}

export function insideAny(pos: number, spans: readonly Span[]): Span | undefined {
  return spans.find((s) => pos >= s.start && pos < s.end);
}

const GAP = '[ \\u00a0\\u2009\\u202f]';
/** 3 5 0家: three or more single digits spaced apart (not tab-separated cells). */
const SPACED_DIGITS = new RegExp(`(?<![\\d.,])\\d(?:${GAP}\\d){2,}(?![\\d.])`, 'g');
/** 2\n000亿元: a line broken inside a number of a sentence (not a table cell on a line of its own). */
const BROKEN_NUMBER = new RegExp(`(?<=[^\\d\\s.,][^\\n]*?)(?<![\\d.,])\\d+${GAP}*\\r?\\n${GAP}*\\d+(?:\\.\\d+)?(?=[万亿千百]*[^\\d\\s，,。；;：:、|])`, 'g');
/** 2000亿 元, 2000\n亿元: a break between a number, its magnitude and its unit. */
const BROKEN_UNIT = new RegExp(`(?<=[^\\d\\s.][^\\n]*?)(?<![\\d.,])(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[万亿]+)?(?:${GAP}*\\r?\\n${GAP}*|${GAP}+)(?:[万亿]+(?:${GAP}*\\r?\\n${GAP}*|${GAP}+))?(?=[万亿元家个人辆台项户吨亩%])`, 'g');

/** Stray spaces inside numbers moved in front of the figure, keeping length and offsets. */
export function closeNumberGaps(text: string): string {
  const squeeze = (m: string) => {
    const kept = m.replace(/[\s\u00a0\u2009\u202f]+/g, '');
    return ' '.repeat(m.length - kept.length) + kept;
  };
  return text.replace(SPACED_DIGITS, squeeze).replace(BROKEN_NUMBER, squeeze).replace(BROKEN_UNIT, squeeze);
}
