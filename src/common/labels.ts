import type { Status } from '../evaluation/evaluation.types.js';

/** The words and colours of a status, in one leaf so features share them without importing one another. */
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

/** 红/黄/绿 (and grey for no data) — how the office reads a status at a glance. */
export type Colour = 'red' | 'amber' | 'green' | 'grey';

export const STATUS_COLOUR: Record<Status, Colour> = {
  achieved: 'green', ahead: 'green', on_track: 'green', at_risk: 'amber',
  lagging: 'red', deteriorating: 'red', missed: 'red', no_data: 'grey',
};

export const COLOUR_STATUSES: Record<Colour, Status[]> = {
  green: ['achieved', 'ahead', 'on_track'], amber: ['at_risk'], red: ['lagging', 'deteriorating', 'missed'], grey: ['no_data'],
};
