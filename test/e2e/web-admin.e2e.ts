import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, snapshot } from '../support/factories.js';
import { formBody, formFields, postForm, type WebAgent, webLogin } from '../support/web.js';

const PLANNER = { email: 'planner@example.org', password: 'Planning-office-2025' };
const VIEWER = { email: 'viewer@example.org', password: 'Leader-reads-2025' };
const ARTICLE = readFileSync(new URL('../../seeds/source/yubei-advanced-manufacturing-2024.txt', import.meta.url), 'utf8');
const TITLE = '渝北“四新”引领先进制造业激发新质生产力';

/** Every field of the target form, filled in; `overrides` replaces some. */
const targetForm = (overrides: Record<string, string | string[]> = {}) => ({
  code: 'WEB-ENTERPRISES', name: '数字化改造企业数', unit: '家', kind: 'level', comparator: '>=', method: 'linear',
  frequency: 'quarterly', expectation: 'time', binding: 'on', department: 'ECON-INFO', supporting: ['SCI-TECH'],
  category: '数字化转型', 'baseline.period': '2023', 'baseline.value': '200', 'target.period': '2025', 'target.value': '350',
  'milestones[0].period': '2024', 'milestones[0].value': '275.5', 'milestones[1].period': '', 'milestones[1].value': '',
  'milestones[2].period': '2025Q2', 'milestones[2].value': '320', 'milestones[3].period': '', 'milestones[3].value': '',
  'milestones[4].period': '', 'milestones[4].value': '', 'milestones[5].period': '', 'milestones[5].value': '',
  graceDays: '30', 'source.document': TITLE, 'source.quote': '将通过数字化改造企业350家以上',
  'source.url': 'https://example.org/yubei', notes: '表单创建',
  ...overrides,
});

const count = async (t: TestApp, sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params)).rows[0].n);

