import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frequency } from '../evaluation/periods.js';
import { readPeriodWording, resolvePeriodWording } from './period-wording.js';

/** A wording resolved for a target of each frequency: the period (with the basis it implies), or the error's start. */
const resolve = (text: string, frequency: Frequency): string => {
  const w = readPeriodWording(text);
  if (!w) return 'unreadable';
  const r = resolvePeriodWording(w, frequency, text);
  return r.error !== undefined ? `error: ${r.error.split(' (')[0]}` : `${r.period}${r.basis ? ` ${r.basis}` : ''}`;
};

describe('period wordings as the bureau writes them', () => {
  const cases: [string, { quarterly: string; monthly: string; yearly: string }][] = [
    ['2025年三季度', { quarterly: '2025Q3', monthly: 'error: 期间「2025年三季度」与指标的报送频率（月度）不符', yearly: 'error: 期间「2025年三季度」与指标的报送频率（年度）不符' }],
    ['2025年第三季度', { quarterly: '2025Q3', monthly: 'error: 期间「2025年第三季度」与指标的报送频率（月度）不符', yearly: 'error: 期间「2025年第三季度」与指标的报送频率（年度）不符' }],
    ['2025年3季度', { quarterly: '2025Q3', monthly: 'error: 期间「2025年3季度」与指标的报送频率（月度）不符', yearly: 'error: 期间「2025年3季度」与指标的报送频率（年度）不符' }],
    ['２０２５年第一季', { quarterly: '2025Q1', monthly: 'error: 期间「２０２５年第一季」与指标的报送频率（月度）不符', yearly: 'error: 期间「２０２５年第一季」与指标的报送频率（年度）不符' }],
    ['2025年Q4', { quarterly: '2025Q4', monthly: 'error: 期间「2025年Q4」与指标的报送频率（月度）不符', yearly: 'error: 期间「2025年Q4」与指标的报送频率（年度）不符' }],
    ['2025年1-9月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年1-9月」与指标的报送频率（年度）不符' }],
    ['2025年1—9月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年1—9月」与指标的报送频率（年度）不符' }],
    ['2025年1～9月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年1～9月」与指标的报送频率（年度）不符' }],
    ['2025年1至9月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年1至9月」与指标的报送频率（年度）不符' }],
    ['2025年1月-9月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年1月-9月」与指标的报送频率（年度）不符' }],
    ['2025年 1 - 9 月', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年 1 - 9 月」与指标的报送频率（年度）不符' }],
    ['2025年前三季度', { quarterly: '2025Q3 ytd', monthly: '2025-09 ytd', yearly: 'error: 期间「2025年前三季度」与指标的报送频率（年度）不符' }],
    ['2025年1-8月', { quarterly: 'error: 期间「2025年1-8月」与指标的报送频率（季度）不符（累计截至季末月份才能对应季度）', monthly: '2025-08 ytd', yearly: 'error: 期间「2025年1-8月」与指标的报送频率（年度）不符' }],
    ['2025年1-12月', { quarterly: '2025Q4 ytd', monthly: '2025-12 ytd', yearly: '2025 ytd' }],
    ['2025年7-9月', { quarterly: '2025Q3 period', monthly: 'error: 期间「2025年7-9月」与指标的报送频率（月度）不符', yearly: 'error: 期间「2025年7-9月」与指标的报送频率（年度）不符' }],
    ['2025年5-9月', { quarterly: 'error: 期间「2025年5-9月」既不是从1月起的累计，也不是单个季度', monthly: 'error: 期间「2025年5-9月」既不是从1月起的累计，也不是单个季度', yearly: 'error: 期间「2025年5-9月」既不是从1月起的累计，也不是单个季度' }],
    ['2025年9月', { quarterly: 'error: 期间「2025年9月」与指标的报送频率（季度）不符，请按指标频率填写期间', monthly: '2025-09', yearly: 'error: 期间「2025年9月」与指标的报送频率（年度）不符，请按指标频率填写期间' }],
    ['2025年09月份', { quarterly: 'error: 期间「2025年09月份」与指标的报送频率（季度）不符，请按指标频率填写期间', monthly: '2025-09', yearly: 'error: 期间「2025年09月份」与指标的报送频率（年度）不符，请按指标频率填写期间' }],
    ['2025/9', { quarterly: 'error: 期间「2025/9」与指标的报送频率（季度）不符，请按指标频率填写期间', monthly: '2025-09', yearly: 'error: 期间「2025/9」与指标的报送频率（年度）不符，请按指标频率填写期间' }],
    ['2025年上半年', { quarterly: '2025Q2 ytd', monthly: '2025-06 ytd', yearly: 'error: 期间「2025年上半年」与指标的报送频率（年度）不符' }],
    ['2025H1', { quarterly: '2025Q2 ytd', monthly: '2025-06 ytd', yearly: 'error: 期间「2025H1」与指标的报送频率（年度）不符' }],
    ['2025年下半年', { quarterly: 'error: 期间「2025年下半年」为下半年（7-12月），既不是从1月起的累计，也不是单个季度，请按季度或全年填报', monthly: 'error: 期间「2025年下半年」为下半年（7-12月），既不是从1月起的累计，也不是单个季度，请按季度或全年填报', yearly: 'error: 期间「2025年下半年」为下半年（7-12月），既不是从1月起的累计，也不是单个季度，请按季度或全年填报' }],
    ['2025年全年', { quarterly: '2025Q4 ytd', monthly: '2025-12 ytd', yearly: '2025' }],
    ['2025年度', { quarterly: '2025Q4 ytd', monthly: '2025-12 ytd', yearly: '2025' }],
    ['2025年', { quarterly: '2025Q4 ytd', monthly: '2025-12 ytd', yearly: '2025' }],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      assert.deepEqual(
        { quarterly: resolve(text, 'quarterly'), monthly: resolve(text, 'monthly'), yearly: resolve(text, 'yearly') },
        expected,
      );
    });
  }

  it('refuses what is not a period', () => {
    for (const text of ['三季度', '2025年13月', '2025年9-1月', '2025年0月', '2025年五季度', '20253', '2025Q5', '1899年', '2025年1-13月', '上半年']) {
      assert.equal(readPeriodWording(text), null, text);
    }
  });
});
