/** Comparator words. 以上/以下/以内 include the number, 超过/不满 do not (民法典 第一千二百五十九条). */

import type { Comparator } from '../evaluation/evaluation.types.js';

export type { Comparator };

export type WordKind =
  | 'bound' // states the bound: 不低于, 以内, 超过
  | 'level' // a level without a bound word: 达到, 提高到, 下降到
  | 'decrease' // a relative fall: 下降 X%
  | 'increase'; // a relative rise: 增长 X%, 提高 X 个百分点

export interface ComparatorWord {
  word: string;
  comparator: Comparator;
  kind: WordKind;
  /** a bound strong enough to make a figure a target even where the text is not about the future */
  strong?: boolean;
}

const w = (word: string, comparator: Comparator, kind: WordKind, strong = false): ComparatorWord => ({ word, comparator, kind, strong });

/** Before the figure. Longest first within each family so that 不低于 is not read as 低于. */
const PREFIX_WORDS: ComparatorWord[] = [
  ...['不少于', '不低于', '不得低于', '不得少于', '不小于', '不下于', '至少', '最少', '最低', '≥', '>='].map((x) => w(x, '>=', 'bound', true)),
  ...['不超过', '不得超过', '不高于', '不得高于', '不多于', '不大于', '最多', '至多', '最高', '≤', '<='].map((x) => w(x, '<=', 'bound', true)),
  ...['控制在', '控制到', '压减到', '压减至', '压缩到', '压缩至', '压降到', '压降至'].map((x) => w(x, '<=', 'bound', true)),
  ...['下降到', '下降至', '降低到', '降低至', '降到', '降至', '减少到', '减少至', '减至', '减到'].map((x) => w(x, '<=', 'level')),
  ...['低于', '少于', '小于', '不足', '不到', '不满', '<'].map((x) => w(x, '<', 'bound')),
  ...['超过', '高于', '大于', '多于', '突破', '超出', '超', '>'].map((x) => w(x, '>', 'bound')),
  ...['提高到', '提高至', '提升到', '提升至', '增长到', '增长至', '增加到', '增加至', '上升到', '上升至', '扩大到', '扩大至', '增至', '升至', '达到', '达', '保持在', '稳定在', '保持', '实现'].map((x) => w(x, '>=', 'level')),
  ...['下降', '降低', '减少', '压减', '压降', '削减', '缩减', '降'].map((x) => w(x, '>=', 'decrease')),
  ...['增长', '提高', '提升', '增加', '上升', '扩大'].map((x) => w(x, '>=', 'increase')),
];

const PREFIX_RE = new RegExp(PREFIX_WORDS.map((x) => escape(x.word)).join('|'), 'g');
const BY_WORD = new Map(PREFIX_WORDS.map((x) => [x.word, x]));

/** After the unit. */
const SUFFIX_WORDS: [RegExp, Comparator | null, string][] = [
  [/^\s*(?:及以上|或以上|以上|之上)/, '>=', '以上'],
  [/^\s*(?:及以下|或以下|以下|以内|之内)/, '<=', '以内'],
  [/^\s*左右/, null, '左右'],
];

export interface ComparatorReading {
  /** the last comparator word before the figure within the window, if any */
  prefix: ComparatorWord | null;
  /** its offset in the window */
  prefixAt: number;
  suffix: { comparator: Comparator | null; word: string; length: number } | null;
}

export function readComparator(window: string, after: string): ComparatorReading {
  let prefix: ComparatorWord | null = null;
  let prefixAt = -1;
  PREFIX_RE.lastIndex = 0;
  for (let m = PREFIX_RE.exec(window); m; m = PREFIX_RE.exec(window)) {
    // 超 only as a bound right before the figure's number (超90%), not in 超高清, 超算
    if (m[0] === '超' && window.slice(m.index + 1).trim() !== '') continue;
    prefix = BY_WORD.get(m[0]) ?? null;
    prefixAt = m.index;
  }
  let suffix: ComparatorReading['suffix'] = null;
  for (const [re, comparator, word] of SUFFIX_WORDS) {
    const m = re.exec(after);
    if (m) {
      suffix = { comparator, word, length: m[0].length };
      break;
    }
  }
  return { prefix, prefixAt, suffix };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\<>=]/g, '\\$&');
}
