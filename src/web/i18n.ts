import { inLanguage } from '../common/bilingual.js';
import { type Colour, statusLabel } from '../common/labels.js';
import { isWholeUnit } from '../common/number-input.js';
import type { Status } from '../evaluation/evaluation.types.js';
import { periodZh } from '../evaluation/periods.js';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** The page's words: Chinese first; `t('登录', 'Log in')` keeps each English text beside its Chinese. */
export type Translate = (zh: string, en: string) => string;
export const translator = (lang: Lang): Translate => (zh, en) => (lang === 'en' ? en : zh);

export { type Colour, COLOUR_STATUSES, STATUS_COLOUR } from '../common/labels.js';

/** The labels the emails and the status report use (src/common/labels.ts), in the page's language. */
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

/** A bilingual message "中文 (English)" in the page's language; one without English is shown as it is. */
export function localise(lang: Lang, message: string | null | undefined): string {
  return message ? inLanguage(lang, message) : '';
}

/** A period in text: 2025年三季度 / 2025年7月 / 2025年 in Chinese; 2025Q3 / 2025-07 / 2025 (as stored) in English. */
export function formatPeriod(lang: Lang, period: string | null | undefined): string {
  if (!period) return '—';
  return lang === 'en' ? period : periodZh(period);
}

function zonedParts(value: Date | string, zone: string): Record<string, string> {
  const d = typeof value === 'string' ? new Date(value) : value;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** A day: 2026年12月5日 in Chinese, 2026-12-05 in English (China time). Date-only strings are taken as they are. */
export function formatDate(lang: Lang, value: Date | string | null | undefined, zone = 'Asia/Shanghai'): string {
  if (!value) return '—';
  const day = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const [y, mo, d] = day ? [day[1], day[2], day[3]] : (({ year, month, day: dd }) => [year, month, dd])(zonedParts(value, zone));
  return lang === 'en' ? `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}` : `${y}年${Number(mo)}月${Number(d)}日`;
}

/** A moment to the minute: 2026年12月5日 09:30 in Chinese, 2026-12-05 09:30 in English (China time). */
export function formatDateTime(lang: Lang, value: Date | string | null | undefined, zone = 'Asia/Shanghai'): string {
  if (!value) return '—';
  const p = zonedParts(value, zone);
  const date = lang === 'en' ? `${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}` : `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
  return `${date} ${p.hour}:${p.minute}`;
}

/** A value with its unit: 350家, 12.5万辆, 85%; whole numbers for count units. */
export function formatValue(lang: Lang, value: number | string | null | undefined, unit: string | null | undefined, digits = 2): string {
  const text = formatNumber(lang, value, unit && isWholeUnit(unit) ? 0 : digits);
  if (text === '—' || !unit) return text;
  return lang === 'en' && !/^[%‰]$/.test(unit) ? `${text} ${unit}` : `${text}${unit}`;
}

/** A difference of values (gap, lag): in 个百分点 / 个千分点 for rates, else as formatValue. */
export function formatDifference(lang: Lang, value: number | string | null | undefined, unit: string | null | undefined, digits = 2): string {
  if (unit !== '%' && unit !== '‰') return formatValue(lang, value, unit, digits);
  const text = formatNumber(lang, value, digits);
  if (text === '—') return text;
  return lang === 'en' ? `${text} ${unit === '%' ? 'pp' : 'per-mille points'}` : `${text}${unit === '%' ? '个百分点' : '个千分点'}`;
}

const FIELD_LABELS: Record<string, [string, string]> = {
  cause: ['原因分析', 'causes'], measures: ['下步措施', 'next steps'],
  code: ['指标代码', 'code'], target: ['指标代码', 'target'], name: ['指标名称', 'name'], period: ['期间', 'period'],
  value: ['数值', 'value'], basis: ['口径', 'basis'], note: ['备注', 'note'], reason: ['修改原因', 'reason'],
  unit: ['单位', 'unit'], department: ['责任单位', 'department'], lead: ['牵头单位', 'lead department'],
  supporting: ['配合单位', 'supporting departments'], method: ['评估方法', 'method'], direction: ['方向', 'direction'],
  baseline: ['基期', 'baseline'], deadline: ['目标期限', 'deadline'], milestones: ['阶段目标', 'milestones'],
  category: ['类别', 'category'], status: ['状态', 'status'], email: ['邮箱', 'email'], password: ['密码', 'password'],
  role: ['角色', 'role'], title: ['标题', 'title'], text: ['正文', 'text'], rows: ['行', 'row'], figures: ['数据', 'figure'],
  from: ['开始期间', 'from'], to: ['结束期间', 'to'], q: ['搜索', 'search'], alias: ['别名', 'alias'],
  aliases: ['别名', 'aliases'], frequency: ['频度', 'frequency'], source: ['来源', 'source'], file: ['文件', 'file'],
  targetValue: ['目标值', 'target value'], confirm: ['确认', 'confirmation'],
};

/** A field path as a page shows it; unknown names are dropped in Chinese rather than shown raw. */
export function fieldLabel(lang: Lang, path: string | null | undefined): string {
  if (!path) return '';
  const words: string[] = [];
  for (const m of path.matchAll(/([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) {
      const n = Number(m[2]) + 1;
      words.push(lang === 'en' ? `#${n}` : `第${n}项`);
    } else {
      const label = FIELD_LABELS[m[1]];
      if (label) words.push(label[lang === 'en' ? 1 : 0]);
      else if (lang === 'en') words.push(m[1]);
    }
  }
  // "第1项 行" reads better as 第1行.
  return words.join(' ').replace(/行 第(\d+)项/g, '第$1行').replace(/数据 第(\d+)项/g, '第$1条数据');
}
