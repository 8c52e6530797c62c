import { statusLabel } from '../alerts/format.js';
import type { Status } from '../evaluation/evaluation.types.js';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** The page's words: Chinese first; `t('登录', 'Log in')` keeps each English text beside its Chinese. */
export type Translate = (zh: string, en: string) => string;
export const translator = (lang: Lang): Translate => (zh, en) => (lang === 'en' ? en : zh);

/** 红/黄/绿 (and grey for no data) — how the office reads a status at a glance. */
export type Colour = 'red' | 'amber' | 'green' | 'grey';

export const STATUS_COLOUR: Record<Status, Colour> = {
  achieved: 'green', ahead: 'green', on_track: 'green', at_risk: 'amber',
  lagging: 'red', deteriorating: 'red', missed: 'red', no_data: 'grey',
};

export const COLOUR_STATUSES: Record<Colour, Status[]> = {
  green: ['achieved', 'ahead', 'on_track'], amber: ['at_risk'], red: ['lagging', 'deteriorating', 'missed'], grey: ['no_data'],
};

/** The labels the emails and the status report use (src/alerts/format.ts), in the page's language. */
export const statusText = (lang: Lang, status: Status | null): string =>
  status ? statusLabel(status, lang === 'en' ? 'en' : 'zh-CN') : lang === 'en' ? 'not evaluated' : '未评估';

export const COLOUR_TEXT: Record<Colour, [string, string]> = {
  red: ['红', 'red'], amber: ['黄', 'amber'], green: ['绿', 'green'], grey: ['无数据', 'no data'],
};

export const ROLE_TEXT: Record<string, [string, string]> = {
  admin: ['管理员', 'administrator'], planner: ['规划处', 'planner'], department: ['责任单位', 'department'], viewer: ['只读', 'viewer'],
};

/** Numbers as the office writes them: grouped, at most `digits` decimals, '—' for none. */
export function formatNumber(lang: Lang, value: number | string | null | undefined, digits = 2): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: digits }).format(n);
}

export function formatPercent(lang: Lang, ratio: number | string | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined) return '—';
  const n = Number(ratio);
  return Number.isFinite(n) ? `${formatNumber(lang, n * 100, digits)}%` : '—';
}

/** A moment in China time, to the minute: 2025-07-01 09:30. */
export function formatTime(value: Date | string | null | undefined, zone = 'Asia/Shanghai'): string {
  if (!value) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(d);
}
