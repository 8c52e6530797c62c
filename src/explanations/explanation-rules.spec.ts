import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../access/actor.js';
import { explanationJson, isOverdue, listScope, maySubmit, truncate } from './explanation-rules.js';
import type { ExplanationRow } from './explanations.store.js';

const actor = (role: Actor['role'], departmentId: number | null = null): Actor => ({ userId: 1, email: 'x@y', role, departmentId, ip: null });
const due = new Date('2026-10-11T02:00:00Z');

describe('explanation rules', () => {
  it('is overdue only while owed (due or returned) and past its due moment', () => {
    const after = new Date(due.getTime() + 1);
    assert.equal(isOverdue({ state: 'due', due_at: due }, after), true);
    assert.equal(isOverdue({ state: 'returned', due_at: due }, after), true);
    assert.equal(isOverdue({ state: 'due', due_at: due }, due), false);
    assert.equal(isOverdue({ state: 'submitted', due_at: due }, after), false);
    assert.equal(isOverdue({ state: 'accepted', due_at: due }, after), false);
  });

  it('the lead department, planners and admins may submit; others not', () => {
    assert.equal(maySubmit(actor('department', 3), 3), true);
    assert.equal(maySubmit(actor('department', 4), 3), false);
    assert.equal(maySubmit(actor('department', null), 3), false);
    assert.equal(maySubmit(actor('viewer'), 3), false);
    assert.equal(maySubmit(actor('planner'), 3), true);
    assert.equal(maySubmit(actor('admin'), 3), true);
  });

  it('a department lists its own; others all; a department account without one nothing', () => {
    assert.equal(listScope(actor('department', 7)), 7);
    assert.equal(listScope(actor('department', null)), 'none');
    assert.equal(listScope(actor('planner')), null);
    assert.equal(listScope(actor('viewer')), null);
  });

  it('truncates by characters, whitespace folded', () => {
    assert.equal(truncate('原因  分析\n很长', 20), '原因 分析 很长');
    assert.equal(truncate('一二三四五六', 4), '一二三…');
  });

  it('maps a row to its JSON', () => {
    const row: ExplanationRow = {
      target_id: 1, code: 'T-1', target_name: '指标', period: '2026Q3', department_id: 2, department: 'D', department_name: '单位',
      flagged_status: 'lagging', due_at: due, state: 'due', cause: null, measures: null, submitted_by: null, submitted_at: null,
      reviewed_by: null, reviewed_at: null, review_reason: null,
    };
    assert.deepEqual(explanationJson(row, new Date(due.getTime() + 1000)), {
      target: 'T-1', targetName: '指标', period: '2026Q3', department: 'D', flaggedStatus: 'lagging', dueAt: '2026-10-11T02:00:00.000Z',
      overdue: true, state: 'due', cause: null, measures: null, submittedBy: null, submittedAt: null, reviewedBy: null, reviewedAt: null,
      reviewReason: null,
    });
  });
});
