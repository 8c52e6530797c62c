import { STATUS_COLOUR } from '../common/labels.js';
import { truncate } from '../explanations/explanation-rules.js';
import type { AlertKind } from '../alerts/alert-rules.js';
import type { AlertTargetRow } from '../alerts/alert-view.js';
import { formatDate, formatPercent, formatValue, kindLabel, quarterLabel, statusLabel, type Lang } from './format.js';

/** An alert's row in an email: its target as the alert state shows it, and the reader's role. */
export interface AlertRow extends AlertTargetRow {
  role: 'lead' | 'support';
  /** a chart attached inline (cid:) to show under the row; HTML only */
  chart?: ChartRef | null;
  /** the 情况说明 its lead department owes for it (firing rows of the digest), shown under the row */
  explanation?: DigestExplanation | null;
}

/** An image attached to the email with Content-ID `cid`, shown at width × height CSS pixels. */
export interface ChartRef {
  cid: string;
  width: number;
  height: number;
}

export interface DigestModel {
  lang: Lang;
  appUrl: string;
  asOf: Date;
  tz: string;
  recipientName: string | null;
  fresh: AlertRow[];
  ongoing: AlertRow[];
  resolved: AlertRow[];
}

export interface ReminderRow {
  code: string;
  name: string;
  period: string;
  due: Date;
  /** negative = days left */
  overdueDays: number;
  role: 'lead' | 'support';
}

export interface ReminderModel {
  lang: Lang;
  appUrl: string;
  recipientName: string | null;
  rows: ReminderRow[];
  tz: string;
}

