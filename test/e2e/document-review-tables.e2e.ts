import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, snapshot } from '../support/factories.js';
import { formBody, formFields, postForm, type WebAgent, webLogin } from '../support/web.js';

// A composed indicator table (header words as action plans write them) and the real sentence of
// 荔城区's 2022 plan-execution report (http://www.ptlc.gov.cn/zwgk/gzbg/jhbg/202304/t20230421_1814674.htm).
const TABLE = [
  '主要指标表', '',
  '指标\t单位\t2022年（基期）\t2027年（目标）\t属性\t责任单位',
  '新增绿色建筑面积\t万平方米\t12\t2000以上\t约束性\t区住房城乡建设委',
  '',
].join('\n');
const EXECUTION = '一、2022年国民经济和社会发展计划执行情况\n农林牧渔业总产值33亿元，完成年计划33.5亿元的98.5%，增长3.1%。';

describe('Document review: table rows and plan-execution actuals', () => {
  let t: TestApp;
  let admin: WebAgent;

  before(async () => {
    t = await startApp('document-review-tables');
    await createDepartment(t);
    await createDepartment(t, { code: 'HOUSING', name: '区住房城乡建设委', emails: [] });
    admin = await webLogin(t.app.getHttpServer(), ADMIN.email, ADMIN.password);
  });
  after(() => t.close());

  it('highlights a table row as a row and proposes its 责任单位 and 约束性', async () => {
    const res = await postForm(admin, '/documents', '/documents/extract', { title: '主要指标表', url: '', documentYear: '2023', text: TABLE });
    assert.equal(res.status, 200, res.text.slice(0, 2000));
    assert.match(res.text, /<mark class="cand table-row" id="c-1">新增绿色建筑面积\t万平方米\t12\t2000以上\t约束性\t区住房城乡建设委<\/mark>/);
    assert.match(res.text, /<option value="HOUSING" selected>/);
    assert.match(res.text, /name="rows\[0\]\.binding" checked/);
    assert.match(res.text, /name="rows\[0\]\.baselineValue" value="12"/);
  });

  describe('a plan with its actual', () => {
    let review: string;
    const submission = (edit: Record<string, string> = {}) => [
      ...formFields(review, 'confirm-form').filter(([n]) => !/\.create$/.test(n)).map(([n, v]): [string, string] => [n, edit[n] ?? v]),
      ['rows[0].create', 'on'] as [string, string],
      ['rows[0].department', 'ECON-INFO'] as [string, string],
    ];

    before(async () => {
      const res = await postForm(admin, '/documents', '/documents/extract', { title: '荔城区计划执行报告', url: '', documentYear: '2023', text: EXECUTION });
      assert.equal(res.status, 200);
      review = res.text;
    });

    it('shows the plan as the target and the actual as a figure of 2022', () => {
      assert.match(review, /name="rows\[0\]\.value" value="33.5"/);
      assert.match(review, /name="rows\[0\]\.deadline" value="2022"/);
      assert.match(review, /name="rows\[0\]\.figurePeriod" value="2022"/);
      assert.match(review, /name="rows\[0\]\.figureValue" value="33"/);
      assert.equal((review.match(/<mark class="cand/g) ?? []).length, 1); // 增长3.1% is no target
    });

    it('refuses a bad actual beside its row (422) and creates nothing', async () => {
      const before = await snapshot(t);
      const res = await admin.post('/documents/confirm').type('form').send(formBody(submission({ 'rows[0].figureValue': '三十三' })));
      assert.equal(res.status, 422);
      assert.match(res.text, /id="f-rows-0-figureValue-error"/);
      assert.deepEqual(await snapshot(t), before);
    });

    it('creates nothing when the actual cannot be written after its target was (one transaction)', async () => {
      const before = await snapshot(t);
      // a fault in the figure write, after the target's row is in: injected by a trigger for this test only
      await t.db.query(`CREATE FUNCTION test_refuse_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected fault'; END $$`);
      await t.db.query(`CREATE TRIGGER test_refuse_revision BEFORE INSERT ON figure_revisions FOR EACH ROW EXECUTE FUNCTION test_refuse_revision()`);
      try {
        const res = await admin.post('/documents/confirm').type('form').send(formBody(submission()));
        assert.ok(res.status >= 500, `status ${res.status}`);
      } finally {
        await t.db.query(`DROP TRIGGER test_refuse_revision ON figure_revisions; DROP FUNCTION test_refuse_revision()`);
      }
      assert.deepEqual(await snapshot(t), before);
    });

    it('creates the target (yearly) and records the actual with it', async () => {
      const res = await admin.post('/documents/confirm').type('form').send(formBody(submission()));
      assert.equal(res.status, 303, res.text.slice(0, 3000));
      const code = decodeURIComponent(/codes=([^&]+)/.exec(res.headers.location)![1]);
      const { rows: [target] } = await t.db.query(`SELECT frequency, target_period, target_value FROM targets WHERE code = $1`, [code]);
      assert.deepEqual(target, { frequency: 'yearly', target_period: '2022', target_value: '33.5' });
      const { rows } = await t.db.query(
        `SELECT f.period, f.value::text, f.status, f.source FROM figures f JOIN targets t ON t.id = f.target_id WHERE t.code = $1`, [code]);
      assert.deepEqual(rows, [{ period: '2022', value: '33', status: 'preliminary', source: '荔城区计划执行报告' }]);
    });
  });
});
