import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Response } from 'supertest';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget } from '../support/factories.js';
import { auditMark, auditSince } from '../support/state.js';

/**
 * 审核 (FIGURE_REVIEW=on) and period locking through the API: a department's figures wait as submissions
 * until a planner approves or returns them; a published quarter's figures need a planner and a reason.
 */

const CODE = 'DT-ENTERPRISES';
const FIG = (period: string) => `/api/v1/targets/${CODE}/figures/${period}`;
const PLANNER = { email: 'planner-review@example.org', password: 'Planner-review-2026', role: 'planner', department: null };
const ECON = { email: 'econ-review@example.org', password: 'Econ-review-pass-2026', role: 'department', department: 'ECON-INFO' };

const isProblem = (res: Response, status: number, path?: string) => {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  if (path) assert.ok(res.body.errors.some((e: { path: string }) => e.path === path), JSON.stringify(res.body.errors));
};

/** Locks a quarter as an issued 通报 does (period_locks names its report). */
async function lockQuarter(t: TestApp, quarter: string): Promise<void> {
  const sha = createHash('sha256').update(quarter).digest();
  const { rows: [report] } = await t.db.query(
    `INSERT INTO reports (period, model, document, sha256, created_by) VALUES ($1, '{}', '\\x00', $2, 'test') RETURNING id`, [quarter, sha]);
  await t.db.query(`INSERT INTO period_locks (period, report_id, locked_by) VALUES ($1, $2, 'test')`, [quarter, report.id]);
}

