import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STATUSES, type Status } from '../evaluation/evaluation.types.js';
import { formatDate, formatPercent, formatValue, kindLabel, quarterLabel, statusLabel, type Lang } from './format.js';

describe('formatValue', () => {
  const rows: [number | null, string, Lang, string][] = [
    [2000, '亿元', 'zh-CN', '2,000亿元'],
    [2000, '亿元', 'en', '2,000 亿元'],
    [28, '万辆', 'zh-CN', '28万辆'],
    [350, '家', 'zh-CN', '350家'],
    [350, '家', 'en', '350 家'],
    [90.5, '%', 'zh-CN', '90.5%'],
    [90.5, '%', 'en', '90.5%'],
    [1234567.891, '万元', 'zh-CN', '1,234,567.89万元'],
    [1.005, '', 'en', '1.01'],
    [12.1, 'km', 'en', '12.1 km'],
    [12.3456, '%', 'en', '12.35%'],
    [12.5, '亿元', 'zh-CN', '12.5亿元'],
    [12.0, '亿元', 'zh-CN', '12亿元'],
    [0.1 + 0.2, '', 'zh-CN', '0.3'],
    [-1500.25, '亿元', 'zh-CN', '-1,500.25亿元'],
    [-0.001, '家', 'zh-CN', '0家'],
    [-0, '%', 'en', '0%'],
    [0, '家', 'zh-CN', '0家'],
    [null, '家', 'zh-CN', '—'],
    [null, '%', 'en', '—'],
    [Number.NaN, '家', 'zh-CN', '—'],
  ];
  for (const [value, unit, lang, expected] of rows) {
    it(`${value} ${unit} (${lang}) → ${expected}`, () => assert.equal(formatValue(value, unit, lang), expected));
  }
});

describe('formatPercent', () => {
  const rows: [number | null, string][] = [
    [0.4, '40.0%'],
    [0.5, '50.0%'],
    [0.9167, '91.7%'],
    [1, '100.0%'],
    [12.5, '1,250.0%'],
    [0, '0.0%'],
    [-0.25, '-25.0%'],
    [-0.0001, '0.0%'],
    [null, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ];
  for (const [ratio, expected] of rows) it(`${ratio} → ${expected}`, () => assert.equal(formatPercent(ratio), expected));
});

describe('statusLabel / kindLabel', () => {
  const zh: Record<Status, string> = {
    ahead: '快于预期',
    on_track: '符合序时进度',
    at_risk: '需加快',
    lagging: '滞后',
    deteriorating: '倒退',
    achieved: '已完成',
    missed: '未完成',
    no_data: '无数据',
  };
  const en: Record<Status, string> = {
    ahead: 'ahead',
    on_track: 'on track',
    at_risk: 'at risk',
    lagging: 'lagging',
    deteriorating: 'deteriorating',
    achieved: 'achieved',
    missed: 'missed',
    no_data: 'no data',
  };
  it('labels every status in both languages', () => {
    for (const s of STATUSES) {
      assert.equal(statusLabel(s, 'zh-CN'), zh[s]);
      assert.equal(statusLabel(s, 'en'), en[s]);
    }
  });
  it('labels early achievement, and only achievement', () => {
    assert.equal(statusLabel('achieved', 'zh-CN', true), '提前完成');
    assert.equal(statusLabel('achieved', 'en', true), 'achieved early');
    assert.equal(statusLabel('achieved', 'zh-CN', false), '已完成');
    assert.equal(statusLabel('ahead', 'zh-CN', true), '快于预期');
  });
  it('labels alert kinds', () => {
    assert.deepEqual(
      (['lagging', 'at_risk', 'data_overdue'] as const).map((k) => [kindLabel(k, 'zh-CN'), kindLabel(k, 'en')]),
      [['滞后', 'lagging'], ['需加快', 'at risk'], ['数据逾期', 'data overdue']],
    );
  });
});

describe('quarterLabel (Asia/Shanghai)', () => {
  const tz = 'Asia/Shanghai';
  const rows: [string, string, string][] = [
    ['2025-11-29T09:00:00+08:00', '第3季度', 'Q3'],
    ['2026-01-05T09:00:00+08:00', '第4季度', 'Q4'],
    ['2025-09-30T23:59:59.999+08:00', '第2季度', 'Q2'],
    ['2025-10-01T00:00:00+08:00', '第3季度', 'Q3'],
    ['2025-09-30T16:00:00Z', '第3季度', 'Q3'],
    ['2025-04-01T00:00:00+08:00', '第1季度', 'Q1'],
  ];
  for (const [date, zh, en] of rows) {
    it(`${date} → ${zh} / ${en}`, () => {
      assert.equal(quarterLabel(new Date(date), tz, 'zh-CN'), zh);
      assert.equal(quarterLabel(new Date(date), tz, 'en'), en);
    });
  }
});

describe('formatDate', () => {
  it('gives the calendar date in the time zone', () => {
    assert.equal(formatDate(new Date('2025-10-20T16:00:00Z'), 'Asia/Shanghai'), '2025-10-21');
    assert.equal(formatDate(new Date('2025-10-20T15:59:59Z'), 'Asia/Shanghai'), '2025-10-20');
  });
});