describe('Admin pages and the document review', () => {
  let t: TestApp;
  let admin: WebAgent;
  let planner: WebAgent;
  let viewer: WebAgent;

  before(async () => {
    t = await startApp('web-admin');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局', emails: [] });
    await t.http().post('/api/v1/users').send({ ...PLANNER, role: 'planner' }).expect(201);
    await t.http().post('/api/v1/users').send({ ...VIEWER, role: 'viewer' }).expect(201);
    const server = t.app.getHttpServer();
    [admin, planner, viewer] = await Promise.all([
      webLogin(server, ADMIN.email, ADMIN.password), webLogin(server, PLANNER.email, PLANNER.password), webLogin(server, VIEWER.email, VIEWER.password),
    ]);
  });
  after(() => t.close());

  it('links the admin sections for admins; planners see no users link; viewers get 403 and no links', async () => {
    const page = await admin.get('/admin').expect(200);
    for (const link of ['/admin/targets', '/admin/departments', '/admin/users', '/admin/silences', '/documents']) {
      assert.match(page.text, new RegExp(`href="${link}"`), link);
    }
    const plannerPage = await planner.get('/admin').expect(200);
    assert.doesNotMatch(plannerPage.text, /href="\/admin\/users"/);
    for (const path of ['/admin', '/admin/targets', '/admin/targets/new', '/admin/departments', '/admin/silences', '/documents']) {
      const res = await viewer.get(path);
      assert.equal(res.status, 403, path);
      assert.match(res.text, /无权限/);
    }
    const dashboard = await viewer.get('/').expect(200);
    assert.doesNotMatch(dashboard.text, /href="\/admin"|href="\/documents"/);
  });

  it('renders every admin page in English on request', async () => {
    const server = t.app.getHttpServer();
    const english = await webLogin(server, ADMIN.email, ADMIN.password);
    await english.get('/lang/en?next=/admin').expect(303);
    const pages: [string, RegExp][] = [
      ['/admin', /<h1>Admin<\/h1>/], ['/admin/targets', /New target/], ['/admin/targets/new', /<label for="f-code">Code<\/label>/],
      ['/admin/departments', /New department/], ['/admin/departments/ECON-INFO', /Alert recipients/], ['/admin/users', /Initial password/],
      ['/admin/silences', /Add a silence/], ['/documents', /Find candidate targets/],
    ];
    for (const [path, text] of pages) {
      const res = await english.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.text, text, path);
    }
  });

  it('creates a target through the form with every field, its source and its milestones', async () => {
    const res = await postForm(admin, '/admin/targets/new', '/admin/targets', targetForm());
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, '/admin/targets?created=WEB-ENTERPRISES');
    const { rows: [row] } = await t.db.query(
      `SELECT t.*, d.code AS dept FROM targets t JOIN departments d ON d.id = t.department_id WHERE t.code = 'WEB-ENTERPRISES'`);
    assert.deepEqual(
      { name: row.name, unit: row.unit, dept: row.dept, binding: row.binding, category: row.category, baseline: [row.baseline_period, row.baseline_value],
        target: [row.target_period, row.target_value], grace: row.grace_days, source: [row.source_document, row.source_quote, row.source_url], notes: row.notes },
      { name: '数字化改造企业数', unit: '家', dept: 'ECON-INFO', binding: true, category: '数字化转型', baseline: ['2023', '200'],
        target: ['2025', '350'], grace: 30, source: [TITLE, '将通过数字化改造企业350家以上', 'https://example.org/yubei'], notes: '表单创建' },
    );
    const { rows: milestones } = await t.db.query(`SELECT period, value FROM milestones WHERE target_id = $1 ORDER BY period`, [row.id]);
    assert.deepEqual(milestones, [{ period: '2024', value: '275.5' }, { period: '2025Q2', value: '320' }]);
    assert.equal(await count(t, `SELECT count(*) AS n FROM target_supporting_departments WHERE target_id = $1`, [row.id]), 1);
    assert.equal(await count(t, `SELECT count(*) AS n FROM audit_log WHERE action = 'target.create' AND entity_id = 'WEB-ENTERPRISES' AND actor = $1`, [ADMIN.email]), 1);
    const list = await admin.get('/admin/targets?created=WEB-ENTERPRISES').expect(200);
    assert.match(list.text, /已创建指标/);
    assert.match(list.text, /data-code="WEB-ENTERPRISES"/);
  });

  it('shows an invalid form again (422) with what was typed and each error beside its field, writing nothing', async () => {
    const before = await snapshot(t);
    const res = await postForm(admin, '/admin/targets/new', '/admin/targets', targetForm({
      code: 'WEB-BAD', name: '', 'target.value': '三百五', department: '', 'source.url': 'not a url',
    }));
    assert.equal(res.status, 422);
    assert.match(res.text, /<input id="f-name" name="name" value="" required maxlength="200" aria-invalid="true" aria-describedby="f-name-error">/);
    assert.match(res.text, /<span class="field-error" id="f-name-error">必填/);
    assert.match(res.text, /name="target\.value" value="三百五"[^>]*aria-invalid="true" aria-describedby="f-target-value-error"/);
    assert.match(res.text, /id="f-target-value-error">“三百五” 不是数值[^<(]*<\/span>/); // the Chinese part only
    assert.match(res.text, /id="f-department-error">必填/);
    assert.match(res.text, /id="f-source-url-error">/);
    assert.match(res.text, /name="code" value="WEB-BAD"/);
    assert.match(res.text, /name="category" value="数字化转型"/);
    for (const id of ['f-name', 'f-target-value', 'f-department', 'f-source-url']) assert.match(res.text, new RegExp(`<label for="${id}"`), id);

    // cross-field rules are checked once the fields are valid; a milestone error lands on its own
    // row although the blank row before it was skipped
    const late = await postForm(admin, '/admin/targets/new', '/admin/targets', targetForm({ code: 'WEB-BAD', 'milestones[2].period': '2030' }));
    assert.equal(late.status, 422);
    assert.match(late.text, /name="milestones\[2\]\.period" value="2030"[^>]*aria-invalid="true" aria-describedby="f-milestones-2-period-error">/);
    assert.match(late.text, /id="f-milestones-2-period-error">阶段目标不得晚于目标期限/);
    assert.match(late.text, /<label for="f-milestones-2-period"/);
    assert.deepEqual(await snapshot(t), before);
  });

  it('shows a service conflict (duplicate code) beside the code, 409', async () => {
    const before = await snapshot(t);
    const res = await postForm(admin, '/admin/targets/new', '/admin/targets', targetForm());
    assert.equal(res.status, 409);
    assert.match(res.text, /id="f-code-error">指标代码 WEB-ENTERPRISES 已存在/);
    assert.deepEqual(await snapshot(t), before);
  });

  it('edits a target: the form shows the stored values, a cross-field error from the service lands beside its field', async () => {
    const page = await admin.get('/admin/targets/WEB-ENTERPRISES/edit').expect(200);
    const fields = formFields(page.text, 'f-name');
    const get = (name: string) => fields.find(([n]) => n === name)?.[1];
    assert.equal(get('target.value'), '350');
    assert.equal(get('milestones[0].value'), '275.5');
    assert.equal(get('supporting'), 'SCI-TECH');
    assert.equal(get('binding'), 'on');

    const edited = fields.map(([n, v]): [string, string] => [n, n === 'name' ? '数字化改造企业数（修订）' : n === 'target.value' ? '360' : v]);
    const res = await admin.post('/admin/targets/WEB-ENTERPRISES').type('form').send(formBody(edited));
    assert.equal(res.status, 303, res.text);
    const { rows: [row] } = await t.db.query(`SELECT name, target_value, grace_days FROM targets WHERE code = 'WEB-ENTERPRISES'`);
    assert.deepEqual(row, { name: '数字化改造企业数（修订）', target_value: '360', grace_days: 30 });

    const before = await snapshot(t);
    const saved = formFields((await admin.get('/admin/targets/WEB-ENTERPRISES/edit').expect(200)).text, 'f-name'); // the version just saved
    const bad = saved.map(([n, v]): [string, string] => [n, n === 'target.period' ? '2022' : v]);
    const rejected = await admin.post('/admin/targets/WEB-ENTERPRISES').type('form').send(formBody(bad));
    assert.equal(rejected.status, 422);
    assert.match(rejected.text, /id="f-target-period-error">目标期限须晚于基期/);
    assert.match(rejected.text, /name="target\.period" value="2022"/);
    assert.deepEqual(await snapshot(t), before);
  });

  it('archives a target after confirmation: it leaves the list and shows under archived', async () => {
    const list = await admin.get('/admin/targets').expect(200);
    assert.match(list.text, /action="\/admin\/targets\/WEB-ENTERPRISES\/archive" class="inline" data-confirm="归档指标 WEB-ENTERPRISES？/);
    const res = await postForm(admin, '/admin/targets', '/admin/targets/WEB-ENTERPRISES/archive', {});
    assert.equal(res.status, 303);
    const { rows: [row] } = await t.db.query(`SELECT archived_at FROM targets WHERE code = 'WEB-ENTERPRISES'`);
    assert.ok(row.archived_at instanceof Date);
    assert.doesNotMatch((await admin.get('/admin/targets').expect(200)).text, /data-code="WEB-ENTERPRISES"/);
    assert.match((await admin.get('/admin/targets?archived=true').expect(200)).text, /data-code="WEB-ENTERPRISES"/);
  });

  it('escapes a target name with markup everywhere it shows', async () => {
    const res = await postForm(admin, '/admin/targets/new', '/admin/targets', targetForm({ code: 'WEB-XSS', name: '<script>alert(1)</script>' }));
    assert.equal(res.status, 303, res.text);
    const list = await admin.get('/admin/targets').expect(200);
    assert.match(list.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(list.text, /<script>alert\(1\)/);
    const edit = await admin.get('/admin/targets/WEB-XSS/edit').expect(200);
    assert.match(edit.text, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    assert.doesNotMatch(edit.text, /<script>alert\(1\)/);
  });

  it('creates and edits a department, and adds and switches off its alert recipients', async () => {
    const res = await postForm(admin, '/admin/departments', '/admin/departments', {
      code: 'ENV', name: '区生态环境局', emails: 'env@example.org\nENV-2@example.org',
    });
    assert.equal(res.status, 303, res.text);
    assert.equal(res.headers.location, '/admin/departments/ENV?done=created');
    const { rows: [dept] } = await t.db.query(`SELECT id, name, emails FROM departments WHERE code = 'ENV'`);
    assert.deepEqual({ name: dept.name, emails: dept.emails }, { name: '区生态环境局', emails: ['env@example.org', 'ENV-2@example.org'] });
    const recipientsOf = async () => (await t.db.query(
      `SELECT email, name, language, enabled, subscriber FROM recipients WHERE department_id = $1`, [dept.id])).rows;
    assert.deepEqual((await recipientsOf()).map((r) => r.email).sort(), ['env-2@example.org', 'env@example.org']);

    const edited = await postForm(admin, '/admin/departments/ENV', '/admin/departments/ENV', { name: '区生态环境局（新）', emails: 'env@example.org, head@example.org' });
    assert.equal(edited.status, 303, edited.text);
    const { rows: [renamed] } = await t.db.query(`SELECT name, emails FROM departments WHERE code = 'ENV'`);
    assert.deepEqual(renamed, { name: '区生态环境局（新）', emails: ['env@example.org', 'head@example.org'] });
    assert.equal(await count(t, `SELECT count(*) AS n FROM audit_log WHERE action = 'department.update' AND entity_id = 'ENV'`), 1);

    const added = await postForm(admin, '/admin/departments/ENV', '/admin/recipients', {
      department: 'ENV', 'recipient.email': 'Lead@Example.org', 'recipient.name': '王科长', 'recipient.language': 'en', 'recipient.enabled': 'on',
    });
    assert.equal(added.status, 303, added.text);
    const lead = (await recipientsOf()).find((r) => r.email === 'lead@example.org');
    assert.deepEqual(lead, { email: 'lead@example.org', name: '王科长', language: 'en', enabled: true, subscriber: false });

    const page = await admin.get('/admin/departments/ENV').expect(200);
    assert.match(page.text, /data-recipient="lead@example.org"/);
    const { rows: [{ id }] } = await t.db.query(`SELECT id FROM recipients WHERE email = 'lead@example.org'`);
    const off = await postForm(admin, '/admin/departments/ENV', `/admin/recipients/${id}`, { department: 'ENV', name: '王科长', language: 'en' });
    assert.equal(off.status, 303, off.text);
    assert.equal((await recipientsOf()).find((r) => r.email === 'lead@example.org')!.enabled, false);

    const before = await count(t, `SELECT count(*) AS n FROM recipients`);
    const bad = await postForm(admin, '/admin/departments/ENV', '/admin/recipients', { department: 'ENV', 'recipient.email': 'not-an-email', 'recipient.enabled': 'on' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="f-recipient-email-error">邮箱格式不正确/);
    assert.match(bad.text, /name="recipient\.email" type="email" value="not-an-email"/);
    assert.equal(await count(t, `SELECT count(*) AS n FROM recipients`), before);
  });

  it('lets an admin create and disable a user with the suggested password; a planner gets 403 on the users page', async () => {
    const page = await admin.get('/admin/users').expect(200);
    const password = /name="password" type="text" value="([^"]+)"/.exec(page.text)?.[1] ?? assert.fail('no suggested password');
    const res = await postForm(admin, '/admin/users', '/admin/users', { email: 'newplanner@example.org', password, role: 'planner', department: '' });
    assert.equal(res.status, 303, res.text);
    const { rows: [user] } = await t.db.query(`SELECT id, role, department_id, disabled_at FROM users WHERE email = 'newplanner@example.org'`);
    assert.deepEqual({ role: user.role, department: user.department_id, disabled: user.disabled_at }, { role: 'planner', department: null, disabled: null });
    await webLogin(t.app.getHttpServer(), 'newplanner@example.org', password);

    const weak = await postForm(admin, '/admin/users', '/admin/users', { email: 'dept@example.org', password: 'short', role: 'department', department: '' });
    assert.equal(weak.status, 422);
    assert.match(weak.text, /id="f-password-error">密码至少 12 位/);

    const noDept = await postForm(admin, '/admin/users', '/admin/users', { email: 'dept@example.org', password, role: 'department', department: '' });
    assert.equal(noDept.status, 422);
    assert.match(noDept.text, /id="f-department-error">部门用户须指定所属部门/);
    assert.equal(await count(t, `SELECT count(*) AS n FROM users WHERE email = 'dept@example.org'`), 0);

    const disabled = await postForm(admin, `/admin/users/${user.id}/edit`, `/admin/users/${user.id}`, { role: 'planner', department: '', disabled: 'on' });
    assert.equal(disabled.status, 303, disabled.text);
    assert.ok((await t.db.query(`SELECT disabled_at FROM users WHERE id = $1`, [user.id])).rows[0].disabled_at instanceof Date);

    const forbidden = await planner.get('/admin/users');
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.text, /无权限/);
    const users = await count(t, `SELECT count(*) AS n FROM users`);
    const post = await postForm(planner, '/admin', '/admin/users', { email: 'sneaky@example.org', password, role: 'admin', department: '' });
    assert.equal(post.status, 403);
    assert.equal(await count(t, `SELECT count(*) AS n FROM users`), users);
  });

  it('adds a silence for a target until a date and removes it', async () => {
    await createTarget(t, { code: 'SILENT-ONE' });
    const bad = await postForm(admin, '/admin/silences', '/admin/silences', { scope: 'target', code: 'NO-SUCH', until: '2099-12-31', reason: '核查中' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="f-code-error">NO-SUCH 不存在/);
    const missingReason = await postForm(admin, '/admin/silences', '/admin/silences', { scope: 'target', code: 'SILENT-ONE', until: '2099-12-31', reason: '' });
    assert.equal(missingReason.status, 422);
    assert.match(missingReason.text, /id="f-reason-error">/);
    assert.equal(await count(t, `SELECT count(*) AS n FROM silences`), 0);

    const res = await postForm(admin, '/admin/silences', '/admin/silences', { scope: 'target', code: 'SILENT-ONE', until: '2099-12-31', reason: '统计口径调整' });
    assert.equal(res.status, 303, res.text);
    const { rows: [silence] } = await t.db.query(`SELECT s.id, t.code, s.until, s.reason, s.created_by FROM silences s JOIN targets t ON t.id = s.target_id`);
    assert.deepEqual({ code: silence.code, reason: silence.reason, by: silence.created_by, until: silence.until.toISOString() },
      { code: 'SILENT-ONE', reason: '统计口径调整', by: ADMIN.email, until: '2099-12-31T15:59:59.999Z' });
    const page = await admin.get('/admin/silences').expect(200);
    assert.match(page.text, new RegExp(`data-silence="${silence.id}"`));
    assert.match(page.text, /data-confirm="解除此静默？"/);

    const deleted = await postForm(admin, '/admin/silences', `/admin/silences/${silence.id}/delete`, {});
    assert.equal(deleted.status, 303);
    assert.ok((await t.db.query(`SELECT deleted_at FROM silences WHERE id = $1`, [silence.id])).rows[0].deleted_at instanceof Date);
    assert.doesNotMatch((await admin.get('/admin/silences').expect(200)).text, new RegExp(`data-silence="${silence.id}"`));
  });

  it('refuses a POST without the form token (403) and writes nothing', async () => {
    const before = await snapshot(t);
    const silences = await count(t, `SELECT count(*) AS n FROM silences`);
    const noToken = await admin.post('/admin/targets').type('form').send(formBody(targetForm({ code: 'WEB-CSRF' })));
    assert.equal(noToken.status, 403);
    const wrongToken = await admin.post('/admin/departments').type('form').send(formBody({ _csrf: 'forged', code: 'CSRF-DEPT', name: 'x' }));
    assert.equal(wrongToken.status, 403);
    const silence = await admin.post('/admin/silences').type('form').send(formBody({ scope: 'target', code: 'SILENT-ONE', until: '2099-12-31', reason: 'x' }));
    assert.equal(silence.status, 403);
    const confirm = await admin.post('/documents/confirm').type('form').send(formBody({ title: TITLE, text: ARTICLE }));
    assert.equal(confirm.status, 403);
    assert.deepEqual(await snapshot(t), before);
    assert.equal(await count(t, `SELECT count(*) AS n FROM silences`), silences);
  });

  describe('a document: extract, review, confirm', () => {
    let review: string;

    it('extracts the article into highlighted candidates and editable rows, creating nothing', async () => {
      const before = await snapshot(t);
      const form = await admin.get('/documents').expect(200);
      assert.match(form.text, /<label for="f-text">/);
      const res = await postForm(admin, '/documents', '/documents/extract', { title: TITLE, url: 'https://example.org/article', documentYear: '2024', text: ARTICLE });
      assert.equal(res.status, 200, res.text.slice(0, 2000));
      review = res.text;
      assert.match(review, /<mark class="cand" id="c-3">将通过数字化改造企业350家以上<\/mark>/);
      assert.match(review, /<mark class="cand" id="c-6">全区智能网联新能源汽车年产值将达2000亿元<\/mark>/);
      assert.equal((review.match(/<mark class="cand"/g) ?? []).length, 8);
      // the text between the marks is there too, escaped
      assert.match(review, /招引培育浪潮等数字化转型服务商20余家/);
      assert.match(review, /name="rows\[2\]\.code" value="DOC-2024-03"/);
      assert.match(review, /name="rows\[2\]\.create" checked/);
      assert.doesNotMatch(review, /name="rows\[0\]\.create" checked/); // no deadline: not ticked
      assert.match(review, /<textarea id="f-rows-2-quote" name="rows\[2\]\.quote" rows="2" readonly>将通过数字化改造企业350家以上<\/textarea>/);
      assert.deepEqual(await snapshot(t), before);
    });

    /** The review form as the browser would send it, with only `ticked` rows ticked and `edit` applied. */
    const submission = (ticked: number[], edit: Record<string, string>) => {
      const fields = formFields(review, 'confirm-form').filter(([name]) => !/\.create$/.test(name));
      const edited = fields.map(([n, v]): [string, string] => [n, edit[n] ?? v]);
      return [...edited, ...ticked.map((i): [string, string] => [`rows[${i}].create`, 'on'])];
    };

    it('keeps every row when one ticked row is bad (422): nothing is created, the error is beside that row', async () => {
      const before = await snapshot(t);
      const body = submission([2, 5], { 'rows[2].department': 'ECON-INFO', 'rows[2].name': '数字化改造企业（已改）', 'rows[5].department': '' });
      const res = await admin.post('/documents/confirm').type('form').send(formBody(body));
      assert.equal(res.status, 422);
      assert.match(res.text, /id="f-rows-5-department-error">必填<\/span>/); // no "(required)"
      // the summary names the field in words, not as a path
      const summary = /<div class="alert" role="alert" id="form-errors">([\s\S]*?)<\/div>/.exec(res.text)?.[1] ?? '';
      assert.match(summary, /第6行 责任单位<\/a> 必填/);
      assert.doesNotMatch(summary, /rows\[\d+\]|required/);
      assert.match(res.text, /<tr id="row-6" data-row="5" class="bad">/);
      assert.match(res.text, /name="rows\[2\]\.name" value="数字化改造企业（已改）"/);
      assert.match(res.text, /<mark class="cand" id="c-3">将通过数字化改造企业350家以上<\/mark>/);
      assert.deepEqual(await snapshot(t), before);

      // valid rows but a code already taken: the service refuses them all (409)
      await createTarget(t, { code: 'DOC-2024-06' });
      const before2 = await snapshot(t);
      const taken = submission([2, 5], { 'rows[2].department': 'ECON-INFO', 'rows[5].department': 'ECON-INFO' });
      const conflict = await admin.post('/documents/confirm').type('form').send(formBody(taken));
      assert.equal(conflict.status, 409);
      assert.match(conflict.text, /id="f-rows-5-code-error">指标代码 DOC-2024-06 已存在/);
      assert.deepEqual(await snapshot(t), before2);
    });

    it('creates exactly the two ticked candidates, in one go, each with the document and its quote as source', async () => {
      const before = await count(t, `SELECT count(*) AS n FROM targets`);
      const body = submission([2, 5], {
        'rows[2].department': 'ECON-INFO', 'rows[5].department': 'ECON-INFO', 'rows[5].code': 'DOC-2024-NEV', 'rows[5].kind': 'flow', 'rows[2].category': '数字化转型',
      });
      const res = await admin.post('/documents/confirm').type('form').send(formBody(body));
      assert.equal(res.status, 303, res.text.slice(0, 3000));
      assert.equal(res.headers.location, `/documents/created?codes=${encodeURIComponent('DOC-2024-03,DOC-2024-NEV')}`);
      assert.equal(await count(t, `SELECT count(*) AS n FROM targets`), before + 2);
      const { rows } = await t.db.query(
        `SELECT code, name, kind, comparator, target_period, target_value, unit, category, source_document, source_quote, source_url
           FROM targets WHERE code IN ('DOC-2024-03', 'DOC-2024-NEV') ORDER BY code`);
      assert.deepEqual(rows, [
        { code: 'DOC-2024-03', name: '数字化改造企业', kind: 'level', comparator: '>=', target_period: '2025', target_value: '350', unit: '家',
          category: '数字化转型', source_document: TITLE, source_quote: '将通过数字化改造企业350家以上', source_url: 'https://example.org/article' },
        { code: 'DOC-2024-NEV', name: '智能网联新能源汽车年产值', kind: 'flow', comparator: '>=', target_period: '2025', target_value: '2000', unit: '亿元',
          category: null, source_document: TITLE, source_quote: '全区智能网联新能源汽车年产值将达2000亿元', source_url: 'https://example.org/article' },
      ]);
      assert.equal(await count(t, `SELECT count(*) AS n FROM audit_log WHERE action = 'target.create' AND entity_id IN ('DOC-2024-03', 'DOC-2024-NEV')`), 2);
      const created = await admin.get(res.headers.location).expect(200);
      assert.match(created.text, /href="\/targets\/DOC-2024-03"/);
      assert.match(created.text, /href="\/targets\/DOC-2024-NEV"/);
    });

    it('suggests the next free codes for the same year on the next extraction', async () => {
      const res = await postForm(admin, '/documents', '/documents/extract', { title: TITLE, url: '', documentYear: '2024', text: ARTICLE });
      assert.equal(res.status, 200);
      assert.match(res.text, /name="rows\[0\]\.code" value="DOC-2024-07"/);
    });

    it('asks for the title and the text before extracting (422)', async () => {
      const res = await postForm(admin, '/documents', '/documents/extract', { title: '', url: 'javascript:alert(1)', documentYear: '', text: '  ' });
      assert.equal(res.status, 422);
      assert.match(res.text, /id="f-title-error">/);
      assert.match(res.text, /id="f-text-error">/);
    });
  });
});
