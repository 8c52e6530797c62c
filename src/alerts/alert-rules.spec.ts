import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Status } from '../evaluation/evaluation.types.js';
import { ALERT_KINDS, reconcileAlerts, type AlertChange, type AlertKind, type AlertState, type EvaluatedTarget } from './alert-rules.js';

let nextId = 100;
function row(kind: AlertKind, state: 'firing' | 'resolved', status: Status | null, inhibited = false, targetId = 1): AlertState {
  return { id: nextId++, targetId, kind, state, inhibited, status };
}
const ev = (status: Status, overdue = false, targetId = 1): EvaluatedTarget => ({ targetId, status, overdue });

/** Changes without ids, as 'change kind status [inhibited]' strings: easy to read in a table. */
function brief(changes: AlertChange[]): string[] {
  return changes.map((c) => {
    const extra = c.change === 'fire' ? (c.inhibited ? ' inhibited' : '') + (c.alertId === null ? ' new' : ' again') : '';
    return `${c.targetId} ${c.change} ${c.kind} ${c.status}${extra}`;
  });
}

describe('reconcileAlerts: transitions of one target', () => {
  const cases: [string, AlertState[], EvaluatedTarget, string[]][] = [
    ['no alerts, on track → nothing', [], ev('on_track'), []],
    ['no alerts, no_data → nothing fires', [], ev('no_data'), []],
    ['no alerts, achieved → nothing', [], ev('achieved'), []],
    ['no alerts, ahead → nothing', [], ev('ahead'), []],
    ['lagging → fire lagging', [], ev('lagging'), ['1 fire lagging lagging new']],
    ['deteriorating → fire lagging', [], ev('deteriorating'), ['1 fire lagging deteriorating new']],
    ['missed → fire lagging', [], ev('missed'), ['1 fire lagging missed new']],
    ['at_risk → fire at_risk', [], ev('at_risk'), ['1 fire at_risk at_risk new']],
    ['overdue only → fire data_overdue', [], ev('on_track', true), ['1 fire data_overdue on_track new']],
    ['no_data and overdue → only data_overdue', [], ev('no_data', true), ['1 fire data_overdue no_data new']],
    [
      'lagging and overdue at once → lagging fires inhibited',
      [],
      ev('lagging', true),
      ['1 fire lagging lagging inhibited new', '1 fire data_overdue lagging new'],
    ],
    ['still lagging, same status → nothing', [row('lagging', 'firing', 'lagging')], ev('lagging'), []],
    ['lagging → missed: status change', [row('lagging', 'firing', 'lagging')], ev('missed'), ['1 status lagging missed']],
    ['lagging → deteriorating: status change', [row('lagging', 'firing', 'lagging')], ev('deteriorating'), ['1 status lagging deteriorating']],
    ['lagging → on_track: resolve', [row('lagging', 'firing', 'lagging')], ev('on_track'), ['1 resolve lagging on_track']],
    ['lagging → no_data: resolve', [row('lagging', 'firing', 'lagging')], ev('no_data'), ['1 resolve lagging no_data']],
    [
      'lagging → at_risk: lagging resolves, at_risk fires',
      [row('lagging', 'firing', 'lagging')],
      ev('at_risk'),
      ['1 resolve lagging at_risk', '1 fire at_risk at_risk new'],
    ],
    [
      'at_risk → lagging: lagging fires, at_risk resolves',
      [row('at_risk', 'firing', 'at_risk')],
      ev('lagging'),
      ['1 fire lagging lagging new', '1 resolve at_risk lagging'],
    ],
    ['resolved lagging fires again with its id', [row('lagging', 'resolved', 'on_track')], ev('lagging'), ['1 fire lagging lagging again']],
    ['resolved alert stays resolved → nothing', [row('lagging', 'resolved', 'on_track')], ev('ahead'), []],
    ['resolved at_risk stays resolved when lagging', [row('at_risk', 'resolved', 'on_track')], ev('lagging'), ['1 fire lagging lagging new']],
    [
      'data_overdue fires: firing lagging becomes inhibited',
      [row('lagging', 'firing', 'lagging')],
      ev('lagging', true),
      ['1 inhibit lagging lagging', '1 fire data_overdue lagging new'],
    ],
    [
      'data_overdue fires: firing at_risk becomes inhibited',
      [row('at_risk', 'firing', 'at_risk')],
      ev('at_risk', true),
      ['1 inhibit at_risk at_risk', '1 fire data_overdue at_risk new'],
    ],
    [
      'data_overdue resolves: inhibited lagging is released',
      [row('lagging', 'firing', 'lagging', true), row('data_overdue', 'firing', 'lagging')],
      ev('lagging'),
      ['1 release lagging lagging', '1 resolve data_overdue lagging'],
    ],
    [
      'data_overdue resolves and status moved on: released with the new status',
      [row('lagging', 'firing', 'lagging', true), row('data_overdue', 'firing', 'lagging')],
      ev('missed'),
      ['1 release lagging missed', '1 resolve data_overdue missed'],
    ],
    [
      'data_overdue resolves and the figure cures lagging: lagging resolves',
      [row('lagging', 'firing', 'lagging', true), row('data_overdue', 'firing', 'lagging')],
      ev('on_track'),
      ['1 resolve lagging on_track', '1 resolve data_overdue on_track'],
    ],
    [
      'still inhibited, same status → nothing',
      [row('lagging', 'firing', 'lagging', true), row('data_overdue', 'firing', 'lagging')],
      ev('lagging', true),
      [],
    ],
    [
      'still inhibited, status changes → status',
      [row('lagging', 'firing', 'lagging', true), row('data_overdue', 'firing', 'lagging')],
      ev('missed', true),
      ['1 status lagging missed', '1 status data_overdue missed'],
    ],
    [
      'resolved lagging fires again while overdue → fired inhibited, with its id',
      [row('lagging', 'resolved', 'on_track'), row('data_overdue', 'firing', 'on_track')],
      ev('lagging', true),
      ['1 fire lagging lagging inhibited again', '1 status data_overdue lagging'],
    ],
    [
      'resolved data_overdue fires again with its id',
      [row('data_overdue', 'resolved', 'on_track')],
      ev('on_track', true),
      ['1 fire data_overdue on_track again'],
    ],
    ['row with null status gets a status change', [row('at_risk', 'firing', null)], ev('at_risk'), ['1 status at_risk at_risk']],
  ];
  for (const [name, current, evaluation, expected] of cases) {
    it(name, () => assert.deepEqual(brief(reconcileAlerts(current, [evaluation])), expected));
  }
});