export interface BindingAlertModel {
  lang: Lang;
  appUrl: string;
  tz: string;
  asOf: Date;
  row: AlertRow;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const TEXT = {
  'zh-CN': {
    prefix: '【目标监测】',
    colon: '：',
    comma: '，',
    paren: (s: string) => `（${s}）`,
    hello: (name: string | null) => (name ? `${name}，您好：` : '您好：'),
    columns: ['指标', '目标', '最新值', '完成率', '序时进度', '差距', '状态'],
    sections: { fresh: '新增预警', ongoing: '持续预警', resolved: '已恢复' },
    counts: {
      lagging: (n: number) => `${n}项指标滞后`,
      at_risk: (n: number) => `${n}项指标需加快`,
      data_overdue: (n: number) => `${n}项数据逾期`,
      resolved: (n: number) => `${n}项已恢复`,
    },
    allClear: '各项指标正常',
    digestIntro: (date: string, quarter: string) => `以下为截至${date}的目标预警情况（${quarter}）。`,
    digestEmpty: '本期没有新增、持续或已恢复的预警。',
    support: '（配合）',
    chartAlt: (name: string) => `${name}：目标值、序时进度、实际值与预测`,
    cleared: (kind: string) => `已解除：${kind}`,
    reminderSubject: (n: number) => `数据报送提醒：${n}项指标待报送`,
    reminderIntro: '以下指标的实际值尚未报送，请及时填报：',
    reminderColumns: ['指标', '报送期', '截止日期', '状态'],
    daysLeft: (n: number) => `还剩${n}天`,
    dueNow: '已到期',
    daysOverdue: (n: number) => `已逾期${n}天`,
    bindingSubject: (name: string, kind: string) => `预警：约束性指标「${name}」${kind}`,
    bindingIntro: (name: string, kind: string, date: string) => `约束性指标「${name}」${kind}（截至${date}），请及时关注：`,
    footer: '此邮件由目标监测系统自动发送。',
    appName: '目标监测',
  },
  en: {
    prefix: '[Target monitor] ',
    colon: ': ',
    comma: ', ',
    paren: (s: string) => ` (${s})`,
    hello: (name: string | null) => (name ? `Dear ${name},` : 'Hello,'),
    columns: ['Target', 'Goal', 'Latest', 'Completion', 'Elapsed', 'Gap', 'Status'],
    sections: { fresh: 'New alerts', ongoing: 'Ongoing alerts', resolved: 'Resolved' },
    counts: {
      lagging: (n: number) => `${plural(n, 'target')} lagging`,
      at_risk: (n: number) => `${plural(n, 'target')} at risk`,
      data_overdue: (n: number) => `${n} with overdue data`,
      resolved: (n: number) => `${n} resolved`,
    },
    allClear: 'all targets normal',
    digestIntro: (date: string, quarter: string) => `Target alerts as of ${date} (${quarter}).`,
    digestEmpty: 'No new, ongoing or resolved alerts this time.',
    support: ' (support)',
    chartAlt: (name: string) => `${name}: target, expected pace, actual and projection`,
    cleared: (kind: string) => `cleared: ${kind}`,
    reminderSubject: (n: number) => `Figures due: ${plural(n, 'target')}`,
    reminderIntro: 'Figures for the targets below have not been entered yet:',
    reminderColumns: ['Target', 'Period', 'Due', 'Status'],
    daysLeft: (n: number) => `${plural(n, 'day')} left`,
    dueNow: 'due now',
    daysOverdue: (n: number) => `overdue by ${plural(n, 'day')}`,
    bindingSubject: (name: string, kind: string) => `Alert: binding target "${name}" ${kind}`,
    bindingIntro: (name: string, kind: string, date: string) => `Binding target "${name}" is ${kind} (as of ${date}):`,
    footer: 'Sent automatically by Target monitor.',
    appName: 'Target monitor',
  },
};
type Text = (typeof TEXT)[Lang];

const COLOUR = { red: '#c62828', amber: '#b26a00', grey: '#6b7280', green: '#2e7d32', ink: '#1f2937', link: '#1d4ed8' };
// Inline styles only: most email clients drop <style> blocks.
const STYLE = {
  body: `margin:0;padding:16px;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;font-size:14px;line-height:1.5;color:${COLOUR.ink}`,
  h2: 'font-size:16px;margin:24px 0 8px',
  table: 'border-collapse:collapse;width:100%;font-size:13px',
  th: 'padding:6px 8px;border-bottom:2px solid #d1d5db;background:#f3f4f6;white-space:nowrap',
  td: 'padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top',
  num: 'padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top;text-align:right;white-space:nowrap',
  a: `color:${COLOUR.link};text-decoration:none`,
  small: `color:${COLOUR.grey};font-size:12px`,
  chartCell: 'padding:0 8px 10px;border-bottom:1px solid #e5e7eb',
  chartImg: 'display:block;border:0;max-width:100%;height:auto',
};
/** The cells of a row with a chart under it: the line goes under the chart instead. */
const OPEN = ';border-bottom:0';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function targetUrl(appUrl: string, code: string): string {
  return `${appUrl.replace(/\/+$/, '')}/targets/${encodeURIComponent(code)}`;
}

/** Names come from users; a line break must not reach a mail header. */
const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ');

function page(lang: Lang, subject: string, body: string): string {
  return (
    `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="${STYLE.body}">${body}</body></html>`
  );
}

function link(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}" style="${STYLE.a}">${escapeHtml(label)}</a>`;
}

function footer(t: Text, appUrl: string): { html: string; text: string } {
  return {
    html: `<p style="${STYLE.small};margin-top:24px">${escapeHtml(t.footer)} ${link(appUrl, t.appName)}</p>`,
    text: `--\n${t.footer}\n${appUrl}`,
  };
}

function headerRow(columns: string[], numeric: (i: number) => boolean): string {
  const th = columns.map((c, i) => `<th style="${STYLE.th};text-align:${numeric(i) ? 'right' : 'left'}">${escapeHtml(c)}</th>`);
  return `<tr>${th.join('')}</tr>`;
}

function nameCell(url: string, name: string, code: string, role: 'lead' | 'support', t: Text, open = ''): string {
  const support = role === 'support' ? escapeHtml(t.support) : '';
  return `<td style="${STYLE.td}${open}">${link(url, name)}${support}<br><span style="${STYLE.small}">${escapeHtml(code)}</span></td>`;
}

/** A row under the target's row holding its chart, across all columns. */
function chartRow(chart: ChartRef, name: string, columns: number, t: Text): string {
  return (
    `<tr><td colspan="${columns}" style="${STYLE.chartCell}">` +
    `<img src="cid:${escapeHtml(chart.cid)}" width="${chart.width}" height="${chart.height}" alt="${escapeHtml(t.chartAlt(name))}" style="${STYLE.chartImg}">` +
    `</td></tr>`
  );
}

