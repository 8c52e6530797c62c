/** Years in policy text (document year, deadlines, past years) as TimeEvents the extractor replays in order. */

export type Mode = 'future' | 'past' | 'neutral';

export interface TimeEvent {
  start: number;
  end: number;
  /** how the event changes the reading of what follows: future/past switch, weak-past only
   *  turns a neutral reading into past (累计), weak-future leaves a past one (预计), keep leaves it (a bare current year). */
  effect: 'future' | 'past' | 'weak-past' | 'weak-future' | 'keep';
  /** the deadline year the event states */
  deadline?: number;
  /** the year a past statement refers to (去年 → document year − 1); null when unknown (目前) */
  pastYear?: number | null;
  label: string;
  /** a five-year-plan period: read even inside quotes (“十四五”期末) */
  plan?: boolean;
}

export interface DocumentYear {
  year: number;
  /** option: given by the caller; text: a dateline; inferred: from 2023年以来/截至2023年; clock: today */
  source: 'option' | 'text' | 'inferred' | 'clock';
}

/** Last year of the n-th five-year plan (from the third, 1966–1970, on): 十三五 → 2020, 十四五 → 2025. */
export function fiveYearPlanEnd(n: number): number | null {
  if (!Number.isInteger(n) || n < 3) return null;
  return 1970 + 5 * (n - 3);
}

const PLAN_DIGITS = '一二三四五六七八九';

/** “十四五” → 14, 十五五 → 15; null otherwise. */
export function planNumber(name: string): number | null {
  const m = /^十([一二三四五六七八九])五$/.exec(name);
  return m ? 10 + PLAN_DIGITS.indexOf(m[1]) + 1 : null;
}

