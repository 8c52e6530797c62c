import { DateTime } from 'luxon';
import type { Status } from '../evaluation/evaluation.types.js';
import { latestPeriodEndedBy, subPeriod } from '../evaluation/periods.js';
import type { AlertKind } from './alert-rules.js';

export type Lang = 'zh-CN' | 'en';

const NONE = '—';
// Grouping by thousands reads naturally in both languages here: the unit (万, 亿) carries the scale.
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const PERCENT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function formatNumber(format: Intl.NumberFormat, x: number): string {
  const s = format.format(x);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** 2,000亿元 / 90.5% / 2,000 亿元 (en); null → — */
export function formatValue(value: number | null, unit: string, lang: Lang): string {
  if (value === null || !Number.isFinite(value)) return NONE;
  const n = formatNumber(NUMBER, value);
  if (unit === '' || unit === '%') return n + unit;
  return lang === 'en' ? `${n} ${unit}` : n + unit;
}

/** 0.4 → 40.0%; null → — */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return NONE;
  return `${formatNumber(PERCENT, ratio * 100)}%`;
}

const STATUS_LABELS: Record<Lang, Record<Status, string>> = {
  'zh-CN': {
    ahead: '快于预期',
    on_track: '符合序时进度',
    at_risk: '需加快',
    lagging: '滞后',
    deteriorating: '倒退',
    achieved: '已完成',
    missed: '未完成',
    no_data: '无数据',
  },
  en: {
    ahead: 'ahead',
    on_track: 'on track',
    at_risk: 'at risk',
    lagging: 'lagging',
    deteriorating: 'deteriorating',
    achieved: 'achieved',
    missed: 'missed',
    no_data: 'no data',
  },
};

export function statusLabel(status: Status, lang: Lang, early = false): string {
  if (status === 'achieved' && early) return lang === 'en' ? 'achieved early' : '提前完成';
  return STATUS_LABELS[lang][status];
}

const KIND_LABELS: Record<Lang, Record<AlertKind, string>> = {
  'zh-CN': { lagging: '滞后', at_risk: '需加快', data_overdue: '数据逾期' },
  en: { lagging: 'lagging', at_risk: 'at risk', data_overdue: 'data overdue' },
};

export function kindLabel(kind: AlertKind, lang: Lang): string {
  return KIND_LABELS[lang][kind];
}

/** The last quarter that has ended by `date` in tz: 第3季度 / Q3. */
export function quarterLabel(date: Date, tz: string, lang: Lang): string {
  const { k } = subPeriod(latestPeriodEndedBy('quarterly', date, tz));
  return lang === 'en' ? `Q${k}` : `第${k}季度`;
}

/** YYYY-MM-DD of the instant in tz. */
export function formatDate(date: Date, tz: string): string {
  return DateTime.fromJSDate(date, { zone: tz }).toFormat('yyyy-MM-dd');
}
