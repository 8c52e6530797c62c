import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { behindText, colourReason, streakText } from './progress-text.js';

const LINEAR = { status: 'lagging' as const, comparator: '>=', unit: '家', paceMethod: 'linear' as const, completion: 0.2, elapsed: 0.375, lag: 26.25, pace: 0.53 };

describe('progress wording', () => {
  it('says since when, in Chinese periods', () => {
    assert.equal(streakText('zh', 'lagging', { colour: 'red', since: '2025Q2', periods: 2, atLeast: false }), '滞后自2025年二季度（连续2期）');
    assert.equal(streakText('zh', 'at_risk', { colour: 'amber', since: '2026Q3', periods: 1, atLeast: false }), '需加快自2026年三季度（本期）');
    assert.equal(streakText('zh', 'lagging', { colour: 'red', since: '2025Q4', periods: 4, atLeast: true }), '滞后至少自2025年四季度（连续4期以上）');
    assert.equal(streakText('en', 'lagging', { colour: 'red', since: '2025Q2', periods: 2, atLeast: false }), 'Lagging since 2025Q2 (2 periods in a row)');
    assert.equal(streakText('zh', 'lagging', null), '');
  });

  it('says how far: points of the elapsed share for linear pace, the unit below the expected value for compound growth', () => {
    assert.equal(behindText('zh', LINEAR), '低于序时进度 17.5 个百分点');
    assert.equal(behindText('zh', { ...LINEAR, paceMethod: 'cagr', lag: 115.4 }), '低于应达值 115家（按复合增长路径）');
    assert.equal(behindText('zh', { ...LINEAR, unit: '%', paceMethod: 'cagr', lag: 3 }), '低于应达值 3个百分点（按复合增长路径）');
    assert.equal(behindText('zh', { ...LINEAR, comparator: '<=', completion: 0.9, elapsed: 0.75, lag: 10 }), '超出序时进度 15 个百分点');
    assert.equal(behindText('zh', { ...LINEAR, lag: -3 }), ''); // ahead: nothing to say
  });

  it('gives the threshold that set the colour, by method', () => {
    assert.equal(colourReason('zh', LINEAR), '进度比 0.53 < 0.85（线性）→ 滞后');
    assert.equal(colourReason('zh', { ...LINEAR, status: 'at_risk', paceMethod: 'cagr', pace: 0.66 }), '进度比 0.66 ≥ 0.6（复合增长）→ 需加快');
  });
});
