import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explanationLine } from './email-templates.js';
import { explanationPhase, explanationReminderKey } from './explanation-reminders.js';

const options = { tz: 'Asia/Shanghai', daysBefore: 5, repeatDays: 7 };
const due = new Date('2026-10-11T10:00:00+08:00');
const at = (local: string) => new Date(`${local}+08:00`);

describe('explanation reminders', () => {
  it('start daysBefore the due moment, then one phase every repeatDays days', () => {
    assert.equal(explanationPhase(due, at('2026-10-06T09:59:59'), options), null);
    assert.equal(explanationPhase(due, at('2026-10-06T10:00:00'), options), 'before');
    assert.equal(explanationPhase(due, at('2026-10-11T09:59:59'), options), 'before');
    assert.equal(explanationPhase(due, at('2026-10-11T10:00:00'), options), 'after-0');
    assert.equal(explanationPhase(due, at('2026-10-18T09:59:59'), options), 'after-0');
    assert.equal(explanationPhase(due, at('2026-10-18T10:00:00'), options), 'after-1');
    assert.throws(() => explanationPhase(due, due, { ...options, repeatDays: 0 }), RangeError);
  });

  it('a return starts the reminders afresh', () => {
    const x = { code: 'T-1', period: '2026Q3' };
    const returned = explanationReminderKey({ ...x, state: 'returned', reviewed_at: new Date(5) }, 'after-0');
    assert.notEqual(explanationReminderKey({ ...x, state: 'due', reviewed_at: null }, 'after-0'), returned);
    assert.notEqual(explanationReminderKey({ ...x, state: 'returned', reviewed_at: new Date(6) }, 'after-0'), returned);
  });

  it('the digest shows a submitted explanation cut short, or that it is missing', () => {
    const long = '原'.repeat(200);
    const line = explanationLine({ period: '2026Q3', state: 'submitted', cause: long, measures: '措施' }, 'zh-CN');
    assert.ok(line.startsWith('情况说明（2026Q3）：原因分析：原'));
    assert.ok(line.includes('…；下步措施：措施'));
    assert.ok([...line].length < 160);
    assert.equal(explanationLine({ period: '2026Q3', state: 'due', cause: null, measures: null }, 'zh-CN'), '情况说明未提交');
    assert.equal(explanationLine({ period: '2026Q3', state: 'returned', cause: 'a', measures: 'b' }, 'zh-CN'), '情况说明已退回修改，待重新提交');
  });
});