interface RowView {
  url: string;
  values: string[]; // goal, latest, completion, elapsed, gap
  status: string;
  note: string | null;
  colour: string;
}

function rowView(row: AlertRow, firing: boolean, lang: Lang, appUrl: string): RowView {
  const t = TEXT[lang];
  const latest =
    row.latestValue === null ? '—' : formatValue(row.latestValue, row.unit, lang) + (row.latestPeriod ? t.paren(row.latestPeriod) : '');
  const values = [
    formatValue(row.target, row.unit, lang) + t.paren(row.targetPeriod),
    latest,
    formatPercent(row.completion),
    formatPercent(row.elapsed),
    formatValue(row.gap, row.unit, lang),
  ];
  const url = targetUrl(appUrl, row.code);
  // A firing data_overdue row's status rests on stale data: show the alert, not the status.
  if (firing && row.kind === 'data_overdue') return { url, values, status: kindLabel('data_overdue', lang), note: null, colour: COLOUR.grey };
  return {
    url,
    values,
    status: statusLabel(row.status, lang, row.early),
    note: firing ? null : t.cleared(kindLabel(row.kind, lang)),
    colour: COLOUR[STATUS_COLOUR[row.status]],
  };
}

function alertTable(rows: AlertRow[], firing: boolean, lang: Lang, appUrl: string): string {
  const t = TEXT[lang];
  const body = rows.map((row) => {
    const v = rowView(row, firing, lang, appUrl);
    const note = v.note ? `<br><span style="${STYLE.small};font-weight:normal">${escapeHtml(v.note)}</span>` : '';
    const open = row.chart || row.explanation ? OPEN : '';
    return (
      `<tr>${nameCell(v.url, row.name, row.code, row.role, t, open)}` +
      v.values.map((x) => `<td style="${STYLE.num}${open}">${escapeHtml(x)}</td>`).join('') +
      `<td style="${STYLE.td};white-space:nowrap;font-weight:bold;color:${v.colour}${open}">${escapeHtml(v.status)}${note}</td></tr>` +
      (row.chart ? chartRow(row.chart, row.name, t.columns.length, t) : '') +
      (row.explanation ? explanationRow(row.explanation, t.columns.length, lang) : '')
    );
  });
  return `<table style="${STYLE.table}">${headerRow(t.columns, (i) => i >= 1 && i <= 5)}${body.join('')}</table>`;
}

function alertLines(rows: AlertRow[], firing: boolean, lang: Lang, appUrl: string): string {
  const t = TEXT[lang];
  return rows
    .map((row) => {
      const v = rowView(row, firing, lang, appUrl);
      const status = v.status + (v.note ? t.paren(v.note) : '');
      const fields = [...v.values, status].map((x, i) => `${t.columns[i + 1]}${t.colon}${x}`);
      const explanation = row.explanation ? `\n  ${explanationLine(row.explanation, lang)}` : '';
      return `- ${row.name}${row.role === 'support' ? t.support : ''} [${row.code}]\n  ${fields.join(' | ')}${explanation}\n  ${v.url}`;
    })
    .join('\n');
}

function distinctCodes(rows: { code: string }[]): number {
  return new Set(rows.map((r) => r.code)).size;
}

function digestSubject(m: DigestModel): string {
  const t = TEXT[m.lang];
  const firing = [...m.fresh, ...m.ongoing];
  const counts = [
    ...(['lagging', 'at_risk', 'data_overdue'] as const).map((kind) => ({
      n: distinctCodes(firing.filter((r) => r.kind === kind)),
      label: t.counts[kind],
    })),
    { n: distinctCodes(m.resolved), label: t.counts.resolved },
  ];
  const parts = counts.filter((c) => c.n > 0).map((c) => c.label(c.n));
  return `${t.prefix}${quarterLabel(m.asOf, m.tz, m.lang)}${t.colon}${parts.length ? parts.join(t.comma) : t.allClear}`;
}