describe('figure review (FIGURE_REVIEW=on)', () => {
  let t: TestApp;
  let planner: () => ReturnType<TestApp['as']>;
  let econ: () => ReturnType<TestApp['as']>;
  const revisions = async () => Number((await t.db.query(`SELECT count(*) FROM figure_revisions`)).rows[0].count);

  before(async () => {
    t = await startApp('figure-review', { FIGURE_REVIEW: 'on' });
    await createDepartment(t);
    await createTarget(t, { target: { period: '2027', value: 350 } });
    for (const u of [PLANNER, ECON]) await t.http().post('/api/v1/users').send(u).expect(201);
    const plannerToken = await t.login(PLANNER.email, PLANNER.password);
    const econToken = await t.login(ECON.email, ECON.password);
    planner = () => t.as(plannerToken);
    econ = () => t.as(econToken);
  });
  after(() => t?.close());

  it('keeps a department figure pending until approved, returns it with a reason, and counts it once approved', async () => {
    const mark = await auditMark(t);
    const submitted = await econ().put(FIG('2025Q1')).send({ value: 250 }).expect(202);
    assert.equal(submitted.body.state, 'pending');
    assert.equal(submitted.body.value, '250');
    assert.equal(submitted.body.submittedBy, ECON.email);
    await t.http().get(FIG('2025Q1')).expect(404); // not a figure yet
    assert.equal(await revisions(), 0);
    // the same values again: unchanged; new values replace the open submission
    await econ().put(FIG('2025Q1')).send({ value: 250 }).expect(202);
    await econ().put(FIG('2025Q1')).send({ value: 260 }).expect(202);
    const states = (await t.db.query(`SELECT state, value::text FROM figure_submissions ORDER BY id`)).rows;
    assert.deepEqual(states, [{ state: 'superseded', value: '250' }, { state: 'pending', value: '260' }]);

    const mine = await econ().get('/api/v1/figure-reviews').expect(200);
    assert.deepEqual(mine.body.items.map((s: { target: string; period: string }) => `${s.target}/${s.period}`), [`${CODE}/2025Q1`]);
    const queue = await planner().get('/api/v1/figure-reviews?department=ECON-INFO&period=2025Q1&state=pending').expect(200);
    assert.equal(queue.body.total, 1);

    // a department cannot review; a return needs a reason
    isProblem(await econ().post(`${FIG('2025Q1')}/approve`).send({}), 403);
    isProblem(await planner().post(`${FIG('2025Q1')}/return`).send({ reason: '  ' }), 422, 'reason');
    const returned = await planner().post(`${FIG('2025Q1')}/return`).send({ reason: '与统计快报不符，请核实' }).expect(200);
    assert.equal(returned.body.state, 'returned');
    const seen = await econ().get(`${FIG('2025Q1')}/submission`).expect(200);
    assert.equal(seen.body.reviewReason, '与统计快报不符，请核实');
    isProblem(await planner().post(`${FIG('2025Q1')}/approve`).send({}), 409);

    // resubmitted, approved: the figure is the submitter's revision and the target is re-evaluated
    await econ().put(FIG('2025Q1')).send({ value: 270 }).expect(202);
    const approved = await planner().post(`${FIG('2025Q1')}/approve`).send({}).expect(200);
    assert.equal(approved.body.value, '270');
    assert.equal(approved.body.revision, 1);
    const { rows: [revision] } = await t.db.query(`SELECT recorded_by FROM figure_revisions`);
    assert.equal(revision.recorded_by, ECON.email);
    const { rows: [done] } = await t.db.query(`SELECT state, revision_id, reviewed_by FROM figure_submissions ORDER BY id DESC LIMIT 1`);
    assert.equal(done.state, 'approved');
    assert.equal(done.reviewed_by, PLANNER.email);
    assert.ok(done.revision_id);
    await econ().get(`${FIG('2025Q1')}/submission`).expect(404);
    await eventually(async () => (await t.db.query(
      `SELECT 1 FROM evaluations e JOIN targets t ON t.id = e.target_id WHERE t.code = $1 AND e.latest_period = '2025Q1'`, [CODE])).rowCount || undefined,
    15_000, 'a re-evaluation with the approved figure');

    const actions = (await auditSince(t, mark)).map((a) => a.action);
    assert.deepEqual(actions.filter((a) => a.startsWith('figure.')),
      ['figure.submit', 'figure.submit', 'figure.return', 'figure.submit', 'figure.approve']);
    const approveRow = (await auditSince(t, mark)).find((a) => a.action === 'figure.approve')!;
    assert.equal((approveRow.after as Record<string, unknown>).approvedBy, PLANNER.email);
    assert.equal((approveRow.after as Record<string, unknown>).submittedBy, ECON.email);
  });

  it('sends a department batch and import to review, approves them in bulk all or nothing, and writes a planner figure at once', async () => {
    const before = await revisions();
    const batch = await econ().post('/api/v1/figures/batch')
      .send({ figures: [{ target: CODE, period: '2025Q2', value: 280 }, { target: CODE, period: '2025Q3', value: 290 }] }).expect(200);
    assert.deepEqual(batch.body, { received: 2, written: 0, unchanged: 0, submitted: 2 });
    const csv = '指标代码,期间,数值\r\nDT-ENTERPRISES,2025Q4,300\r\n';
    const imported = await econ().post('/api/v1/imports?apply=true').attach('file', Buffer.from(csv), 'q4.csv').expect(201);
    assert.equal(imported.body.result.submitted, 1);
    assert.equal(await revisions(), before);

    const ids: number[] = (await planner().get('/api/v1/figure-reviews?state=pending').expect(200)).body.items.map((s: { id: number }) => s.id);
    assert.equal(ids.length, 3);
    const approvedId = (await t.db.query(`SELECT id::int FROM figure_submissions WHERE state = 'approved' LIMIT 1`)).rows[0].id;
    isProblem(await planner().post('/api/v1/figure-reviews/approve').send({ submissions: [...ids, approvedId] }), 422, 'submissions[3]');
    assert.equal(await revisions(), before);
    isProblem(await econ().post('/api/v1/figure-reviews/approve').send({ submissions: ids }), 403);
    const bulk = await planner().post('/api/v1/figure-reviews/approve').send({ submissions: ids }).expect(200);
    assert.deepEqual(bulk.body, { approved: 3, written: 3 });
    assert.equal(await revisions(), before + 3);

    const direct = await planner().put(FIG('2024Q4')).send({ value: 240 }).expect(200);
    assert.equal(direct.body.value, '240');
    await planner().get('/api/v1/figure-reviews').expect(200).then((r) => assert.equal(r.body.total, 0));
  });

  it('locks a published quarter: a department is refused, a planner needs a reason, and the audit says so', async () => {
    await econ().put(FIG('2026Q1')).send({ value: 310 }).expect(202); // submitted before the 通报
    await lockQuarter(t, '2025Q1');
    await lockQuarter(t, '2026Q1');
    const before = await revisions();
    isProblem(await econ().put(FIG('2025Q1')).send({ value: 275 }), 403, 'period');
    isProblem(await econ().post('/api/v1/figures/batch').send({ figures: [{ target: CODE, period: '2025Q1', value: 276 }] }), 403, 'figures[0].period');
    isProblem(await planner().put(FIG('2025Q1')).send({ value: 275 }), 422, 'reason');
    isProblem(await planner().post(`${FIG('2026Q1')}/approve`).send({}), 422, 'reason');
    assert.equal(await revisions(), before);

    const mark = await auditMark(t);
    await planner().put(FIG('2025Q1')).send({ value: 275, reason: '统计局更正' }).expect(200);
    await planner().post(`${FIG('2026Q1')}/approve`).send({ reason: '补报，经核实' }).expect(200);
    const audit = await auditSince(t, mark);
    assert.equal((audit.find((a) => a.action === 'figure.revise')!.after as Record<string, unknown>).revisesPublished, '2025Q1');
    assert.equal((audit.find((a) => a.action === 'figure.approve')!.after as Record<string, unknown>).revisesPublished, '2026Q1');
    assert.equal(await revisions(), before + 2);
  });

  it('answers bad input with problem+json and writes nothing', async () => {
    const before = await revisions();
    isProblem(await planner().post(`${FIG('2023Q2')}/approve`).send({ bogus: 1 }), 422, 'bogus');
    isProblem(await planner().post(`${FIG('2023Q2')}/approve`).send({}), 404);
    isProblem(await planner().post('/api/v1/targets/NO-SUCH/figures/2025Q2/return').send({ reason: 'x' }), 404);
    isProblem(await planner().post(`${FIG('2023Q2')}/return`).send({}), 422, 'reason');
    isProblem(await planner().post('/api/v1/figure-reviews/approve').send({ submissions: [] }), 422, 'submissions');
    isProblem(await planner().get('/api/v1/figure-reviews?state=approved'), 422, 'state');
    isProblem(await econ().put(FIG('2025Q7')).send({ value: 1 }), 422, 'period');
    assert.equal(await revisions(), before);
  });
});

describe('figure review off (FIGURE_REVIEW=off)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('figure-review-off', { FIGURE_REVIEW: 'off' });
    await createDepartment(t);
    await createTarget(t, { target: { period: '2027', value: 350 } });
    await t.http().post('/api/v1/users').send(ECON).expect(201);
  });
  after(() => t?.close());

  it('writes a department figure as it is', async () => {
    const econ = t.as(await t.login(ECON.email, ECON.password));
    const res = await econ.put(FIG('2025Q1')).send({ value: 250 }).expect(200);
    assert.equal(res.body.revision, 1);
    assert.equal(Number((await t.db.query(`SELECT count(*) FROM figure_submissions`)).rows[0].count), 0);
  });
});
