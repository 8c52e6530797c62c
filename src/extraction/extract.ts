/**
 * Draft targets from a pasted Chinese policy text. Pure and rule-based: no network, no model. Each
 * candidate carries its clause (JS string offsets into the text as given) for review.
 *
 * A figure (number + unit) is a target when the time words before it say the text plans (到2025年, 力争)
 * rather than reports (去年, 已), or when a strong bound word (以上, 不低于) states it outside a report;
 * names (《titles》, “slogans”) and baselines never are. Comparator, deadline, relative changes and
 * doublings complete it.
 */
import { readComparator, type Comparator, type ComparatorReading } from './comparators.js';
import { deadlineIn, documentYear, scanYears, type DocumentYear, type Mode, type TimeEvent } from './deadlines.js';
import { ARABIC_NUMBER, CHINESE_NUMERAL_RUN, parseArabic, parseNumeral, round, scanShares, splitChineseMagnitude } from './numerals.js';
import { cleanSubject, commonLength, isEnumerationCount, isGeneric, nounAfter } from './subject.js';
import { classifyHeading, modeAt, scanTense } from './tense.js';
import { closeNumberGaps, insideAny, normalizeWidth, quotedSpans, segmentBlock, splitBlocks, type Block, type Segment, type Span } from './text.js';
import { BARE_TRILLION, indexUnit, isCountUnit, matchUnit, scaleUnit, scanRanks } from './unit-words.js';
import { toSimplified } from './traditional.js';
import { extractTables } from './tables.js';
import { extractExecution } from './execution.js';

export interface Candidate {
  subject: string;
  value: number;
  unit: string;
  comparator: Comparator;
  /** true when no bound word states the comparator (达到, 实现, a bare figure) */
  implicit: boolean;
  /** a period: 'YYYY' */
  deadline: string | null;
  baseline: { period: string | null; value: number } | null;
  relative: { kind: 'decrease' | 'increase' | 'multiply'; amount: number; unit: string } | null;
  /** the base period of a relative target whose base value the text does not state (较2020年增长30%, 在2022年的基础上翻一番) */
  basePeriod?: string;
  /** text.slice(start, end) === quote */
  quote: string;
  start: number;
  end: number;
  confidence: number;
  notes: string[];
  /** 约束性 in an indicator table's 属性 column */
  binding?: boolean;
  /** the lead unit of a 责任单位 cell, as written */
  department?: string | null;
  /** the row of an indicator table the candidate is (1-based, header excluded) */
  table?: { row: number };
  /** actuals stated beside the target (计划执行情况): figures to record with it */
  figures?: { period: string; value: number }[];
}

export interface ExtractOptions {
  /** the document's year, when the caller knows it (else a dateline in the text, else inferred, else the clock) */
  documentYear?: number;
  /** the clock for undated text (default: now) */
  now?: Date;
}

export type { Comparator } from './comparators.js';

interface Figure {
  start: number;
  end: number;
  value: number;
  unit: string;
  approximate: boolean;
  /** a rank (前40位): comparator <= */
  rank?: boolean;
  /** a share in words (两成, 三分之一) as written */
  share?: string;
}

interface FigureInfo extends Figure {
  segment: Segment;
  mode: Mode;
  /** the event that set the mode */
  modeEvent: TimeEvent | null;
  reading: ComparatorReading;
  subject: string;
  /** a baseline written as such: 较2022年的35微克/立方米, 在2020年1450亿元的基础上, 从38% */
  baselineOf: { period: string | null } | null;
  /** a total that can be doubled: 总量达到2782家 */
  stock: boolean;
  /** the year a reported figure refers to */
  pastYear: number | null;
  used: boolean;
}

interface Context {
  text: string;
  norm: string;
  doc: DocumentYear;
  /** the current section: its reading, deadline and the year its heading names (2020年湖南) */
  section: { mode: Mode; deadline: number | null; label: string; year: number | null };
  title: { deadline: number | null; label: string; plan: boolean };
  /** how the block before ended: a 具体来看… paragraph goes on from it */
  last: { mode: Mode; deadline: { year: number; label: string } | null } | null;
}

const DOUBLING = /双倍增|倍增|翻一番|翻番|翻两番|翻三番/g;
const DOUBLING_FACTOR: Record<string, number> = { 双倍增: 2, 倍增: 2, 翻一番: 2, 翻番: 2, 翻两番: 4, 翻三番: 8 };
const STOCK = /总量|总数|数量|存量|保有量|拥有|共有|规模达/;
const BASELINE_BEFORE = /(?:较|比|从|由|相比|与)\s*(?:(\d{4})\s*年(?:底|末)?)?\s*的?\s*$/;
const BASELINE_AFTER = /^\s*(?:以上|以下)?\s*(?:的)?\s*(?:基础上|水平上|为基数|为基期)/;
const INCENTIVE = /给予|予以|奖励/;
/** the base period of a relative change: 较2020年, 在2022年的基础上, 以2020年为基数 */
const BASE_PERIOD = /(?:较|比|相比|与|同|在|以)\s*(\d{4})\s*年(?:底|末)?/;
const RANGE_BEFORE = /(\d+(?:\.\d+)?)\s*(?:%|个百分点)?\s*[—–~～\-]\s*$/;
/** indicators whose target is a ceiling (失业率, 价格涨幅) */
const CAPPED = /失业率|价格涨幅|物价涨幅|CPI涨幅|价格指数涨幅/;
const NUMBERED_HEADING = /^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|第[一二三四五六七八九十\d]+[章节部篇])/;
/** a title naming a plan (…行动方案, …实施意见, 重点工作分工方案): its untitled parts plan */
const PLAN_TITLE = /(?:方案|计划|规划|纲要|意见|要点|分工|清单)(?:[（(][^）)]*[）)])?$/;
const NOT_PLAN_TITLE = /执行情况|总结|报告|公报|通报/;
/** 具体来看，质量效益方面，…: a paragraph that details the one before */
const CONTINUATION = /^(?:具体(?:来看|而言|来说|包括|是)|分(?:领域|行业|类|项)(?:来)?看|细化来看|从具体指标看)/;
/** 对地区生产总值增长5%以上、…等经济社会发展预期目标完成情况进行监测: a list that names its figures targets */
const LIST_OF_TARGETS = /^[^。！？!?]*?等[^。！？!?\d]{0,16}?(?<!远景)(?:预期目标|主要目标|发展目标|目标任务|约束性指标|预期性指标)/;
/** 今后五年, 未来3年, 着眼五年, 近三年: a span of years, not a target */
const DURATION_BEFORE = /(?:今后|未来|着眼|近|这|过去|前|后)\s*$/;
/** 六大行动、十项工程, 守好三条生命线, 实施15项重大工程: a programme's count, not a target */
const PROGRAMME = /^(?:项|条|个|大|场)?(?:重大|重点|专项|民生)?(?:工程|行动|战略|举措|攻坚战|生命线)/;
/** 六个加快, 七个能力, 四个坚持: a slogan's count (written in Chinese numerals) */
const SLOGAN = /^(?:个|大|项|条)(?:加快|坚持|着力|能力|方面|领域|原则|转变|一批|统筹|优先|必须|注重|聚焦|围绕|强化|推动|突出)/;
/** 3岁以下婴幼儿, 二级以上医院, 15岁以上人群: a bound that qualifies the noun after it */
const QUALIFIER_AFTER = /^\s*(?:及以上|以上|以下|及以下)(?=[\u4e00-\u9fff])(?!的?(?:水平|标准|目标))/;
const INLINE_HEADING = /^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、])\s*([^。！？!?，,；;]{1,24})[。.！!]/;

