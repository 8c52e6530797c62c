/** Plan vs. report words: the last marker before a figure decides (Chinese marks no tense); 累计/共计 are weak. */
import type { Mode, TimeEvent } from './deadlines.js';

const FUTURE_WORDS = [
  '力争', '争取', '确保',
  // 稳预期, 超预期, 完成预期目标, 控制在预期4.2%以内: a policy word, a review or a comparison, not a plan
  '(?<![稳超于达的在到])(?<!(?:完成|实现|达成)[^，,。；;]{0,4})预期(?!目标(?:任务)?(?:全面|圆满|顺利|超额|基本)?(?:完成|实现|达成))',
  '(?<![塌超差于])(?<!(?:完成|实现|达成)[^，,。；;]{0,4})目标(?!(?:任务)?(?:全面|圆满|顺利|超额|基本)?(?:完成|实现|达成))', '未来', '今后', '届时', '努力', '力求', '拟', '即将',
  '将(?![近军领士])',
  // 重要要求, 要求: a requirement named, not a plan stated
  '(?<![主重需纲摘提只必紧首简概扼不要])要(?![素点件闻求])',
  '计划(?=新增|完成|建成|实施|投资|引进|培育|到|于|在|用)',
];

const PAST_WORDS = [
  '已经', '业已', '已(?!于\\d{4}年前)', '目前', '当前', '现阶段', '现有', '如今', '迄今', '至今', '此前', '先后', '近日', '日前',
  '曾经', '曾(?!任)', '刚刚', '以来', '近[一二两三四五六七八九十\\d]*[些几]?年来?', '近年', '[一二两三四五六七八九十]年来',
  '过去', '回顾', '同比', '荣获', '入选', '获评', '获批',
  '(?<=[\\u4e00-\\u9fff])(?<![为除罢不])了(?![解结却然不])',
];

const WEAK_PAST_WORDS = ['累计', '共计', '共有', '总计', '合计'];
/** 预计 plans what no report precedes; after one (2019年，…初步预计全年增长6.3%) it estimates that year's result */
const WEAK_FUTURE_WORDS = ['预计'];

const FUTURE_RE = new RegExp(FUTURE_WORDS.join('|'), 'g');
const PAST_RE = new RegExp(PAST_WORDS.join('|'), 'g');
const WEAK_RE = new RegExp(WEAK_PAST_WORDS.join('|'), 'g');
const WEAK_FUTURE_RE = new RegExp(WEAK_FUTURE_WORDS.join('|'), 'g');

export function scanTense(s: string, offset: number): TimeEvent[] {
  const out: TimeEvent[] = [];
  const push = (re: RegExp, effect: TimeEvent['effect']) => {
    for (const m of s.matchAll(re)) {
      out.push({ start: offset + m.index!, end: offset + m.index! + m[0].length, effect, label: m[0], pastYear: null });
    }
  };
  push(FUTURE_RE, 'future');
  push(PAST_RE, 'past');
  push(WEAK_RE, 'weak-past');
  push(WEAK_FUTURE_RE, 'weak-future');
  return out;
}

/** Heading words: a section that reviews the past, or one that sets targets. */
export function classifyHeading(s: string): Mode {
  if (/回顾|过去|成就|成绩|总结|发展基础|基础|现状|进展|执行情况|完成情况|工作情况|超额完成|顺利完成|圆满完成/.test(s)) return 'past';
  if (/目标|任务|安排|要求|展望|部署|重点工作|思路|预期|举措|指标/.test(s)) return 'future';
  return 'neutral';
}

/** The reading after the events before `pos`, starting from `initial`. */
export function modeAt(events: readonly TimeEvent[], pos: number, initial: Mode): { mode: Mode; last: TimeEvent | null } {
  let mode = initial;
  let last: TimeEvent | null = null;
  for (const e of events) {
    if (e.start >= pos) break;
    if (e.effect === 'future') mode = 'future';
    else if (e.effect === 'past') mode = 'past';
    else if (e.effect === 'weak-past') {
      if (mode === 'neutral') mode = 'past';
      else continue;
    } else if (e.effect === 'weak-future') {
      if (mode === 'past') continue;
      mode = 'future';
    } else continue;
    last = e;
  }
  return { mode, last };
}
