import * as echarts from 'echarts';
import { formatValue, statusLabel } from '../common/labels.js';
import type { ChartModel, ChartPoint } from './chart-model.js';
import { periodZh } from '../evaluation/periods.js';

export type ChartLang = 'zh' | 'en';

export interface ChartRenderOptions {
  width: number;
  height: number;
  lang: ChartLang;
  /** default: the target's name; '' draws no title (the digest shows the name beside the chart) */
  title?: string;
}

/** Fonts the SVG asks for, resvg's first. Single quotes: echarts writes the list into a double-quoted attribute. */
export const CHART_FONT_FAMILY =
  "'WenQuanYi Micro Hei', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif";

export const MIN_SIZE = 120;
export const MAX_SIZE = 2400;

const LABELS = {
  zh: {
    target: '目标值',
    expected: '序时进度',
    actual: '实际值',
    projection: '预测',
    milestones: '阶段目标',
    status: '状态：',
    ytd: (year: number) => `${year}年累计值`,
  },
  en: {
    target: 'Target',
    expected: 'Expected pace',
    actual: 'Actual',
    projection: 'Projection',
    milestones: 'Milestones',
    status: 'Status: ',
    ytd: (year: number) => `${year} year to date`,
  },
} as const;

const COLOUR = { target: '#c62828', expected: '#6b7280', actual: '#1d4ed8', projection: '#b26a00', milestones: '#7c3aed', ink: '#1f2937', grid: '#e5e7eb' };

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < MIN_SIZE || v > MAX_SIZE) {
    throw new RangeError(`chart ${name} must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${v}`);
  }
}

const pairs = (points: ChartPoint[]) => points.map((p) => [p.period, p.value]);

/** Short numbers for the axis: 12,000 → 1.2万 (zh) / 12k (en); the unit is the axis name. */
function axisNumber(v: number, lang: ChartLang): string {
  const abs = Math.abs(v);
  const fmt = (x: number) => String(Number(x.toPrecision(6)));
  if (lang === 'zh') {
    if (abs >= 1e8) return `${fmt(v / 1e8)}亿`;
    if (abs >= 1e4) return `${fmt(v / 1e4)}万`;
    return fmt(v);
  }
  if (abs >= 1e9) return `${fmt(v / 1e9)}B`;
  if (abs >= 1e6) return `${fmt(v / 1e6)}M`;
  if (abs >= 1e4) return `${fmt(v / 1e3)}k`;
  return fmt(v);
}

/** The echarts option of a chart model: four lines (target, expected pace, actual, projection), no animation. */
export function chartOption(model: ChartModel, options: Pick<ChartRenderOptions, 'lang' | 'title' | 'width'>): echarts.EChartsCoreOption {
  const t = LABELS[options.lang];
  const fmtLang = options.lang === 'en' ? 'en' : 'zh-CN';
  const title = options.title ?? model.name;
  const latest = model.latest
    ? ` · ${t.actual} ${formatValue(model.latest.value, model.unit, fmtLang)}${options.lang === 'en' ? ` (${model.latest.period})` : `（${periodZh(model.latest.period)}）`}`
    : '';
  const subtitle =
    (model.year !== null ? `${t.ytd(model.year)} · ` : '') +
    `${t.status}${statusLabel(model.status, fmtLang, model.early)}${latest}`;
  const small = options.width < 420;

  const line = (name: string, colour: string, data: ChartPoint[], extra: Record<string, unknown> = {}) => ({
    name,
    type: 'line',
    data: pairs(data),
    color: colour,
    lineStyle: { color: colour, width: 2 },
    itemStyle: { color: colour },
    symbolSize: 5,
    ...extra,
  });
  const series = [
    line(t.target, COLOUR.target, model.target, { showSymbol: false, lineStyle: { color: COLOUR.target, width: 1.5 } }),
    line(t.expected, COLOUR.expected, model.expected, { showSymbol: false, lineStyle: { color: COLOUR.expected, width: 1.5, type: 'dashed' } }),
    line(t.actual, COLOUR.actual, model.actual, { symbol: 'circle', lineStyle: { color: COLOUR.actual, width: 2.5 } }),
    line(t.projection, COLOUR.projection, model.projection, { symbol: 'emptyCircle', lineStyle: { color: COLOUR.projection, width: 1.5, type: 'dotted' } }),
    ...(model.milestones.length
      ? [{ name: t.milestones, type: 'scatter', data: pairs(model.milestones), symbol: 'diamond', symbolSize: 9, itemStyle: { color: COLOUR.milestones } }]
      : []),
  ];
  const hasTitle = title !== '';
  const top = hasTitle ? 76 : 30;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: COLOUR.ink },
    title: hasTitle
      ? { text: title, subtext: subtitle, left: 8, top: 4, textStyle: { fontSize: small ? 13 : 15, fontFamily: CHART_FONT_FAMILY }, subtextStyle: { fontSize: 11, fontFamily: CHART_FONT_FAMILY, color: '#4b5563' } }
      : undefined,
    legend: {
      data: series.map((s) => s.name),
      top: hasTitle ? 4 : 2,
      right: 8,
      itemWidth: 16,
      itemHeight: 8,
      textStyle: { fontSize: 11, fontFamily: CHART_FONT_FAMILY },
      ...(hasTitle && !small ? {} : { left: 'center', right: undefined }),
    },
    grid: { left: 12, right: 18, top, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: model.periods,
      boundaryGap: model.periods.length === 1,
      axisLabel: {
        fontSize: 10, hideOverlap: true, fontFamily: CHART_FONT_FAMILY,
        ...(options.lang === 'en' ? {} : { formatter: (period: string) => periodZh(period) }),
      },
      axisLine: { lineStyle: { color: '#9ca3af' } },
    },
    yAxis: {
      type: 'value',
      name: model.unit,
      nameTextStyle: { fontSize: 11, align: 'left', fontFamily: CHART_FONT_FAMILY },
      scale: model.kind === 'level',
      axisLabel: { fontSize: 10, formatter: (v: number) => axisNumber(v, options.lang), fontFamily: CHART_FONT_FAMILY },
      splitLine: { lineStyle: { color: COLOUR.grid } },
    },
    series,
  };
}

/** The chart as an SVG string, rendered by echarts without a DOM; echarts escapes the (user-given) text. */
export function renderChartSvg(model: ChartModel, options: ChartRenderOptions): string {
  checkSize('width', options.width);
  checkSize('height', options.height);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width, height: options.height });
  try {
    chart.setOption(chartOption(model, options));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