export function renderDigest(m: DigestModel): RenderedEmail {
  const t = TEXT[m.lang];
  const subject = digestSubject(m);
  const intro = t.digestIntro(formatDate(m.asOf, m.tz), quarterLabel(m.asOf, m.tz, m.lang));
  const sections = (['fresh', 'ongoing', 'resolved'] as const)
    .filter((s) => m[s].length > 0)
    .map((s) => ({ title: t.sections[s] + t.paren(String(m[s].length)), rows: m[s], firing: s !== 'resolved' }));
  const end = footer(t, m.appUrl);

  const html = page(
    m.lang,
    subject,
    `<p>${escapeHtml(t.hello(m.recipientName))}</p><p>${escapeHtml(intro)}</p>` +
      (sections.length ? '' : `<p>${escapeHtml(t.digestEmpty)}</p>`) +
      sections.map((s) => `<h2 style="${STYLE.h2}">${escapeHtml(s.title)}</h2>${alertTable(s.rows, s.firing, m.lang, m.appUrl)}`).join('') +
      end.html,
  );
  const text = [
    t.hello(m.recipientName),
    '',
    intro,
    ...(sections.length ? [] : [t.digestEmpty]),
    ...sections.flatMap((s) => ['', s.title, alertLines(s.rows, s.firing, m.lang, m.appUrl)]),
    '',
    end.text,
  ].join('\n');
  return { subject: oneLine(subject), html, text };
}

function dueStatus(overdueDays: number, t: Text): { label: string; colour: string } {
  if (overdueDays < 0) return { label: t.daysLeft(-overdueDays), colour: COLOUR.ink };
  // 0: the due instant has passed, less than a full day ago.
  return { label: overdueDays === 0 ? t.dueNow : t.daysOverdue(overdueDays), colour: COLOUR.red };
}

/** A reminder's row: a target, the period due, when, and how it stands (days left, overdue…). */
interface DueRow {
  name: string; code: string; role: 'lead' | 'support'; period: string; url: string; dueDate: string;
  state: { label: string; colour: string };
}

/**
 * A reminder email: greeting, intro and a table of what is due (target, period, due date, state), in HTML
 * and as text. `wrapState`: the state may be long (a reason quoted) and wraps in its cell.
 */
function dueEmail(
  m: { lang: Lang; recipientName: string | null; appUrl: string }, subject: string, intro: string,
  columns: string[], rows: DueRow[], wrapState = false,
): RenderedEmail {
  const t = TEXT[m.lang];
  const end = footer(t, m.appUrl);
  const body = rows.map(
    (r) =>
      `<tr>${nameCell(r.url, r.name, r.code, r.role, t)}<td style="${STYLE.td}">${escapeHtml(r.period)}</td>` +
      `<td style="${STYLE.td};white-space:nowrap">${escapeHtml(r.dueDate)}</td>` +
      `<td style="${STYLE.td}${wrapState ? '' : ';white-space:nowrap'};font-weight:bold;color:${r.state.colour}">${escapeHtml(r.state.label)}</td></tr>`,
  );
  const html = page(
    m.lang,
    subject,
    `<p>${escapeHtml(t.hello(m.recipientName))}</p><p>${escapeHtml(intro)}</p>` +
      `<table style="${STYLE.table}">${headerRow(columns, () => false)}${body.join('')}</table>${end.html}`,
  );
  const [, period, due, status] = columns;
  const lines = rows.map(
    (r) =>
      `- ${r.name}${r.role === 'support' ? t.support : ''} [${r.code}]\n` +
      `  ${period}${t.colon}${r.period} | ${due}${t.colon}${r.dueDate} | ${status}${t.colon}${r.state.label}\n  ${r.url}`,
  );
  const text = [t.hello(m.recipientName), '', intro, '', ...lines, '', end.text].join('\n');
  return { subject: oneLine(subject), html, text };
}

export function renderReminder(m: ReminderModel): RenderedEmail {
  const t = TEXT[m.lang];
  const subject = t.prefix + t.reminderSubject(distinctCodes(m.rows));
  const rows = m.rows.map((r) => ({ ...r, url: targetUrl(m.appUrl, r.code), dueDate: formatDate(new Date(r.due.getTime() - 1), m.tz) /* due by the end of the day before */, state: dueStatus(r.overdueDays, t) }));
  return dueEmail(m, subject, t.reminderIntro, t.reminderColumns, rows);
}