describe('reconcileAlerts: ids, scope and order', () => {
  it('fires with the resolved row id and acts on firing rows by id', () => {
    const resolved: AlertState = { id: 7, targetId: 3, kind: 'at_risk', state: 'resolved', inhibited: false, status: 'on_track' };
    const firing: AlertState = { id: 8, targetId: 3, kind: 'lagging', state: 'firing', inhibited: false, status: 'lagging' };
    assert.deepEqual(reconcileAlerts([resolved, firing], [ev('at_risk', false, 3)]), [
      { change: 'resolve', alertId: 8, targetId: 3, kind: 'lagging', status: 'at_risk' },
      { change: 'fire', targetId: 3, kind: 'at_risk', status: 'at_risk', inhibited: false, alertId: 7 },
    ]);
  });

  it('leaves targets absent from the evaluations alone', () => {
    const current = [row('lagging', 'firing', 'lagging', false, 5), row('data_overdue', 'firing', 'no_data', false, 6)];
    assert.deepEqual(reconcileAlerts(current, []), []);
    assert.deepEqual(brief(reconcileAlerts(current, [ev('on_track', false, 6)])), ['6 resolve data_overdue on_track']);
  });

  it('orders by target id, then kind in ALERT_KINDS order, whatever the input order', () => {
    const current = [row('data_overdue', 'firing', 'at_risk', false, 2), row('lagging', 'firing', 'lagging', false, 9)];
    const evaluations = [ev('on_track', false, 9), ev('missed', true, 4), ev('at_risk', false, 2)];
    assert.deepEqual(brief(reconcileAlerts(current, evaluations)), [
      '2 fire at_risk at_risk new',
      '2 resolve data_overdue at_risk',
      '4 fire lagging missed inhibited new',
      '4 fire data_overdue missed new',
      '9 resolve lagging on_track',
    ]);
    assert.deepEqual([...ALERT_KINDS], ['lagging', 'at_risk', 'data_overdue']);
  });

  it('prefers the firing row when one (target, kind) has several rows', () => {
    const old: AlertState = { id: 1, targetId: 1, kind: 'lagging', state: 'resolved', inhibited: false, status: 'on_track' };
    const live: AlertState = { id: 2, targetId: 1, kind: 'lagging', state: 'firing', inhibited: false, status: 'lagging' };
    for (const current of [[old, live], [live, old]]) {
      assert.deepEqual(reconcileAlerts(current, [ev('on_track')]), [
        { change: 'resolve', alertId: 2, targetId: 1, kind: 'lagging', status: 'on_track' },
      ]);
    }
  });

  it('uses the last evaluation when a target appears twice', () => {
    assert.deepEqual(brief(reconcileAlerts([], [ev('lagging'), ev('at_risk')])), ['1 fire at_risk at_risk new']);
  });

  it('does not mutate its inputs', () => {
    const current = [row('lagging', 'firing', 'lagging')];
    const evaluations = [ev('on_track', true, 2), ev('missed')];
    const before = JSON.stringify([current, evaluations]);
    reconcileAlerts(current, evaluations);
    assert.equal(JSON.stringify([current, evaluations]), before);
  });
});