export function extractTargets(text: string, options: ExtractOptions = {}): Candidate[] {
  // traditional script and stray gaps in numbers: same length, so offsets still point into `text`
  const norm = closeNumberGaps(normalizeWidth(toSimplified(text)));
  const doc: DocumentYear =
    options.documentYear !== undefined ? { year: options.documentYear, source: 'option' } : documentYear(norm, options.now);
  const ctx: Context = {
    text,
    norm,
    doc,
    section: { mode: 'neutral', deadline: null, label: '', year: null },
    title: { deadline: null, label: '', plan: false },
    last: null,
  };
  const out: Candidate[] = [];
  /** how many candidates the block of each candidate gives: a list gives several */
  const listSize = new Map<Candidate, number>();
  const push = (cs: Candidate[]) => {
    for (const c of cs) listSize.set(c, cs.length);
    out.push(...cs);
  };
  splitBlocks(norm).forEach((block, i) => {
    const line = norm.slice(block.start, block.end);
    if (block.heading) {
      // the first line is the document's title unless it is numbered like a section heading
      const numbered = NUMBERED_HEADING.test(line);
      if (i === 0 && !numbered) {
        ctx.title = { deadline: deadlineIn(line, doc), label: text.slice(block.start, block.end), plan: PLAN_TITLE.test(line.trim()) && !NOT_PLAN_TITLE.test(line.replace(/《[^》]*》/g, '')) };
        return;
      }
      const label = text.slice(block.start, block.end);
      const mode = classifyHeading(line);
      const year = headingYear(line);
      if (mode === 'neutral' && !numbered) {
        // a digest's line (●经济增长6%左右, 到2030年经济总量达到9万亿元左右): an item of its section
        const first = findFigures(norm, block, () => false)[0];
        if (first && !/[|\t]/.test(line) && /[\u4e00-\u9fff]{2}/.test(norm.slice(block.start, first.start))) {
          push(extractBlock(ctx, block));
          return;
        }
        // a year of a digest (2020年湖南): past when before the document's year; a caption (经济增长) keeps its section
        if (year !== null) {
          const past = doc.source !== 'clock' && year < doc.year;
          ctx.section = { mode: past ? 'past' : 'neutral', deadline: null, label, year };
        }
        return;
      }
      // 主要预期目标 under 2021年湖南: the year of the heading before
      const carried = ctx.section.year !== null && ctx.section.year >= doc.year ? ctx.section.year : null;
      ctx.section = { mode, deadline: mode === 'future' ? (deadlineIn(line, doc) ?? carried) : null, label, year: year ?? (mode === 'future' ? carried : null) };
      return;
    }
    push(extractBlock(ctx, block));
  });
  resolveRelativeBases(out);
  const kept = dropRestatements(dropDoublingsOfLevels(out), listSize);
  // indicator tables and plan-execution statements have their own readers, which replace the sentence rules there
  const found = [extractTables(text, normalizeWidth(toSimplified(text)), doc), extractExecution(text, norm, doc)];
  const covered = (c: Candidate) => found.some((f) => f.spans.some((s) => c.start < s.end && s.start < c.end));
  return [...kept.filter((c) => !covered(c)), ...found.flatMap((f) => f.candidates)].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** A doubling without a base (翻番，达到5500亿元) of an indicator with a level target for that year restates it. */
function dropDoublingsOfLevels(cs: Candidate[]): Candidate[] {
  return cs.filter(
    (c) =>
      !(c.relative?.kind === 'multiply' && !c.baseline && !c.basePeriod && c.subject.length >= 4) ||
      !cs.some((d) => d !== c && !d.relative && d.deadline === c.deadline && commonLength(d.subject, c.subject) >= Math.min(6, c.subject.length)),
  );
}

/** 生产总值增幅 → 生产总值: the indicator a subject names */
const indicatorOf = (subject: string) => subject.replace(/(?:预期)?(?:年均)?(?:增幅|降幅|增速|提高幅度)$/, '').replace(/预期$/, '');

/** A target restated in a lead or headline is proposed once, where a list states it. */
function dropRestatements(cs: Candidate[], listSize: Map<Candidate, number>): Candidate[] {
  const dropped = new Set<Candidate>();
  cs.forEach((a, i) => {
    for (const b of cs.slice(i + 1)) {
      if (dropped.has(a) || dropped.has(b)) continue;
      if (a.value !== b.value || a.unit !== b.unit || a.comparator !== b.comparator || a.deadline !== b.deadline) continue;
      if ((a.relative?.kind ?? null) !== (b.relative?.kind ?? null)) continue;
      const [x, y] = [indicatorOf(a.subject), indicatorOf(b.subject)].sort((p, q) => p.length - q.length);
      if (x.length < 4 || !y.includes(x)) continue;
      dropped.add((listSize.get(b) ?? 1) > (listSize.get(a) ?? 1) ? a : b);
    }
  });
  return cs.filter((c) => !dropped.has(c));
}

function extractBlock(ctx: Context, block: Block): Candidate[] {
  const { norm, doc } = ctx;
  const s = norm.slice(block.start, block.end);
  const quoted = quotedSpans(norm, block);
  const names = quoted.filter((q) => q.name);
  const inName = (pos: number) => insideAny(pos, names) !== undefined;
  const events = [...scanYears(s, block.start, doc), ...scanTense(s, block.start)]
    .filter((e) => e.plan || !inName(e.start))
    // in a review section (一、2025年计划执行情况) 年内 is the year reviewed, not a plan for this one
    .filter((e) => !(ctx.section.mode === 'past' && /^(?:年内|本年度?)$/.test(e.label)))
    .sort((a, b) => a.start - b.start || b.end - a.end);

  let initial: Mode = ctx.section.mode === 'neutral' && ctx.title.plan ? 'future' : ctx.section.mode;
  let blockDeadline: { year: number; label: string; from: 'section' | 'title' } | null =
    ctx.section.deadline !== null ? { year: ctx.section.deadline, label: ctx.section.label, from: 'section' } : null;
  const goesOn = CONTINUATION.test(s) && ctx.last?.mode === 'future' ? ctx.last : null;
  if (goesOn) {
    initial = 'future';
    if (goesOn.deadline) blockDeadline = { ...goesOn.deadline, from: 'section' };
  }
  const inline = INLINE_HEADING.exec(s);
  if (inline) {
    const mode = classifyHeading(inline[1]);
    if (mode !== 'neutral') {
      initial = mode;
      const y = mode === 'future' ? deadlineIn(inline[1], doc) : null;
      if (y !== null) blockDeadline = { year: y, label: inline[0], from: 'section' };
      else if (mode === 'past') blockDeadline = null;
    }
  }
  if (!blockDeadline && ctx.title.deadline !== null) blockDeadline = { year: ctx.title.deadline, label: ctx.title.label, from: 'title' };

  const segments = segmentBlock(norm, block);
  const segmentAt = (pos: number): Segment => {
    let best: Segment | undefined;
    for (const seg of segments) if (pos >= seg.start && pos < seg.end && (!best || seg.depth > best.depth)) best = seg;
    return best ?? { start: pos, end: pos, clause: { start: pos, end: pos }, sentence: 0, depth: 0 };
  };

  const figures: FigureInfo[] = findFigures(norm, block, inName).map((f) => {
    const segment = segmentAt(f.start);
    const read = modeAt(events, f.start, initial);
    const { last } = read;
    const mode: Mode = read.mode === 'neutral' && LIST_OF_TARGETS.test(norm.slice(f.end, block.end)) ? 'future' : read.mode;
    return {
      ...f,
      segment,
      mode,
      modeEvent: last,
      reading: { prefix: null, prefixAt: -1, suffix: null },
      subject: '',
      baselineOf: null,
      stock: STOCK.test(norm.slice(segment.start, f.start)),
      pastYear: mode === 'past' ? pastYearAt(events, f.start) : null,
      used: false,
    };
  });

  // readings, subjects and baselines
  const windowStarts: number[] = [];
  figures.forEach((f, i) => {
    const prev = previousInClause(figures, i);
    // 营业收入超10亿元的企业不少于20家: a qualifying figure belongs to the subject of the next one
    const qualifies = prev !== undefined && /^\s*(?:以上|以下)?的/.test(norm.slice(prev.end, f.start));
    const windowStart = qualifies ? windowStarts[figures.indexOf(prev)] : Math.max(f.segment.clause.start, prev ? prev.end : -1);
    windowStarts[i] = windowStart;
    const window = norm.slice(windowStart, f.start);
    const after = norm.slice(f.end, f.segment.clause.end);
    // 分别增长8%、9%: the second figure reads with the first; a 、-item with its own words is read on them
    const ownWords = prev !== undefined && cleanSubject(norm.slice(f.segment.start, f.start).replace(/^[、，,\s]+/, '')) !== '';
    const readFrom = ownWords && !qualifies && f.segment.start > windowStart ? f.segment.start : windowStart;
    const reading = readComparator(norm.slice(readFrom, f.start), after);
    f.reading = reading.prefix ? { ...reading, prefixAt: reading.prefixAt + readFrom - windowStart } : reading;
    // the low end of a range (6%—7%) is read with the high end
    if (prev && /^\s*[—–~～\-]\s*$/.test(norm.slice(prev.end, f.start))) prev.used = true;
    if (!f.reading.prefix && prev && f.reading.suffix?.comparator == null && !ownWords) {
      f.reading = { ...f.reading, prefix: prev.reading.prefix };
    }
    const before = BASELINE_BEFORE.exec(window);
    const prefixEnd = f.reading.prefix ? f.reading.prefixAt + f.reading.prefix.word.length : -1;
    if (before && prefixEnd <= window.length - before[0].length) {
      f.baselineOf = { period: before[1] ?? null };
    } else if (BASELINE_AFTER.test(after)) {
      const y = /(\d{4})\s*年(?:底|末)?\s*$/.exec(window.replace(/[的\s]+$/, ''));
      f.baselineOf = { period: y ? y[1] : null };
    }
    const ownPrefix = window !== '' && readComparator(window, '').prefix !== null;
    const subjectText = ownPrefix && f.reading.prefixAt >= 0 ? window.slice(0, f.reading.prefixAt) : window;
    let subject = cleanSubject(subjectText.replace(/^[、，,；;：:\s]+/, ''));
    if (!subject) subject = nounAfter(after);
    if (!subject && /^(?:力争)?(?:达到|达|为|突破|超过)$/.test(norm.slice(f.segment.clause.start, f.start).trim())) {
      // 增加值实现翻番，达到5500亿元: the indicator of the clause before it in the sentence
      const prevClause = /[^，,。；;！？!?\n]*[，,]\s*$/.exec(norm.slice(block.start, f.segment.clause.start));
      const earlier = figures.slice(0, i).reverse().find((g) => g.segment.sentence === f.segment.sentence && g.subject);
      if (prevClause && /\d/.test(prevClause[0])) subject = earlier?.subject ?? '';
      else if (prevClause) subject = cleanSubject(prevClause[0].replace(/[，,]\s*$/, '').replace(/(?:实现|要|将)?(?:翻番|翻一番|倍增)$/, ''));
    }
    if (!subject) {
      // “十四五”期末达到370亿元: the subject of the figure before it in the sentence
      const earlier = prev ?? figures.slice(0, i).reverse().find((g) => g.segment.sentence === f.segment.sentence);
      if (earlier) subject = earlier.subject.replace(/年均$/, '');
    }
    if (isGeneric(subject)) {
      const earlier = figures.slice(0, i).reverse().find((g) => g.segment.sentence === f.segment.sentence && !isGeneric(g.subject) && g.subject);
      if (earlier) subject = nounOf(earlier.subject) + subject;
    }
    f.subject = subject;
  });
  assignRespectively(norm, figures);

  const out: Candidate[] = [];
  figures.forEach((f, i) => {
    const c = figureCandidate(ctx, f, i, figures, events, blockDeadline, inName);
    if (c) out.push(c);
  });
  out.push(...doublings(ctx, block, figures, events, quoted, blockDeadline, initial, segmentAt));
  const endDeadline = [...events].reverse().find((e) => e.deadline !== undefined && e.effect === 'future');
  ctx.last = {
    mode: modeAt(events, block.end, initial).mode,
    deadline: endDeadline ? { year: endDeadline.deadline!, label: ctx.text.slice(endDeadline.start, endDeadline.end) } : blockDeadline,
  };
  return out;
}

/** Figures of a block: a number with a unit, outside names, not a year, not an ordinal. */
function findFigures(norm: string, block: Span, inName: (pos: number) => boolean): Figure[] {
  const s = norm.slice(block.start, block.end);
  const out: Figure[] = [];
  const take = (start: number, numEnd: number, value: number | null, magnitude: string) => {
    if (value === null || inName(start)) return;
    const before = norm.slice(Math.max(block.start, start - 2), start);
    if (/第\s*$|前$|倒数$|每$|[A-Za-z]$/.test(before)) return;
    let unit = matchUnit(norm, numEnd, magnitude) ?? scaleUnit(norm, numEnd, magnitude);
    const index = unit || magnitude ? null : indexUnit(norm.slice(Math.max(block.start, start - 30), start), norm.slice(numEnd, block.end));
    if (index) unit = { unit: index.unit, magnitude: '', base: index.unit, approximate: false, end: numEnd + index.length };
    if (!unit || unit.end > block.end) return;
    // 巩固提升A、B 2个优势产业: a count of the items just listed
    const clauseBefore = /[^，,。；;：:！？!?\n]*$/.exec(norm.slice(block.start, start))![0];
    const clauseAfter = /^[^，,。；;：:！？!?\n]*/.exec(norm.slice(unit.end, block.end))![0];
    if (isEnumerationCount(clauseBefore, value, clauseAfter)) return;
    const chinese = !/\d/.test(norm[start]);
    if (unit.base === '年' && !unit.magnitude && DURATION_BEFORE.test(norm.slice(Math.max(block.start, start - 2), start))) return;
    if (chinese && value <= 10 && SLOGAN.test(norm.slice(numEnd, block.end))) return;
    if (value <= 20 && Number.isInteger(value) && PROGRAMME.test(norm.slice(chinese ? numEnd : unit.end, block.end)) && (chinese || /[项条个大]$/.test(unit.unit) || unit.end === numEnd)) return;
    if (/^(?:岁|级)$/.test(unit.base) && QUALIFIER_AFTER.test(norm.slice(unit.end, block.end))) return;
    // 近岸海域水质优良(一、二类)比例: classes listed in a name
    if (/^(?:类|级)$/.test(unit.base) && /[一二三四五六七八九十\dⅠⅡⅢⅣⅤ]\s*、\s*$/.test(norm.slice(Math.max(block.start, start - 3), start))) return;
    if (unit.base === '年' && !unit.magnitude && Number.isInteger(value) && value >= 1900 && value <= 2100) return;
    out.push({ start, end: unit.end, value, unit: unit.unit, approximate: unit.approximate });
  };
  for (const m of s.matchAll(ARABIC_NUMBER)) {
    const start = block.start + m.index!;
    take(start, start + m[0].length, parseArabic(m[0]), '');
  }
  for (const m of s.matchAll(CHINESE_NUMERAL_RUN)) {
    const start = block.start + m.index!;
    const { numeral, magnitude } = splitChineseMagnitude(m[0]);
    // 一家, 一个: an article, not a count
    if (numeral === '一' && !magnitude) continue;
    take(start, start + m[0].length, parseNumeral(numeral), magnitude);
  }
  for (const sh of scanShares(s)) {
    const start = block.start + sh.index;
    if (!inName(start)) out.push({ start, end: start + sh.length, value: sh.value, unit: '%', approximate: false, share: sh.written });
  }
  for (const m of s.matchAll(BARE_TRILLION)) {
    const start = block.start + m.index!;
    if (!inName(start)) out.push({ start, end: start + m[0].length, value: 1, unit: '万亿元', approximate: false });
  }
  // 整零比提高至1∶1, 城乡居民收入比缩小到2.2:1: a ratio, its first term with unit :1
  for (const m of s.matchAll(/(?<![\d.:∶])(\d+(?:\.\d+)?)\s*[∶:]\s*1(?![\d.:∶])/g)) {
    const start = block.start + m.index!;
    if (!inName(start)) out.push({ start, end: start + m[0].length, value: Number(m[1]), unit: ':1', approximate: false });
  }
  for (const r of scanRanks(s, parseNumeral)) {
    const start = block.start + r.index;
    if (!inName(start)) out.push({ start, end: start + r.length, value: r.value, unit: '位', approximate: false, rank: true });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The year a heading names on its own (2020年湖南, ■ 2024年成绩单), not a deadline (到2025年) nor a month. */
function headingYear(line: string): number | null {
  const m = /(?<![到至\d])(\d{4})\s*年(?!\s*\d{1,2}\s*月|以来|\s*[—–\-~～至到])/.exec(line);
  return m ? Number(m[1]) : null;
}

function previousInClause(figures: FigureInfo[], i: number): FigureInfo | undefined {
  const f = figures[i];
  for (let j = i - 1; j >= 0; j--) {
    const g = figures[j];
    if (g.end <= f.start && g.start >= f.segment.clause.start && g.segment.depth === f.segment.depth) return g;
    if (g.end <= f.segment.clause.start) break;
  }
  return undefined;
}

function pastYearAt(events: readonly TimeEvent[], pos: number): number | null {
  let y: number | null = null;
  for (const e of events) {
    if (e.start >= pos) break;
    if (e.effect === 'past' && e.pastYear !== undefined) y = e.pastYear;
    if (e.effect === 'future') y = null;
  }
  return y;
}

/** 科技型企业 from 培育科技型企业 … : the noun a generic 总量 refers to. */
function nounOf(subject: string): string {
  return subject.replace(/(?:总量|总数|数量)$/, '');
}

/** 高新技术企业、科技型企业分别达到500家、3000家: the i-th figure after 分别 measures the i-th item. */
function assignRespectively(norm: string, figures: FigureInfo[]): void {
  const byClause = new Map<number, FigureInfo[]>();
  for (const f of figures) {
    const key = f.segment.clause.start * 1e6 + f.segment.clause.end;
    byClause.set(key, [...(byClause.get(key) ?? []), f]);
  }
  for (const group of byClause.values()) {
    const clause = group[0].segment.clause;
    const text = norm.slice(clause.start, clause.end);
    const at = text.indexOf('分别');
    if (at < 0) continue;
    const after = group.filter((f) => f.start >= clause.start + at);
    const items = text.slice(0, at).split('、').map((x) => cleanSubject(x)).filter(Boolean);
    if (after.length < 2 || items.length !== after.length) continue;
    after.forEach((f, k) => (f.subject = items[k]));
  }
}

function figureCandidate(
  ctx: Context,
  f: FigureInfo,
  i: number,
  figures: FigureInfo[],
  events: readonly TimeEvent[],
  blockDeadline: { year: number; label: string; from: 'section' | 'title' } | null,
  inName: (pos: number) => boolean,
): Candidate | null {
  const { norm } = ctx;
  if (f.used || f.baselineOf) return null;
  const { prefix, suffix } = f.reading;
  const strongBound = (suffix !== null && suffix.comparator !== null) || prefix?.strong === true;
  if (f.mode === 'past') return null;
  if (f.mode === 'neutral' && !strongBound) return null;
  // 营业收入超10亿元的企业不少于20家: the first figure qualifies the second
  const after = norm.slice(f.end, f.segment.end);
  if (/^\s*(?:以上|以下)?的/.test(after) && figures.some((g) => g.start > f.end && g.start < f.segment.end)) return null;
  if (inName(f.start)) return null;
  // 对…给予最高50万元补助, 奖励20万元: an incentive the policy grants, not a target it sets
  if (INCENTIVE.test(norm.slice(f.segment.clause.start, f.segment.clause.end))) return null;

  const notes: string[] = [];
  let value = f.value;
  let unit = f.unit;
  let comparator: Comparator;
  let implicit: boolean;
  let relative: Candidate['relative'] = null;
  let baseline: Candidate['baseline'] = null;
  let subject = f.subject;
  let quoteStart = quoteStartFor(norm, f, i, figures);
  let derived = false;
  let basePeriod: string | undefined;

  const kind = prefix?.kind;
  const explicitSuffix = suffix !== null && suffix.comparator !== null;
  const baselineFigure = figures
    .slice(0, i)
    .reverse()
    .find((g) => g.baselineOf && !g.used && g.start >= f.segment.clause.start && g.end <= f.start);

  if (kind === 'decrease' || kind === 'increase') {
    const amount = f.value;
    relative = { kind, amount, unit: f.unit };
    if (baselineFigure && (f.unit === '%' || /百分点$/.test(f.unit))) {
      const b = baselineFigure.value;
      const sign = kind === 'decrease' ? -1 : 1;
      if (f.unit === '%') {
        value = round(b * (1 + (sign * amount) / 100));
        unit = baselineFigure.unit;
        notes.push(`${kind === 'decrease' ? '降幅' : '增幅'}折算：${fmt(b)}${unit}×(1${sign < 0 ? '−' : '+'}${fmt(amount)}%)=${fmt(value)}${unit}`);
      } else {
        value = round(b + sign * amount);
        unit = baselineFigure.unit;
        notes.push(`${fmt(b)}${unit}${sign < 0 ? '−' : '+'}${fmt(amount)}个百分点=${fmt(value)}${unit}`);
      }
      comparator = kind === 'decrease' ? '<=' : '>=';
      implicit = !explicitSuffix;
      baseline = { period: baselineFigure.baselineOf!.period, value: b };
      baselineFigure.used = true;
      quoteStart = Math.min(quoteStart, baselineFigure.segment.start);
      derived = true;
    } else {
      comparator = suffix?.comparator ?? '>=';
      implicit = !explicitSuffix;
      const word = kind === 'decrease' ? '降幅' : /百分点$/.test(f.unit) ? '提高幅度' : '增幅';
      const annual = /年均$/.test(subject);
      subject = annual ? `${subject.replace(/年均$/, '')}年均${word === '增幅' ? '增速' : word}` : `${subject}${word}`;
      const period = BASE_PERIOD.exec(norm.slice(f.segment.clause.start, f.start));
      if (period) basePeriod = period[1];
      notes.push(
        `相对目标：${kind === 'decrease' ? '下降' : '增长'}${fmt(amount)}${f.unit}` +
          (period ? `（较${period[1]}年）` : '') +
          '，文中未给出基期值，按变化幅度登记' +
          (period ? `；基期值确定后目标值=基期值×(1${kind === 'decrease' ? '−' : '+'}${fmt(amount)}${f.unit === '%' ? '%' : f.unit})` : ''),
      );
      if (annual) notes.push('年均增速：逐年考核或按复合增长折算，待确认');
    }
  } else if (kind === 'bound' && prefix) {
    comparator = explicitSuffix ? suffix!.comparator! : prefix.comparator;
    implicit = false;
  } else if (explicitSuffix) {
    comparator = suffix!.comparator!;
    implicit = false;
  } else if (kind === 'level' && prefix) {
    comparator = prefix.comparator;
    implicit = true;
  } else {
    comparator = '>=';
    implicit = true;
  }
  if (f.rank) {
    comparator = '<=';
    implicit = false;
    if (!/排名|位次|名次/.test(subject)) subject += '排名';
    notes.push(`名次目标：前${fmt(f.value)}位，按名次不高于第${fmt(f.value)}位（≤）登记`);
  }
  if (f.share) notes.push(`“${f.share}”按${fmt(f.value)}%登记`);
  if (!relative && baselineFigure && kind === 'level') {
    baseline = { period: baselineFigure.baselineOf!.period, value: baselineFigure.value };
    baselineFigure.used = true;
  }

  // 6%—7%, 6—7%: a range, registered by the bound the comparator points at
  const range = RANGE_BEFORE.exec(norm.slice(Math.max(f.segment.start, f.start - 16), f.start));
  if (range && !derived) {
    const low = Number(range[1]);
    if (comparator === '<=' || comparator === '<') notes.push(`区间目标${fmt(low)}–${fmt(f.value)}${f.unit}，按上限登记`);
    else {
      notes.push(`区间目标${fmt(low)}–${fmt(f.value)}${f.unit}，按下限登记`);
      value = low;
      if (relative) relative = { ...relative, amount: low };
    }
    quoteStart = Math.min(quoteStart, f.start - range[0].length);
  }

  const approxBefore = /(?:约|大约|近)\s*$/.test(norm.slice(f.start - 2, f.start));
  if (f.approximate || suffix?.word === '左右' || approxBefore) notes.push('约数（余/多/约/左右），按所写数值登记');
  // 城镇调查失业率5.5%左右, 居民消费价格涨幅3%左右: a cap, however it is worded
  const cap = !relative && comparator === '>=' && (implicit || suffix?.word === '左右') && CAPPED.test(subject);
  if (cap) {
    comparator = '<=';
    implicit = true;
    notes.push(`“${subject}”越低越好，未写明上下限，按不高于处理`);
  }
  if (implicit && !relative && comparator === '>=') notes.push(`未写明上下限${prefix ? `（“${prefix.word}”）` : ''}，按不低于处理`);
  if (implicit && comparator === '<=' && !derived && !cap) notes.push(`“${prefix?.word ?? ''}”按不高于处理`);
  if (comparator === '>' && prefix) notes.push(`“${prefix.word}”按严格大于处理`);
  if (/级$/.test(unit)) notes.push('等级目标：数值为等级序号，也可改按达到该等级的对象占比（如100%）登记');

  // 每年降0.5%以上, 每年新增…不少于15家: a yearly commitment, no deadline
  const yearly = /每年/.test(norm.slice(f.segment.clause.start, f.start));
  const deadline = yearly ? { year: null, from: null } : resolveDeadline(ctx, f.start, events, blockDeadline, notes);
  if (yearly) notes.push('“每年”：逐年目标，不设期限');
  const quote = { start: quoteStart, end: f.segment.end };
  return {
    subject,
    value,
    unit,
    comparator,
    implicit,
    deadline: deadline.year === null ? null : String(deadline.year),
    baseline,
    relative,
    quote: ctx.text.slice(quote.start, quote.end),
    start: quote.start,
    end: quote.end,
    confidence: confidence({
      explicit: !implicit,
      deadline: deadline.from,
      mode: f.mode,
      sameSentenceMarker: f.modeEvent !== null && sentenceOfPos(norm, f.modeEvent.start, f.start),
      derived,
      relativeOnly: relative !== null && !derived,
      approximate: notes.some((n) => n.startsWith('约数')),
    }),
    notes,
    ...(basePeriod && { basePeriod }),
  };
}

/** Quote start: the clause's, or the figure's own 、-item when it has words of its own. */
function quoteStartFor(norm: string, f: FigureInfo, i: number, figures: FigureInfo[]): number {
  const prev = previousInClause(figures, i);
  if (!prev) return f.segment.clause.start;
  const own = cleanSubject(norm.slice(f.segment.start, f.start).replace(/^[、，,\s]+/, ''));
  return own ? f.segment.start : f.segment.clause.start;
}

function sentenceOfPos(norm: string, a: number, b: number): boolean {
  return !/[。！？!?]/.test(norm.slice(a, b));
}

function resolveDeadline(
  ctx: Context,
  pos: number,
  events: readonly TimeEvent[],
  blockDeadline: { year: number; label: string; from: 'section' | 'title' } | null,
  notes: string[],
): { year: number | null; from: 'sentence' | 'paragraph' | 'section' | 'title' | null } {
  const { norm } = ctx;
  let last: TimeEvent | null = null;
  for (const e of events) {
    if (e.start >= pos) break;
    if (e.deadline !== undefined) last = e;
  }
  if (last && last.deadline !== undefined) {
    if (sentenceOfPos(norm, last.start, pos)) return { year: last.deadline, from: 'sentence' };
    notes.push(`期限沿用同段前文“${ctx.text.slice(last.start, last.end)}”`);
    return { year: last.deadline, from: 'paragraph' };
  }
  if (blockDeadline) {
    notes.push(
      blockDeadline.from === 'section'
        ? `期限沿用本节标题“${blockDeadline.label.trim()}”`
        : `期限沿用文件标题“${blockDeadline.label.trim()}”`,
    );
    return { year: blockDeadline.year, from: blockDeadline.from };
  }
  notes.push('文中未写明期限');
  return { year: null, from: null };
}

function confidence(x: {
  explicit: boolean;
  deadline: 'sentence' | 'paragraph' | 'section' | 'title' | null;
  mode: Mode;
  sameSentenceMarker: boolean;
  derived: boolean;
  relativeOnly: boolean;
  approximate: boolean;
}): number {
  let c = 0.6;
  c += x.explicit ? 0.15 : -0.05;
  c += { sentence: 0.1, paragraph: 0.05, section: 0.03, title: 0.02, null: -0.1 }[x.deadline ?? 'null'];
  if (x.mode === 'future' && x.sameSentenceMarker) c += 0.1;
  if (x.mode === 'neutral') c -= 0.1;
  if (x.derived) c -= 0.1;
  if (x.relativeOnly) c -= 0.1;
  if (x.approximate) c -= 0.05;
  return Math.round(Math.min(0.99, Math.max(0.05, c)) * 100) / 100;
}

/** 倍增 / 翻一番 of a stated total, in a plan's name (by its end year) or in a clause (the nearest matching total). */
function doublings(
  ctx: Context,
  block: Block,
  figures: FigureInfo[],
  events: readonly TimeEvent[],
  quoted: ReturnType<typeof quotedSpans>,
  blockDeadline: { year: number; label: string; from: 'section' | 'title' } | null,
  initial: Mode,
  segmentAt: (pos: number) => Segment,
): Candidate[] {
  const { norm, doc } = ctx;
  const s = norm.slice(block.start, block.end);
  const out: Candidate[] = [];
  const names = quoted.filter((q) => q.name);
  for (const m of s.matchAll(DOUBLING)) {
    const at = block.start + m.index!;
    const factor = DOUBLING_FACTOR[m[0]];
    // 核心产业倍增行动, 倍增计划: a programme's name
    if (/^(?:行动|计划|工程|专项|方案|工作)/.test(norm.slice(at + m[0].length, at + m[0].length + 2))) continue;
    // “双倍增” in quotes is the word itself, not a plan's name (“倍增”计划 is one)
    const word = (q: Span) => /^.双?(?:倍增|翻一番|翻番|翻两番|翻三番).$/.test(norm.slice(q.start, q.end)) && !/^(?:计划|行动|工程|方案|专项|三年|五年)/.test(norm.slice(q.end, q.end + 2));
    const enclosing = names.filter((q) => at >= q.start && at < q.end && !word(q));
    if (enclosing.length) {
      // the outermost name: the plan's title
      const outer = enclosing.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      const scope = norm.slice(outer.start + 1, at).replace(/[“”"‘’《》]/g, '');
      const title = norm.slice(outer.start, outer.end);
      const year = deadlineIn(title, doc);
      const totals = figures.filter(
        (f) => f.start > outer.end && f.stock && !f.used && f.mode !== 'future' && isCountUnit(f.unit) && (scope.length < 4 || commonLength(scope, f.subject) >= 4),
      );
      for (const f of totals) {
        f.used = true;
        const notes = [
          `由${ctx.text.slice(outer.start, outer.end)}的“${m[0]}”推出：以${f.pastYear ?? '基期'}${f.pastYear ? '年' : ''}${fmt(f.value)}${f.unit}为基数，×${factor}=${fmt(round(f.value * factor))}${f.unit}；文中未直接写出目标值，待牵头单位确认`,
        ];
        if (year === null) notes.push('文中未写明期限');
        else notes.push(`期限取文件名中的期限（${year}年）`);
        out.push(doubled(ctx, f, factor, year, f.segment, notes, 0.5));
      }
      continue;
    }
    // a doubling clause
    const seg = segmentAt(at);
    const { mode } = modeAt(events, at, initial);
    if (mode === 'past') continue;
    const inClause = figures.filter((f) => f.start >= seg.clause.start && f.end <= seg.clause.end);
    if (inClause.some((f) => !f.baselineOf && f.start > at)) continue; // 倍增至5564家: stated outright
    if (restatesLevel(norm, seg, at, figures)) continue;
    const base = inClause.find((f) => f.baselineOf && !f.used && f.end <= at);
    const notes: string[] = [];
    let total: FigureInfo | undefined = base;
    let period: string | null = base?.baselineOf?.period ?? null;
    let subject = cleanSubject(norm.slice(seg.start, base ? base.start : at)).replace(/实现$/, '').trim();
    if (!total) {
      const earlier = figures.filter((f) => f.end <= at && f.stock && !f.used && f.mode !== 'future' && isCountUnit(f.unit));
      let best = !earlier.length
        ? undefined
        : subject
          ? earlier.reduce((a, b) => (commonLength(subject, b.subject) > commonLength(subject, a.subject) ? b : a))
          : earlier[earlier.length - 1];
      if (!best || (subject && commonLength(subject, best.subject) < 2)) {
        // 专利数量实现翻番。截至去年底，全区专利数量为1240件: the total stated right after
        best = subject
          ? figures.find((f) => f.start > at && f.stock && !f.used && f.mode === 'past' && isCountUnit(f.unit) && commonLength(subject, f.subject) >= 4)
          : undefined;
      }
      if (!best) {
        out.push(relativeDoubling(ctx, seg, at, m[0], factor, subject, events, blockDeadline));
        continue;
      }
      total = best;
      period = total.pastYear !== null ? String(total.pastYear) : null;
    }
    if (!subject) subject = total.subject;
    total.used = true;
    notes.push(
      `“${m[0]}”：以${period ?? '基期'}${period ? '年' : ''}${fmt(total.value)}${total.unit}为基数，×${factor}=${fmt(round(total.value * factor))}${total.unit}`,
    );
    const deadline = resolveDeadline(ctx, at, events, blockDeadline, notes);
    const c = doubled(ctx, { ...total, subject, pastYear: period === null ? null : Number(period) }, factor, deadline.year, seg, notes, 0.6);
    const startAt = Math.min(seg.start, base ? base.segment.start : seg.start);
    out.push({ ...c, quote: ctx.text.slice(startAt, seg.end), start: startAt, end: seg.end });
  }
  return out;
}

/** 实现翻番，达到5500亿元: the level in a neighbouring subjectless clause; the doubling restates that target. */
function restatesLevel(norm: string, seg: Segment, at: number, figures: FigureInfo[]): boolean {
  const sentenceEnd = (pos: number) => /[。！？!?；;\n]/.test(norm[pos] ?? '\n');
  let next = seg.clause.end;
  if (!sentenceEnd(next)) {
    const rest = norm.slice(next + 1);
    const m = /^\s*(?:力争)?(?:达到|达|为|至|突破|超过)\s*/.exec(rest);
    if (m && figures.some((f) => f.start === next + 1 + m[0].length && !f.baselineOf)) return true;
  }
  const own = norm.slice(seg.clause.start, at);
  if (/^(?:比|较|相比|与)\s*\d{4}\s*年(?:底|末)?(?:相比)?\s*(?:实现|再)?$/.test(own)) {
    const prevEnd = seg.clause.start - 1;
    if (prevEnd > 0 && !sentenceEnd(prevEnd)) {
      const prev = figures.filter((f) => f.end <= prevEnd && f.start > norm.lastIndexOf('，', prevEnd - 1) && !f.baselineOf);
      if (prev.length) return true;
    }
  }
  return false;
}

function doubled(
  ctx: Context,
  total: FigureInfo,
  factor: number,
  deadline: number | null,
  seg: Segment,
  notes: string[],
  confidenceValue: number,
): Candidate {
  const start = seg.start;
  const end = seg.end;
  return {
    subject: total.subject,
    value: round(total.value * factor),
    unit: total.unit,
    comparator: '>=',
    implicit: true,
    deadline: deadline === null ? null : String(deadline),
    baseline: { period: total.pastYear !== null ? String(total.pastYear) : null, value: total.value },
    relative: { kind: 'multiply', amount: factor, unit: '倍' },
    quote: ctx.text.slice(start, end),
    start,
    end,
    confidence: deadline === null ? Math.round((confidenceValue - 0.1) * 100) / 100 : confidenceValue,
    notes,
  };
}

function fmt(v: number): string {
  return String(round(v));
}

/** 在2022年的基础上实现“双倍增”, 比2020年翻一番: a doubling of a total the text does not state, kept as a relative target. */
function relativeDoubling(
  ctx: Context,
  seg: Segment,
  at: number,
  word: string,
  factor: number,
  subject: string,
  events: readonly TimeEvent[],
  blockDeadline: { year: number; label: string; from: 'section' | 'title' } | null,
): Candidate {
  const period = BASE_PERIOD.exec(ctx.norm.slice(seg.clause.start, at))?.[1] ?? null;
  const notes = [
    `相对目标：${period ? `以${period}年为基期` : '基期未写明，'}${word}（×${factor}）；文中未给出基期值，基期值确定后目标值=基期值×${factor}`,
  ];
  if (word === '双倍增') notes.push('“双倍增”指两项指标各自倍增，请按指标拆分登记');
  const deadline = resolveDeadline(ctx, at, events, blockDeadline, notes);
  const start = seg.clause.start;
  const end = Math.max(seg.end, at + word.length + (ctx.norm[at + word.length] === '”' ? 1 : 0));
  return {
    subject: subject || cleanSubject(ctx.norm.slice(seg.clause.start, at)),
    value: factor,
    unit: '倍',
    comparator: '>=',
    implicit: true,
    deadline: deadline.year === null ? null : String(deadline.year),
    baseline: null,
    relative: { kind: 'multiply', amount: factor, unit: '倍' },
    ...(period && { basePeriod: period }),
    quote: ctx.text.slice(start, end),
    start,
    end,
    confidence: deadline.year === null ? 0.35 : 0.45,
    notes,
  };
}

/** A doubling whose base period is an earlier count target's deadline takes that target as its base. */
function resolveRelativeBases(candidates: Candidate[]): void {
  candidates.forEach((c, i) => {
    if (c.relative?.kind !== 'multiply' || c.baseline || !c.basePeriod) return;
    const bases = candidates
      .slice(0, i)
      .reverse()
      .filter((b) => b.deadline === c.basePeriod && !b.relative && isCountUnit(b.unit) && commonLength(b.subject, c.subject) >= 4);
    if (!bases.length) return;
    const base = bases.reduce((a, b) => (commonLength(b.subject, c.subject) > commonLength(a.subject, c.subject) ? b : a));
    const factor = c.relative.amount;
    candidates[i] = {
      ...c,
      subject: base.subject,
      value: round(base.value * factor),
      unit: base.unit,
      baseline: { period: c.basePeriod, value: base.value },
      basePeriod: undefined,
      confidence: 0.5,
      notes: [`以${c.basePeriod}年目标${fmt(base.value)}${base.unit}（${base.quote}）为基数，×${factor}=${fmt(round(base.value * factor))}${base.unit}；待牵头单位确认`, ...c.notes.slice(1)],
    };
    delete candidates[i].basePeriod;
  });
}