export function renderBindingAlert(m: BindingAlertModel): RenderedEmail {
  const t = TEXT[m.lang];
  const kind = kindLabel(m.row.kind, m.lang);
  const subject = t.prefix + t.bindingSubject(m.row.name, kind);
  const intro = t.bindingIntro(m.row.name, kind, formatDate(m.asOf, m.tz));
  const end = footer(t, m.appUrl);
  const html = page(m.lang, subject, `<p>${escapeHtml(intro)}</p>${alertTable([m.row], true, m.lang, m.appUrl)}${end.html}`);
  const text = [intro, '', alertLines([m.row], true, m.lang, m.appUrl), '', end.text].join('\n');
  return { subject: oneLine(subject), html, text };
}

// ---- 情况说明 (explanations): their reminders, and their line under a flagged target in the digest ----

export interface ExplanationReminderRow {
  code: string;
  name: string;
  /** the reporting quarter */
  period: string;
  due: Date;
  /** negative = days left */
  overdueDays: number;
  /** returned by the planning office: its reason */
  returnedReason: string | null;
}

export interface ExplanationReminderModel {
  lang: Lang;
  appUrl: string;
  recipientName: string | null;
  rows: ExplanationReminderRow[];
  tz: string;
}

/** A flagged target's explanation as the digest shows it: submitted (or accepted) text, or not yet. */
export interface DigestExplanation {
  period: string;
  state: 'due' | 'submitted' | 'returned' | 'accepted';
  cause: string | null;
  measures: string | null;
}

const EXPLANATION_TEXT = {
  'zh-CN': {
    subject: (n: number) => `情况说明提醒：${n}项指标待提交情况说明`,
    intro: '以下指标在季度评估中被标记为滞后、倒退、未完成或需加快，请及时提交情况说明（原因分析、下步措施）：',
    columns: ['指标', '季度', '截止日期', '状态'],
    returned: (reason: string) => `已退回修改：${reason}`,
    missing: '情况说明未提交',
    returnedMissing: '情况说明已退回修改，待重新提交',
    line: (period: string, cause: string, measures: string) => `情况说明（${period}）：原因分析：${cause}；下步措施：${measures}`,
  },
  en: {
    subject: (n: number) => `Explanations due: ${plural(n, 'target')}`,
    intro: 'The targets below were flagged at the quarterly evaluation; please submit their explanation (causes and next steps):',
    columns: ['Target', 'Quarter', 'Due', 'Status'],
    returned: (reason: string) => `returned: ${reason}`,
    missing: 'explanation not submitted',
    returnedMissing: 'explanation returned, not resubmitted',
    line: (period: string, cause: string, measures: string) => `Explanation (${period}): causes: ${cause}; next steps: ${measures}`,
  },
};

/** The longest cause or measures a digest shows (characters). */
export const DIGEST_EXPLANATION_CHARS = 120;

/** The digest's line for a flagged target's explanation: its text (truncated), or that it is missing. */
export function explanationLine(x: DigestExplanation, lang: Lang): string {
  const t = EXPLANATION_TEXT[lang];
  if ((x.state === 'submitted' || x.state === 'accepted') && x.cause && x.measures) {
    return t.line(x.period, truncate(x.cause, DIGEST_EXPLANATION_CHARS), truncate(x.measures, DIGEST_EXPLANATION_CHARS));
  }
  return x.state === 'returned' ? t.returnedMissing : t.missing;
}

function explanationRow(x: DigestExplanation, columns: number, lang: Lang): string {
  const missing = !(x.state === 'submitted' || x.state === 'accepted');
  return `<tr><td colspan="${columns}" style="${STYLE.td};${missing ? `color:${COLOUR.red}` : STYLE.small}">` +
    `${escapeHtml(explanationLine(x, lang))}</td></tr>`;
}

export function renderExplanationReminder(m: ExplanationReminderModel): RenderedEmail {
  const t = TEXT[m.lang];
  const x = EXPLANATION_TEXT[m.lang];
  const subject = t.prefix + x.subject(distinctCodes(m.rows));
  const rows = m.rows.map((r) => {
    const state = dueStatus(r.overdueDays, t);
    return {
      ...r, url: targetUrl(m.appUrl, r.code), dueDate: formatDate(new Date(r.due.getTime() - 1), m.tz),
      state: r.returnedReason ? { label: `${state.label}${t.paren(x.returned(r.returnedReason))}`, colour: state.colour } : state,
    };
  });
  return dueEmail(m, subject, x.intro, x.columns, rows.map((r) => ({ ...r, role: 'lead' as const })), true);
}