/** The document's year: a dateline near the top or bottom, else inferred from the text, else the clock's. */
export function documentYear(text: string, now: Date = new Date()): DocumentYear {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const candidates = [...lines.slice(0, 4), ...lines.slice(-3)];
  for (const line of candidates) {
    if (line.length > 60) continue;
    const m = /(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*\d{1,2}\s*日)?|(\d{4})-(\d{1,2})-(\d{1,2})/.exec(line);
    if (m) return { year: Number(m[1] ?? m[3]), source: 'text' };
  }
  // a notice's date on a line of its own after its addressees and opening (湖南省人民政府 / 2025年2月26日)
  for (const line of lines.slice(4, 12)) {
    const m = /^[（(]?(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[）)]?$/.exec(line);
    if (m) return { year: Number(m[1]), source: 'text' };
  }
  // a speech's date under its title: ——2024年7月29日在市六届人大常委会第十次会议上
  for (const line of lines.slice(0, 12)) {
    const m = /^[—－-]{1,2}\s*(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在/.exec(line);
    if (m) return { year: Number(m[1]), source: 'text' };
  }
  const stated = yearFromStatements(text, now);
  if (stated !== null) return { year: stated, source: 'inferred' };
  let inferred = 0;
  for (const m of text.matchAll(/(\d{4})\s*年\s*以来|截[至止](?:到)?\s*(\d{4})\s*年/g)) {
    inferred = Math.max(inferred, Number(m[1] ?? m[2]) + 1);
  }
  if (inferred >= 1950 && inferred <= now.getUTCFullYear() + 1) return { year: inferred, source: 'inferred' };
  return { year: now.getUTCFullYear(), source: 'clock' };
}

/** A work report, its news or a plan report: where 2021年…目标为 states this year's targets. */
const WORK_REPORT = /工作报告|人民代表大会|人代会|两会|计划草案|计划执行情况/;
/** a year reviewed with its results: the document is of the year after */
const REVIEWED = /取得|预计全年|初步预计|初步核算|成绩单|交答卷|执行情况|工作回顾|胜利收官|圆满收官|目标(?:任务)?(?:全面|圆满|顺利|超额)?完成/;
/** a year whose targets the text states: 2018年全省经济社会发展主要预期目标是, 2021年…增长目标为, 2024年，贵州将 */
const TARGET_LEAD = /^[，,\s]*[\u4e00-\u9fff]{0,4}(?:将|要|力争)/;
/** what follows a year that lists its targets: 2018年全省经济社会发展主要预期目标是, 2021年全区生产总值增长目标为 (not 远景目标, not 目标任务全面完成) */
const TARGETS_OF_YEAR = /^[^\d。；;！？!?]{0,30}?(?<!远景)(?:主要预期目标|预期目标|主要目标|目标(?:是|为))(?![^。；;！？!?]{0,6}(?:完成|实现|达成))/;
/** 2025年是“十四五”规划的收官之年, 2024年是…的关键一年: the year ahead, the document's own */
const YEAR_AHEAD = /^是[^。；;！？!?]{0,40}?(?:开局之年|收官之年|关键之年|决胜之年|攻坚之年|起步之年|关键一年|重要一年|之年)/;
/** 2024全国地方两会, 2021年省两会: the sessions meet in the year of their report */
const SESSIONS = /(\d{4})\s*年?\s*(?:全国|地方|省|市|全国地方)*两会/g;
/** 2025年我国学前教育毛入园率将…: a plan word in the year's own clause, before any figure */
const PLANNED_AFTER_YEAR = /^[^，,。；;！？!?\d]{0,20}?(?:将(?![近军领士])|力争|(?<![主重需纲摘提只必紧首简概扼不要])要(?![素点件闻求]))/;
/** 2024年1—6月, 2024年上半年: part of a year, no review of it */
const PART_YEAR = /^\s*(?:\d{1,2}\s*(?:[—–\-~～至]\s*\d{1,2}\s*)?月|上半年|前三季度|[一二三四]季度|以来)/;

/** The year of an undated text from its statements; the most stated year wins, the later on a tie. */
export function yearFromStatements(text: string, now: Date = new Date()): number | null {
  const votes = new Map<number, number>();
  const vote = (y: number) => {
    if (y >= 1950 && y <= now.getUTCFullYear() + 1) votes.set(y, (votes.get(y) ?? 0) + 1);
  };
  for (const m of text.matchAll(SESSIONS)) vote(Number(m[1]));
  const workReport = WORK_REPORT.test(text);
  for (const m of text.matchAll(/(\d{4})\s*年(?![度份])/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    if (/[\d较比到至在以与同从自由]\s*$/.test(text.slice(Math.max(0, a - 2), a))) continue;
    const rest = text.slice(b, b + 60);
    if (PART_YEAR.test(rest)) continue;
    // the statement about this year: up to its sentence end or the next year
    const window = rest.split(/[。！？!?；;]|\d{4}\s*年/)[0].replace(/\s+/g, '');
    const y = Number(m[1]);
    if (REVIEWED.test(window)) vote(y + 1);
    else if (YEAR_AHEAD.test(window)) vote(y);
    else if (workReport && (TARGETS_OF_YEAR.test(window) || TARGET_LEAD.test(window))) vote(y);
  }
  let best: number | null = null;
  for (const [y, n] of votes) if (best === null || n > votes.get(best)! || (n === votes.get(best)! && y > best)) best = y;
  return best;
}

/** With only the clock as a date, a year is past when at least a year behind it (the brief's rule). */
function isPastYear(y: number, doc: DocumentYear): boolean {
  return doc.source === 'clock' ? y <= doc.year - 1 : y < doc.year;
}

/** A year named with 到/至: a deadline unless the dated text puts it in the past. */
function toYearIsFuture(y: number, doc: DocumentYear): boolean {
  return doc.source === 'clock' || y >= doc.year;
}

/** Deadline and past-year events in `s` (a paragraph; offsets are added to `offset`). */
export function scanYears(s: string, offset: number, doc: DocumentYear): TimeEvent[] {
  const events: TimeEvent[] = [];
  const taken: [number, number][] = [];
  const free = (a: number, b: number) => !taken.some(([x, y]) => a < y && b > x);
  const add = (a: number, b: number, e: Omit<TimeEvent, 'start' | 'end' | 'label'>) => {
    taken.push([a, b]);
    events.push({ start: offset + a, end: offset + b, label: s.slice(a, b), ...e });
  };

  // 2023—2027年, 2023年至2027年, 2023-2027年: the end year
  for (const m of s.matchAll(/(\d{4})\s*年?\s*[—–\-~～至到]{1,2}\s*(\d{4})\s*年/g)) {
    const end = Number(m[2]);
    const a = m.index!;
    if (!free(a, a + m[0].length)) continue;
    if (isPastYear(end, doc)) add(a, a + m[0].length, { effect: 'past', pastYear: end });
    else add(a, a + m[0].length, { effect: 'future', deadline: end });
  }
  // 到2025年, 至2027年底, 截至2023年底 (not 增长到2020年的1450亿元: a level at a year, not a deadline)
  for (const m of s.matchAll(/(到|至|截至|截止到|截止)\s*(\d{4})\s*年\s*(?:底|末|年底)?/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    if (!free(a, b) || s[b] === '的') continue;
    const y = Number(m[2]);
    const cutoff = m[1].startsWith('截');
    const future = cutoff ? y >= doc.year : toYearIsFuture(y, doc);
    if (future) add(a, b, { effect: 'future', deadline: y });
    else add(a, b, { effect: 'past', pastYear: y });
  }
  // 2025年底前, 2025年以前
  for (const m of s.matchAll(/(\d{4})\s*年\s*(?:底|末)?\s*(?:前|以前|之前)/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    if (!free(a, b)) continue;
    const y = Number(m[1]);
    if (doc.source !== 'clock' && y < doc.year) add(a, b, { effect: 'past', pastYear: y });
    else add(a, b, { effect: 'future', deadline: y });
  }
  // “十四五”期末, 十三五时期, “十三五”以来
  for (const m of s.matchAll(/[“"‘']?(十[一二三四五六七八九]五)[”"’']?\s*(?:规划)?\s*(期末|末期|末|时期|期间|以来)?/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    const end = fiveYearPlanEnd(planNumber(m[1]) ?? 0);
    if (end === null || !m[2] || !free(a, b)) continue;
    const explicitPast = doc.source !== 'clock' && end < doc.year;
    if (m[2] === '以来') add(a, b, { effect: 'past', pastYear: null, plan: true });
    else if (explicitPast) add(a, b, { effect: 'past', pastYear: end, plan: true });
    else add(a, b, { effect: 'future', deadline: end, plan: true });
  }
  // 三年内, 5年内: the N years that begin with the document's year
  for (const m of s.matchAll(/([一二两三四五六七八九十]|\d{1,2})\s*年(?:内|之内|时间内)/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    const n = /\d/.test(m[1]) ? Number(m[1]) : '一二三四五六七八九十'.indexOf(m[1].replace('两', '二')) + 1;
    if (!free(a, b) || n < 1) continue;
    add(a, b, { effect: 'future', deadline: doc.year + n - 1 });
  }
  // 未来五年, 今后3年: the N years that begin with the document's year
  for (const m of s.matchAll(/(?:未来|今后)\s*([一二两三四五六七八九十]|\d{1,2})\s*年/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    const n = /\d/.test(m[1]) ? Number(m[1]) : '一二三四五六七八九十'.indexOf(m[1].replace('两', '二')) + 1;
    if (!free(a, b) || n < 1) continue;
    add(a, b, { effect: 'future', deadline: doc.year + n - 1 });
  }
  // 今年, 年内, 本年度, 明年; 去年, 上年, 前年 (not 较上年, 比上年: comparisons)
  for (const m of s.matchAll(/今年(以来|一季度|上半年|前\S{1,3}月|1\s*[—–\-~至]\s*\d{1,2}月)?|本年度?|年内|明年|去年|前年|(?<![较比同与])上年(?!同期)/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    if (!free(a, b)) continue;
    const word = m[0];
    if (word.startsWith('今年') && m[1]) add(a, b, { effect: 'past', pastYear: doc.year });
    else if (word === '明年') add(a, b, { effect: 'future', deadline: doc.year + 1 });
    else if (word === '去年' || word === '上年') add(a, b, { effect: 'past', pastYear: doc.year - 1 });
    else if (word === '前年') add(a, b, { effect: 'past', pastYear: doc.year - 2 });
    else add(a, b, { effect: 'future', deadline: doc.year });
  }
  // a bare year: 2023年， / 2023年全区 / 2024年新增 (not 较2020年, 比2020年, 在2020年…基础上)
  for (const m of s.matchAll(/(\d{4})\s*年(度)?(以来)?/g)) {
    const a = m.index!;
    const b = a + m[0].length;
    if (!free(a, b)) continue;
    const before = s.slice(Math.max(0, a - 2), a);
    const after = s.slice(b, b + 4);
    if (/(?:[较比由从自在与同以]|相比|对比)$/.test(before)) continue;
    if (/^(?:的?基础|的?水平|为基)/.test(after)) continue;
    if (/\d$/.test(before)) continue;
    const y = Number(m[1]);
    if (y < 1950 || y > 2100) continue;
    // 力争2025年…, 将于2025年…, 主要预期目标是: planned whatever the year (and a later same-year figure too)
    const planned =
      /(?:力争|争取|确保|预计|计划|将|要)\s*(?:在|于)?\s*$/.test(s.slice(Math.max(0, a - 4), a)) ||
      TARGETS_OF_YEAR.test(s.slice(b, b + 40)) ||
      PLANNED_AFTER_YEAR.test(s.slice(b, b + 24)) ||
      events.some((e) => e.deadline === y && e.effect === 'future');
    if (m[3]) add(a, b, { effect: 'past', pastYear: null });
    else if (planned) add(a, b, { effect: 'future', deadline: y });
    else if (isPastYear(y, doc)) add(a, b, { effect: 'past', pastYear: y });
    else if (y > doc.year || doc.source === 'clock') add(a, b, { effect: 'future', deadline: y });
    else add(a, b, { effect: 'keep', deadline: y });
  }
  return events;
}

/** The deadline a title or heading states: (2023—2027年) → 2027, 2025年…主要预期目标 → 2025, “十四五” → 2025, 2024年 → 2024. */
export function deadlineIn(s: string, doc: DocumentYear): number | null {
  const range = /(\d{4})\s*年?\s*[—–\-~～至到]{1,2}\s*(\d{4})\s*年/.exec(s);
  if (range) return Number(range[2]);
  const to = /(?:到|至)\s*(\d{4})\s*年/.exec(s);
  if (to) return Number(to[1]);
  // ■ 2025年经济社会发展的主要预期目标, 2025年计划草案: the year whose targets follow
  const targets = /(\d{4})\s*年(?!\s*\d{1,2}\s*月)[^\d]{0,20}?(?<!远景)(?:目标(?!(?:任务)?(?:全面|圆满|顺利|超额|基本)?(?:完成|实现|达成))|计划(?!执行))/.exec(s);
  if (targets) return Number(targets[1]);
  const plan = /十([一二三四五六七八九])五/.exec(s);
  if (plan) {
    const end = fiveYearPlanEnd(planNumber(plan[0]) ?? 0);
    if (end !== null && !(doc.source !== 'clock' && end < doc.year)) return end;
  }
  const year = /(\d{4})\s*年(?!\s*\d{1,2}\s*月)/.exec(s);
  if (year && Number(year[1]) >= doc.year) return Number(year[1]);
  return null;
}
