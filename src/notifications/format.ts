import { DateTime } from 'luxon';
import type { Lang } from '../common/labels.js';
import { latestPeriodEndedBy, subPeriod } from '../evaluation/periods.js';
import type { AlertKind } from '../alerts/alert-rules.js';

export { formatPercent, formatValue, type Lang, statusLabel } from '../common/labels.js';

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
