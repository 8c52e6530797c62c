import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET, WORKED_EXAMPLE } from '../support/factories.js';

describe('REST API on PostgreSQL and Redis', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp('api');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局' });
  });
  after(() => t.close());

  it('reports health of the database and Redis', async () => {
    const res = await t.http().get('/api/v1/health').expect(200);
    assert.deepEqual(res.body, { status: 'ok', checks: { database: 'up', redis: 'up' }, reevaluationsWaiting: 0 });
  });

  it('serves the OpenAPI document, generated from the validation schemas', async () => {
    const res = await t.http().get('/api/docs-json').expect(200);
    assert.ok(res.body.paths['/api/v1/targets/{code}/figures/{period}'].put);
    const body = res.body.paths['/api/v1/figures/batch'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required, ['figures']);
  });

  it('creates a target and reads it back in the documented shape', async () => {
    const created = await createTarget(t, { supporting: ['SCI-TECH'], milestones: [{ period: '2024', value: '275.5' }] });
    assert.deepEqual(
      { ...created, createdAt: undefined, updatedAt: undefined },
      {
        code: 'DT-ENTERPRISES', name: '数字化改造企业数', aliases: [], unit: '家', kind: 'level', comparator: '>=', method: 'linear',
        frequency: 'quarterly', expectation: 'time', binding: false, department: 'ECON-INFO', departmentName: '区经济信息委',
        supporting: ['SCI-TECH'], category: null, baseline: { period: '2023', value: '200' },
        target: { period: '2025', value: '350' }, milestones: [{ period: '2024', value: '275.5' }], graceDays: 20,
        source: WORKED_EXAMPLE.source, notes: null, archived: false, createdAt: undefined, updatedAt: undefined,
      },
    );
    const read = await t.http().get('/api/v1/targets/DT-ENTERPRISES').expect(200);
    assert.deepEqual(read.body, created);
  });

  it('lists targets with filters and pagination', async () => {
    await createTarget(t, { ...FLOW_TARGET });
    await createTarget(t, { code: 'TECH-ENTERPRISES', name: '科技型企业数', department: 'SCI-TECH', binding: true,
      baseline: { period: '2023', value: 2782 }, target: { period: '2027', value: 5564 }, method: 'cagr' });
    const all = await t.http().get('/api/v1/targets').expect(200);
    assert.equal(all.body.total, 3);
    assert.deepEqual(all.body.items.map((x: { code: string }) => x.code), ['DT-ENTERPRISES', 'NEV-OUTPUT', 'TECH-ENTERPRISES']);
    const byDept = await t.http().get('/api/v1/targets?department=SCI-TECH').expect(200);
    assert.deepEqual(byDept.body.items.map((x: { code: string }) => x.code), ['TECH-ENTERPRISES']);
    const binding = await t.http().get('/api/v1/targets?binding=true&kind=level').expect(200);
    assert.equal(binding.body.total, 1);
    const page2 = await t.http().get('/api/v1/targets?pageSize=2&page=2').expect(200);
    assert.deepEqual({ total: page2.body.total, codes: page2.body.items.map((x: { code: string }) => x.code) },
      { total: 3, codes: ['TECH-ENTERPRISES'] });
    const search = await t.http().get(`/api/v1/targets?q=${encodeURIComponent('新能源')}`).expect(200);
    assert.deepEqual(search.body.items.map((x: { code: string }) => x.code), ['NEV-OUTPUT']);
  });

  it('updates a target, checking the merged result', async () => {
    const res = await t.http().patch('/api/v1/targets/TECH-ENTERPRISES').send({ category: '科技创新', graceDays: 30 }).expect(200);
    assert.equal(res.body.category, '科技创新');
    assert.equal(res.body.graceDays, 30);
    assert.equal(res.body.method, 'cagr');
    const bad = await t.http().patch('/api/v1/targets/TECH-ENTERPRISES').send({ target: { period: '2022', value: 1 } }).expect(422);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path), ['target.period']);
  });

  it('stores a figure, and the same figure again adds no revision', async () => {
    const first = await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260, note: '快报' }).expect(200);
    assert.equal(first.body.value, '260');
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: '260.0', note: '快报' }).expect(200);
    let revisions = await t.http().get('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4/revisions').expect(200);
    assert.equal(revisions.body.total, 1);
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4')
      .send({ value: 262, note: '快报', reason: '统计局核定' }).expect(200);
    revisions = await t.http().get('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4/revisions').expect(200);
    assert.deepEqual(revisions.body.items.map((r: { revision: number; value: string; reason: string | null }) => [r.revision, r.value, r.reason]),
      [[1, '260', null], [2, '262', '统计局核定']]);
    const figures = await t.http().get('/api/v1/targets/DT-ENTERPRISES/figures').expect(200);
    assert.deepEqual(figures.body.items.map((f: { period: string; value: string; revision: number }) => [f.period, f.value, f.revision]),
      [['2024Q4', '262', 2]]);
  });

  it('evaluates the worked example of DESIGN.md, as of a past moment too', async () => {
    // As of before the correction to 262 was recorded: the first revision, 260.
    const [{ recorded_at: corrected }] = (await t.db.query(
      `SELECT recorded_at FROM figure_revisions WHERE value = 262`)).rows;
    const asOf = new Date(corrected.getTime() - 1).toISOString();
    const res = await t.http().get(`/api/v1/targets/DT-ENTERPRISES/evaluation?asOf=${encodeURIComponent(asOf)}`).expect(200);
    assert.deepEqual(
      { status: res.body.status, elapsed: res.body.elapsed, completion: res.body.completion, pace: res.body.pace,
        expected: res.body.expected, lag: res.body.lag, gap: res.body.gap, latestPeriod: res.body.latestPeriod,
        latestValue: res.body.latestValue, asOf: res.body.asOf },
      { status: 'lagging', elapsed: 0.5, completion: 0.4, pace: 0.8, expected: 275, lag: 15, gap: 90,
        latestPeriod: '2024Q4', latestValue: '260', asOf },
    );
    const now = await t.http().get('/api/v1/targets/DT-ENTERPRISES/evaluation').expect(200);
    assert.equal(now.body.latestValue, '262');
    // Before 2024Q4 ended (2025-01-01 Beijing time) the figure did not exist yet.
    const early = await t.http().get('/api/v1/targets/DT-ENTERPRISES/evaluation?asOf=2024-12-31').expect(200);
    assert.equal(early.body.status, 'no_data');
  });

  it('accepts a batch of figures all at once', async () => {
    const res = await t.http().post('/api/v1/figures/batch').send({
      figures: [
        { target: 'NEV-OUTPUT', period: '2025Q1', value: 380, basis: 'period' },
        { target: 'NEV-OUTPUT', period: '2025Q2', value: 440, basis: 'period' },
        { target: 'TECH-ENTERPRISES', period: '2024Q4', value: '3390' },
        { target: 'DT-ENTERPRISES', period: '2024Q4', value: 262, note: '快报' },
      ],
    }).expect(200);
    assert.deepEqual(res.body, { received: 4, written: 3, unchanged: 1 });
    const nev = await t.http().get('/api/v1/targets/NEV-OUTPUT/evaluation').expect(200);
    // YTD 820 of 2000 at half the year: c = 0.41, e = 0.5, pace 0.82 → lagging (< 0.85).
    assert.deepEqual([nev.body.latestValue, nev.body.completion, nev.body.pace, nev.body.status],
      ['820', 0.41, 0.82, 'lagging']);
  });

  it('archives a target: it leaves the list and its figures stay', async () => {
    await t.http().delete('/api/v1/targets/TECH-ENTERPRISES').expect(204);
    const list = await t.http().get('/api/v1/targets').expect(200);
    assert.equal(list.body.items.some((x: { code: string }) => x.code === 'TECH-ENTERPRISES'), false);
    const archived = await t.http().get('/api/v1/targets?archived=true').expect(200);
    assert.deepEqual(archived.body.items.map((x: { code: string; archived: boolean }) => [x.code, x.archived]),
      [['TECH-ENTERPRISES', true]]);
    const figures = await t.http().get('/api/v1/targets/TECH-ENTERPRISES/figures').expect(200);
    assert.equal(figures.body.total, 1);
    // no new figures for it: a 404 naming the code in the URL, nothing written
    const put = await t.http().put('/api/v1/targets/TECH-ENTERPRISES/figures/2025Q4').send({ value: 1, confirm: true }).expect(404);
    assert.match(put.body.detail, /TECH-ENTERPRISES（或已归档）/);
    assert.deepEqual(put.body.errors.map((e: { path: string }) => e.path), ['code']);
    assert.equal((await t.http().get('/api/v1/targets/TECH-ENTERPRISES/figures').expect(200)).body.total, 1);
  });

  it('lists departments', async () => {
    const res = await t.http().get('/api/v1/departments').expect(200);
    assert.deepEqual(res.body.items.map((d: { code: string }) => d.code), ['ECON-INFO', 'SCI-TECH']);
  });

  it('takes a batch over more than 1 000 targets: one audit row naming every revision, each target re-evaluated after the response', async () => {
    const n = 1100; // over REQUEST_INLINE_MAX: queued in the background
    await t.db.query(
      `INSERT INTO targets (code, name, unit, kind, comparator, frequency, department_id, target_period, target_value)
       SELECT 'BULK-' || lpad(i::text, 4, '0'), '批量指标 ' || i, '家', 'level', '>=', 'quarterly', (SELECT min(id) FROM departments), '2030', 1000
         FROM generate_series(1, $1::int) i`,
      [n],
    );
    const figures = Array.from({ length: n }, (_, i) => ({ target: `BULK-${String(i + 1).padStart(4, '0')}`, period: '2025Q1', value: i + 0.5, reason: '批量核定' }));
    const res = await t.http().post('/api/v1/figures/batch').send({ figures }).expect(200);
    assert.deepEqual(res.body, { received: n, written: n, unchanged: 0 });

    const { rows: [audit] } = await t.db.query(`SELECT actor, reason, after FROM audit_log WHERE action = 'figures.batch' ORDER BY id DESC LIMIT 1`);
    assert.equal(audit.reason, '批量核定');
    assert.deepEqual([audit.after.received, audit.after.written, audit.after.unchanged, audit.after.targets, audit.after.periods], [n, n, 0, n, ['2025Q1']]);
    // The revisions the row names are exactly the batch's, each with who, what and why.
    const { rows: named } = await t.db.query(
      `SELECT t.code, r.value::float8 AS value, r.recorded_by, r.reason FROM jsonb_array_elements($1::jsonb) x
         JOIN figure_revisions r ON r.id BETWEEN (x->>0)::bigint AND (x->>1)::bigint JOIN targets t ON t.id = r.target_id
        ORDER BY t.code`,
      [JSON.stringify(audit.after.revisionIds)],
    );
    assert.deepEqual(named, figures.map((f) => ({ code: f.target, value: f.value, recorded_by: audit.actor, reason: '批量核定' })));

    // Queued after the response, in the background: every target is evaluated and no request is left.
    await eventually(async () => {
      const { rows: [c] } = await t.db.query(
        `SELECT (SELECT count(*)::int FROM reevaluation_requests r JOIN targets t ON t.id = r.target_id WHERE t.code LIKE 'BULK-%') AS waiting,
                (SELECT count(*)::int FROM latest_evaluations l JOIN targets t ON t.id = l.target_id WHERE t.code LIKE 'BULK-%') AS evaluated`,
      );
      return c.waiting === 0 && c.evaluated === n ? c : undefined;
    }, 90_000, `${n} re-evaluations`);
  });
});

describe('drafting targets from a pasted document', () => {
  let t: TestApp;
  before(async () => (t = await startApp('documents')));
  after(() => t.close());

  it('proposes the article’s targets, each tied to its clause, and creates nothing', async () => {
    const text = readFileSync(new URL('../../seeds/source/yubei-advanced-manufacturing-2024.txt', import.meta.url), 'utf8');
    const res = await t.http().post('/api/v1/documents/extract').send({ text, title: '渝北“四新”引领先进制造业激发新质生产力' }).expect(200);
    const nev = res.body.candidates.find((c: { unit: string; value: number }) => c.unit === '亿元' && c.value === 2000);
    assert.deepEqual([nev.comparator, nev.deadline, text.slice(nev.start, nev.end)], ['>=', '2025', nev.quote]);
    const doubling = res.body.candidates.find((c: { value: number }) => c.value === 5564);
    assert.deepEqual(doubling.baseline, { period: '2023', value: 2782 });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM targets`);
    assert.equal(rows[0].n, 0);
    await t.http().post('/api/v1/documents/extract').send({ text: '' }).expect(422);
  });
});
