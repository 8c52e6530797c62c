import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldLabel, formatDate, formatDifference, formatDateTime, formatPeriod, formatValue, localise } from './i18n.js';

describe('localise', () => {
  it('gives the Chinese part for zh and the English in the final brackets for en', () => {
    assert.equal(localise('zh', '必填 (required)'), '必填');
    assert.equal(localise('en', '必填 (required)'), 'required');
    assert.equal(localise('zh', '缺少数值 (value is missing)；缺少期间 (period is missing)'), '缺少数值；缺少期间');
    assert.equal(localise('en', '缺少数值 (value is missing)；缺少期间 (period is missing)'), 'value is missing; period is missing');
    assert.equal(localise('en', 'CSV 格式有误 (malformed CSV: bad (x) quote)'), 'malformed CSV: bad (x) quote');
    assert.equal(localise('zh', '“三百五” 不是数值 ("三百五" is not a number)'), '“三百五” 不是数值');
    assert.equal(localise('en', '“三百五” 不是数值 ("三百五" is not a number)'), '"三百五" is not a number');
  });

  it('keeps brackets that are part of the Chinese text and messages with no English', () => {
    assert.equal(localise('zh', '请求含有无法处理的字符 (U+0000) (the request contains U+0000)'), '请求含有无法处理的字符 (U+0000)');
    assert.equal(localise('zh', '复合增长率 (CAGR)'), '复合增长率 (CAGR)');
    assert.equal(localise('en', '未知'), '未知');
    assert.equal(localise('zh', ''), '');
  });
});

describe('page formats', () => {
  it('writes periods the Chinese way in zh and as stored in en', () => {
    assert.equal(formatPeriod('zh', '2025Q3'), '2025年三季度');
    assert.equal(formatPeriod('zh', '2025-07'), '2025年7月');
    assert.equal(formatPeriod('zh', '2025'), '2025年');
    assert.equal(formatPeriod('en', '2025Q3'), '2025Q3');
  });

  it('writes dates and times in China time', () => {
    assert.equal(formatDate('zh', '2026-12-05'), '2026年12月5日');
    assert.equal(formatDate('zh', new Date('2026-12-04T16:30:00Z')), '2026年12月5日');
    assert.equal(formatDateTime('zh', new Date('2026-12-05T01:30:00Z')), '2026年12月5日 09:30');
    assert.equal(formatDateTime('en', new Date('2026-12-05T01:30:00Z')), '2026-12-05 09:30');
  });

  it('shows count units as whole numbers and keeps decimals of amounts', () => {
    assert.equal(formatValue('zh', '350.00', '家'), '350家');
    assert.equal(formatValue('zh', '12.5', '万辆'), '12.5万辆');
    assert.equal(formatValue('zh', '85', '%'), '85%');
    assert.equal(formatValue('en', '12.5', '万辆'), '12.5 万辆');
  });

  it('writes a difference of a rate in percentage points', () => {
    assert.equal(formatDifference('zh', 19, '%'), '19个百分点');
    assert.equal(formatDifference('en', 19, '%'), '19 pp');
    assert.equal(formatDifference('zh', 120, '家'), '120家');
  });

  it('names fields in words, never as paths', () => {
    assert.equal(fieldLabel('zh', 'rows[0].department'), '第1行 责任单位');
    assert.equal(fieldLabel('en', 'rows[0].department'), 'row #1 department');
    assert.equal(fieldLabel('zh', 'milestones[2].period'), '阶段目标 第3项 期间');
    assert.equal(fieldLabel('zh', 'weird.thing'), '');
  });
});
