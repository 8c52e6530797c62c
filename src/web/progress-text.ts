import type { Method, Status } from '../evaluation/evaluation.types.js';
import { DEFAULT_THRESHOLDS } from '../evaluation/rules.js';
import { formatDifference, formatNumber, formatPeriod, type Lang, statusText } from './i18n.js';
import type { StatusStreak } from '../evaluations/overview.store.js';

/** What a page needs of an evaluation to say how far behind, and since when. */
export interface ProgressFacts {
  status: Status | null; comparator: string; unit: string; paceMethod: Method | null;
  completion: number | null; elapsed: number | null; lag: number | null; pace: number | null;
}

/** 滞后自2025年二季度（连续2期） / Lagging since 2025Q2 (2 periods in a row). */
export function streakText(lang: Lang, status: Status | null, streak: StatusStreak | null): string {
  if (!status || !streak) return '';
  const label = statusText(lang, status);
  const n = streak.periods;
  if (lang === 'en') {
    const since = `since ${streak.since}${streak.atLeast ? ' or earlier' : ''}`;
    return `${label[0].toUpperCase()}${label.slice(1)} ${since} (${streak.atLeast ? `${n}+ periods` : n === 1 ? 'this period' : `${n} periods in a row`})`;
  }
  const since = formatPeriod(lang, streak.since);
  if (streak.atLeast) return `${label}至少自${since}（连续${n}期以上）`;
  return `${label}自${since}（${n === 1 ? '本期' : `连续${n}期`}）`;
}

/** How far behind the expected path, in the rules' measure; empty when not behind. */
export function behindText(lang: Lang, f: ProgressFacts): string {
  if (f.lag === null || !(f.lag > 0)) return '';
  const cap = f.comparator === '<=' || f.comparator === '<';
  if (f.paceMethod !== 'cagr' && f.completion !== null && f.elapsed !== null) {
    const points = formatNumber(lang, Math.abs(f.elapsed - f.completion) * 100, 1);
    if (lang === 'en') return `${points} percentage points ${cap ? 'above' : 'behind'} the elapsed share`;
    return `${cap ? '超出' : '低于'}序时进度 ${points} 个百分点`;
  }
  const amount = formatDifference(lang, f.lag, f.unit);
  if (lang === 'en') return `${amount} ${cap ? 'above' : 'below'} the expected value (compound growth path)`;
  return `${cap ? '高于' : '低于'}应达值 ${amount}（按复合增长路径）`;
}

/** Why the colour: 进度比 0.53 < 0.85（线性）→ 滞后. */
export function colourReason(lang: Lang, f: ProgressFacts): string {
  if (f.pace === null || !f.status || !['ahead', 'on_track', 'at_risk', 'lagging', 'deteriorating'].includes(f.status)) return '';
  const t = DEFAULT_THRESHOLDS;
  const method = f.paceMethod === 'cagr' ? 'cagr' : 'linear';
  const atRisk = method === 'cagr' ? t.atRiskCagr : t.atRiskLinear;
  const bound = f.pace >= t.ahead ? `≥ ${t.ahead}` : f.pace >= t.onTrack ? `≥ ${t.onTrack}` : f.pace >= atRisk ? `≥ ${atRisk}` : f.pace >= 0 ? `< ${atRisk}` : '< 0';
  const pace = formatNumber(lang, f.pace, 2);
  return lang === 'en'
    ? `pace ${pace} ${bound} (${method === 'cagr' ? 'compound growth' : 'linear'}) → ${statusText(lang, f.status)}`
    : `进度比 ${pace} ${bound}（${method === 'cagr' ? '复合增长' : '线性'}）→ ${statusText(lang, f.status)}`;
}
