import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Status } from '../evaluation/evaluation.types.js';
import { buildReportModel, countStatuses, type EvaluationInput, overviewSentence, percent, quarterText } from './report-model.js';

const row = (code: string, status: Status, extra: Partial<EvaluationInput> = {}): EvaluationInput => ({
  code, name: `指标${code}`, unit: '家', departmentCode: 'ECON', departmentName: '区经济信息委', targetValue: '100', targetPeriod: '2027',
  status, completion: 0.5, elapsed: 0.5, expected: 50, pace: 1, latestPeriod: '2026Q3', latestValue: '50', overdue: false, duePeriod: '2026Q3',
  ...extra,
});

describe('the 通报 counts (共N项指标，达到或快于序时进度X项，占Y%；…)', () => {
  const cases: { name: string; statuses: Status[]; overdue?: number; sentence: string }[] = [
    { name: 'none', statuses: [], sentence: '共0项指标，达到或快于序时进度0项，占0.0%；需加快0项；滞后0项；数据逾期0项。' },
    {
      name: 'achieved, ahead and on_track count as good', statuses: ['achieved', 'ahead', 'on_track', 'lagging'],
      sentence: '共4项指标，达到或快于序时进度3项，占75.0%；需加快0项；滞后1项；数据逾期0项。',
    },
    {
      name: 'a third rounds to one decimal', statuses: ['on_track', 'at_risk', 'lagging'], overdue: 1,
      sentence: '共3项指标，达到或快于序时进度1项，占33.3%；需加快1项；滞后1项；数据逾期1项。',
    },
    {
      name: 'two thirds round half up', statuses: ['ahead', 'achieved', 'no_data'], overdue: 1,
      sentence: '共3项指标，达到或快于序时进度2项，占66.7%；需加快0项；滞后0项；暂无数据1项；数据逾期1项。',
    },
    {
      name: 'deteriorating and missed are named when there are some', statuses: ['deteriorating', 'missed', 'missed', 'at_risk', 'on_track', 'on_track', 'ahead', 'achieved'],
      sentence: '共8项指标，达到或快于序时进度4项，占50.0%；需加快1项；滞后0项；倒退1项；未完成2项；数据逾期0项。',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rows = c.statuses.map((s, i) => ({ status: s, overdue: i < (c.overdue ?? 0) }));
      assert.equal(overviewSentence(countStatuses(rows)), c.sentence);
    });
  }

  it('percentages and quarters as printed', () => {
    assert.deepEqual([percent(0.1234), percent(0.0005), percent(-0.25), percent(null), percent(Number.NaN)], ['12.3', '0.1', '-25.0', null, null]);
    assert.equal(quarterText('2026Q3'), '2026年第三季度');
    assert.throws(() => quarterText('2026'));
  });
});

describe('the 通报 model', () => {
  const model = buildReportModel({
    period: '2026Q3', runId: 'run', asOf: new Date('2026-10-25T00:00:00Z'), createdAt: new Date('2026-10-26T00:00:00Z'), demo: false,
    evaluations: [
      row('B-LAG', 'lagging', { departmentCode: 'SCI', departmentName: '区科技局' }),
      row('A-RISK', 'at_risk'),
      row('C-OK', 'on_track'),
      row('D-DET', 'deteriorating', { overdue: true, duePeriod: '2026Q3' }),
    ],
    explanations: [
      { code: 'A-RISK', state: 'accepted', cause: '原因', measures: '措施', dueAt: null },
      { code: 'B-LAG', state: 'returned', cause: '原因', measures: '措施', dueAt: '2026-11-04T00:00:00.000Z' },
      { code: 'Z-OLD', state: 'due', cause: null, measures: null, dueAt: '2026-11-04T00:00:00.000Z' },
    ],
    figures: new Map(), charts: new Map([['A-RISK', 'cG5n']]), revisions: [],
  });

  it('groups the rows by lead department, by code', () => {
    assert.deepEqual(model.departments.map((d) => [d.code, d.rows.map((r) => r.code)]), [['ECON', ['A-RISK', 'C-OK', 'D-DET']], ['SCI', ['B-LAG']]]);
    assert.equal(model.departments[0].rows[2].statusText, '倒退（数据逾期）');
  });

  it('lists the flagged targets worst first, with a submitted or accepted explanation only', () => {
    assert.deepEqual(model.flagged.map((f) => [f.code, f.explanation?.cause ?? null, f.chartPng]), [
      ['D-DET', null, null], ['B-LAG', null, null], ['A-RISK', '原因', 'cG5n'],
    ]);
  });

  it('lists missing explanations (none asked, returned, due) and missing figures', () => {
    assert.deepEqual(model.missingExplanations.map((m) => [m.code, m.state]), [['D-DET', 'none'], ['B-LAG', 'returned'], ['Z-OLD', 'due']]);
    assert.deepEqual(model.missingFigures.map((m) => [m.code, m.duePeriod]), [['D-DET', '2026Q3']]);
  });
});
