import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Response } from 'supertest';
import { ADMIN, eventually, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, DEPARTMENT, WORKED_EXAMPLE } from '../support/factories.js';
import { auditMark, auditSince, dbState } from '../support/state.js';
import { formBody, formFields, type WebAgent, webLogin } from '../support/web.js';

/**
 * Concurrency control (issue 14): an ETag on every single resource, 304 to If-None-Match, If-Match on
 * PATCH/PUT/DELETE checked in the write's transaction (412, nothing written), and the admin forms
 * sending the version they showed, so that two planners editing one record see a conflict.
 */

const API = '/api/v1';
const ETAG = /^"[A-Za-z0-9_-]{27}"$/;
const PLANNER = { email: 'planner@example.org', password: 'Planning-office-2025', role: 'planner' };
const CODE = 'DT-ENTERPRISES';
const CSV = '指标代码,期间,数值,口径,备注\r\nDT-ENTERPRISES,2024Q2,230,,\r\n';

describe('Concurrency control: ETag, If-None-Match, If-Match', () => {
  let t: TestApp;
  let plannerId: number;

  before(async () => {
    t = await startApp('api-concurrency');
    await createDepartment(t);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局', emails: [] });
    await createTarget(t);
    plannerId = (await t.http().post(`${API}/users`).send(PLANNER).expect(201)).body.id;
    await t.http().put(`${API}/targets/${CODE}/figures/2024Q4`).send({ value: 260, status: 'preliminary' }).expect(200);
  });
  after(() => t.close());

  const etag = async (path: string) => {
    const res = await t.http().get(`${API}${path}`).expect(200);
    assert.match(res.headers.etag ?? '', ETAG, path);
    return res.headers.etag as string;
  };

  it('tags every single-resource GET, the same while nothing changes, and answers 304 to If-None-Match naming it', async () => {
    const { rows: [alert] } = await t.db.query(
      `INSERT INTO alerts (target_id, kind, state, firing_since) SELECT id, 'lagging', 'firing', now() FROM targets WHERE code = $1 RETURNING id`, [CODE],
    );
    const run = (await t.http().post(`${API}/evaluations/runs`).send({ asOf: '2024-12-31' }).expect(202)).body.id;
    await eventually(async () => ((await t.http().get(`${API}/evaluations/runs/${run}`)).body.state === 'completed' ? true : undefined), 20_000, 'the run');
    const imported = await t.http().post(`${API}/imports`).attach('file', Buffer.from(CSV, 'utf8'), 'figures.csv').expect(201);
    const paths = [
      `/targets/${CODE}`, `/targets/${CODE}/evaluation?asOf=2024-12-31`, `/targets/${CODE}/figures/2024Q4`, `/departments/ECON-INFO`,
      `/users/${plannerId}`, `/alerts/${alert.id}`, `/evaluations/runs/${run}`, `/imports/${imported.body.id}`, '/auth/me',
    ];
    for (const path of paths) {
      const tag = await etag(path);
      assert.equal(await etag(path), tag, `${path}: the same representation, the same tag`);
      const fresh = await t.http().get(`${API}${path}`).set('if-none-match', tag);
      assert.equal(fresh.status, 304, path);
      assert.equal(fresh.text, '', path);
      assert.equal(fresh.headers.etag, tag, path);
      assert.equal((await t.http().get(`${API}${path}`).set('if-none-match', `"other", W/${tag}`)).status, 304, `${path}: weak comparison`);
      assert.equal((await t.http().get(`${API}${path}`).set('if-none-match', '"other"')).status, 200, path);
    }
    assert.equal(imported.headers.etag, undefined, 'the preview as uploaded is not byte for byte what a GET sends: no tag');
    for (const list of ['/targets', '/departments', '/users', `/targets/${CODE}/figures`, '/evaluations/runs']) {
      assert.equal((await t.http().get(`${API}${list}`).expect(200)).headers.etag, undefined, list);
    }

    const before = await etag(`/alerts/${alert.id}`);
    await t.db.query(`UPDATE alerts SET state = 'resolved', resolved_at = now() WHERE id = $1`, [alert.id]);
    assert.notEqual(await etag(`/alerts/${alert.id}`), before, 'a change made outside the API changes the tag too');
    assert.equal((await t.http().get(`${API}/alerts/${alert.id}`).set('if-none-match', before)).status, 200);
  });

  it('gives a new ETag on every change, in the answer of the write as on the next GET', async () => {
    const first = await etag(`/targets/${CODE}`);
    const patched = await t.http().patch(`${API}/targets/${CODE}`).set('if-match', first).send({ notes: '第一次修改' }).expect(200);
    assert.match(patched.headers.etag, ETAG);
    assert.notEqual(patched.headers.etag, first);
    assert.equal(await etag(`/targets/${CODE}`), patched.headers.etag);
    const cached = await t.http().get(`${API}/targets/${CODE}`).set('if-none-match', first).expect(200);
    assert.equal(cached.body.notes, '第一次修改');

    // Renaming the department changes the target's representation (departmentName), so its tag.
    const department = await etag('/departments/ECON-INFO');
    const renamed = await t.http().patch(`${API}/departments/ECON-INFO`).set('if-match', department).send({ name: '区经济和信息化委员会' }).expect(200);
    assert.notEqual(renamed.headers.etag, department);
    assert.equal(renamed.headers.etag, await etag('/departments/ECON-INFO'));
    assert.notEqual(await etag(`/targets/${CODE}`), patched.headers.etag);

    const user = await etag(`/users/${plannerId}`);
    const demoted = await t.http().patch(`${API}/users/${plannerId}`).set('if-match', user).send({ role: 'viewer' }).expect(200);
    assert.equal(demoted.headers.etag, await etag(`/users/${plannerId}`));
    assert.notEqual(demoted.headers.etag, user);
    await t.http().patch(`${API}/users/${plannerId}`).set('if-match', demoted.headers.etag).send({ role: 'planner' }).expect(200);

    const figure = await etag(`/targets/${CODE}/figures/2024Q4`);
    const put = await t.http().put(`${API}/targets/${CODE}/figures/2024Q4`).set('if-match', figure)
      .send({ value: 262, status: 'final', reason: '统计局核定' }).expect(200);
    assert.equal(put.headers.etag, undefined, 'no validator on a PUT answer (RFC 9110 §9.3.4)');
    assert.notEqual(await etag(`/targets/${CODE}/figures/2024Q4`), figure);

    const created = await t.http().post(`${API}/targets`).send({ ...WORKED_EXAMPLE, code: 'DT-NEW' }).expect(201);
    assert.equal(created.headers.etag, await etag('/targets/DT-NEW'), 'a 201 carries the tag of what it created');
    await t.http().delete(`${API}/targets/DT-NEW`).set('if-match', created.headers.etag).expect(204);
    assert.equal((await t.http().get(`${API}/targets/DT-NEW`).expect(200)).body.archived, true);
  });

  it('refuses a PATCH, PUT or DELETE whose If-Match names another version: 412 problem+json, nothing written', async () => {
    const stale = await etag(`/targets/${CODE}`);
    await t.http().patch(`${API}/targets/${CODE}`).send({ notes: '别人的修改' }).expect(200); // no If-Match: unconditional, as scripts send
    const tags = {
      department: await etag('/departments/ECON-INFO'), user: await etag(`/users/${plannerId}`),
      figure: await etag(`/targets/${CODE}/figures/2024Q4`), target: await etag(`/targets/${CODE}`),
    };
    const state = await dbState(t);
    const mark = await auditMark(t);
    const refused: [string, Promise<Response>][] = [
      ['PATCH a target, stale', t.http().patch(`${API}/targets/${CODE}`).set('if-match', stale).send({ notes: '会覆盖别人的修改' })],
      ['DELETE a target, stale', t.http().delete(`${API}/targets/${CODE}`).set('if-match', stale)],
      ['PATCH a target, weak', t.http().patch(`${API}/targets/${CODE}`).set('if-match', `W/${tags.target}`).send({ notes: '弱标签' })],
      ['PATCH a target, no tag', t.http().patch(`${API}/targets/${CODE}`).set('if-match', 'abc').send({ notes: '不是实体标签' })],
      ['PATCH a department', t.http().patch(`${API}/departments/ECON-INFO`).set('if-match', tags.target).send({ name: '改名' })],
      ['PATCH a user', t.http().patch(`${API}/users/${plannerId}`).set('if-match', tags.department).send({ disabled: true })],
      ['PUT a figure', t.http().put(`${API}/targets/${CODE}/figures/2024Q4`).set('if-match', tags.target).send({ value: 999, reason: '改错了' })],
      ['PUT a new figure, *', t.http().put(`${API}/targets/${CODE}/figures/2025Q1`).set('if-match', '*').send({ value: 300 })],
      ['PUT a new figure, a tag', t.http().put(`${API}/targets/${CODE}/figures/2025Q1`).set('if-match', tags.figure).send({ value: 300 })],
    ];
    const answers = await Promise.all(refused.map(([, res]) => res));
    for (const [i, res] of answers.entries()) {
      const where = refused[i][0];
      assert.equal(res.status, 412, where);
      assert.match(res.headers['content-type'], /^application\/problem\+json/, where);
      assert.equal(res.body.title, '先决条件不满足 Precondition Failed', where);
      assert.match(res.body.detail, /未写入任何数据/, where);
      assert.equal(res.body.status, 412, where);
      assert.equal(res.headers.etag, undefined, where);
    }
    assert.match(answers[0].body.detail, /^指标 DT-ENTERPRISES 已被修改，与 If-Match 给出的版本不符/);
    assert.match(answers[3].body.detail, /^If-Match 不是实体标签/);
    assert.deepEqual(await dbState(t), state);
    assert.deepEqual(await auditSince(t, mark), []);

    // The current tag, or `*` on a resource that exists, lets the write through.
    await t.http().patch(`${API}/targets/${CODE}`).set('if-match', `"other", ${tags.target}`).send({ notes: '基于最新版本' }).expect(200);
    await t.http().patch(`${API}/departments/ECON-INFO`).set('if-match', '*').send({ name: '区经济信息委' }).expect(200);
    await t.http().put(`${API}/targets/${CODE}/figures/2024Q4`).set('if-match', tags.figure).send({ value: 262, status: 'final' }).expect(200);
    assert.equal((await auditSince(t, mark)).length, 2, 'the unchanged figure wrote nothing');
  });

  it('checks If-Match on every PATCH, PUT and DELETE the document says takes it', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    const samples: Record<string, { path: string; body?: object }> = {
      [`patch ${API}/targets/{code}`]: { path: `/targets/${CODE}`, body: { notes: '样例' } },
      [`delete ${API}/targets/{code}`]: { path: `/targets/${CODE}` },
      [`put ${API}/targets/{code}/figures/{period}`]: { path: `/targets/${CODE}/figures/2024Q4`, body: { value: 1 } },
      [`patch ${API}/departments/{code}`]: { path: '/departments/ECON-INFO', body: { name: '样例' } },
      [`patch ${API}/users/{id}`]: { path: `/users/${plannerId}`, body: { role: 'viewer' } },
    };
    const conditional: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { parameters?: { $ref?: string }[]; responses: Record<string, unknown> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const takesIfMatch = (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/IfMatch');
        assert.equal(takesIfMatch, Boolean(op.responses['412']), `${method} ${path}`);
        if (op.parameters?.some((p) => p.$ref === '#/components/parameters/IfNoneMatch')) {
          assert.ok(op.responses['304'], `${method} ${path}`);
          assert.deepEqual(Object.keys((op.responses['200'] as { headers: object }).headers), ['ETag'], `${method} ${path}`);
        }
        if (takesIfMatch) conditional.push(`${method} ${path}`);
      }
    }
    assert.deepEqual(conditional.sort(), Object.keys(samples).sort());
    assert.ok(doc.components.headers.ETag && doc.components.parameters.IfMatch && doc.components.parameters.IfNoneMatch);
    const state = await dbState(t);
    for (const [operation, sample] of Object.entries(samples)) {
      const method = operation.split(' ')[0] as 'patch' | 'put' | 'delete';
      const res = await t.http()[method](`${API}${sample.path}`).set('if-match', '"stale"').send(sample.body);
      assert.equal(res.status, 412, operation);
    }
    assert.deepEqual(await dbState(t), state);
  });

  it('lets exactly one of two PATCHes with the same If-Match win, however they interleave', async () => {
    const notes = async () => (await t.db.query(`SELECT notes FROM targets WHERE code = $1`, [CODE])).rows[0].notes;
    // Side by side, as two planners' saves arrive.
    for (let round = 0; round < 5; round++) {
      const tag = await etag(`/targets/${CODE}`);
      const mark = await auditMark(t);
      const answers = await Promise.all(['甲', '乙'].map((who) =>
        t.http().patch(`${API}/targets/${CODE}`).set('if-match', tag).send({ notes: `${who}的修改 ${round}` })));
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 412], `round ${round}`);
      const winner = answers.find((r) => r.status === 200)!;
      assert.equal(await notes(), winner.body.notes);
      assert.deepEqual((await auditSince(t, mark)).map((a) => a.action), ['target.update']);
    }

    // Both checked while a third transaction holds the row: each waits for the lock before it compares,
    // so the second compares with what the first wrote.
    const tag = await etag(`/targets/${CODE}`);
    const mark = await auditMark(t);
    const holder: pg.PoolClient = await t.db.connect();
    let answers;
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM targets WHERE code = $1 FOR UPDATE`, [CODE]);
      const pending = ['丙', '丁'].map((who) => t.http().patch(`${API}/targets/${CODE}`).set('if-match', tag).send({ notes: `${who}的修改` }).then((r) => r));
      // (read on another connection: inside a transaction pg_stat_activity stays as first read)
      await eventually(async () => {
        const { rows: [{ n }] } = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return n === 2 ? true : undefined;
      }, 10_000, 'both PATCHes waiting for the row');
      await holder.query('COMMIT');
      answers = await Promise.all(pending);
    } finally {
      await holder.query('ROLLBACK'); // (a warning only, after the COMMIT)
      holder.release();
    }
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 412]);
    assert.equal(await notes(), answers.find((r) => r.status === 200)!.body.notes);
    assert.equal((await auditSince(t, mark)).length, 1);
  });

  it('answers twenty writers of one target while its re-evaluations run: no wait on a pool that the writers hold', async () => {
    // Writers of a target queue on its lock bucket, each holding one of the pool's 10 connections; the
    // re-evaluation that holds the target's request row must read on its own transaction's connection, or the
    // pool deadlocks (it did: every PUT hung until the client gave up).
    const until = Date.now() + 3000;
    let n = 0;
    const statuses: number[] = [];
    const writer = async () => {
      while (Date.now() < until) {
        const i = n++;
        const period = `${2001 + Math.floor((i % 80) / 4)}Q${(i % 4) + 1}`;
        statuses.push((await t.http().put(`${API}/targets/${CODE}/figures/${period}`).send({ value: 100 + i, confirm: true })).status);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'hung'>((resolve) => { timer = setTimeout(() => resolve('hung'), 30_000); });
    const outcome = await Promise.race([Promise.all(Array.from({ length: 20 }, writer)).then(() => 'answered' as const), deadline]);
    clearTimeout(timer);
    assert.equal(outcome, 'answered', `${statuses.length} PUTs answered in 30 s, then none`);
    assert.ok(statuses.length >= 20, `${statuses.length} PUTs`);
    assert.deepEqual([...new Set(statuses)], [200]);
    await eventually(async () => {
      const { rows: [{ n: waiting }] } = await t.db.query(`SELECT count(*)::int AS n FROM reevaluation_requests`);
      return waiting === 0 ? true : undefined;
    }, 20_000, 'the re-evaluations settled');
  });

  describe('admin forms', () => {
    let first: WebAgent;
    let second: WebAgent;
    before(async () => {
      const server = t.app.getHttpServer();
      [first, second] = await Promise.all([webLogin(server, ADMIN.email, ADMIN.password), webLogin(server, PLANNER.email, PLANNER.password)]);
    });

    /** What the form `formId` on a page submits, with some fields changed (or ticked) as a person would. */
    const edited = (html: string, formId: string, changes: Record<string, string>) => {
      const fields = formFields(html, formId);
      const names = new Set(fields.map(([name]) => name));
      return [
        ...fields.map(([name, value]): [string, string] => [name, changes[name] ?? value]),
        ...Object.entries(changes).filter(([name]) => !names.has(name)),
      ];
    };

    it('sends the version a target form showed: saving over another save shows a conflict with a reload link, and loses nothing', async () => {
      const pageA = await second.get(`/admin/targets/${CODE}/edit`).expect(200);
      const pageB = await first.get(`/admin/targets/${CODE}/edit`).expect(200);
      assert.match(pageA.text, new RegExp(`name="_version" value="${(await etag(`/targets/${CODE}`)).replace(/"/g, '&quot;')}"`));
      const saved = await second.post(`/admin/targets/${CODE}`).type('form').send(formBody(edited(pageA.text, 'f-name', { name: '数字化改造企业数（甲）' })));
      assert.equal(saved.status, 303, saved.text);

      const state = await dbState(t);
      const mark = await auditMark(t);
      const late = await first.post(`/admin/targets/${CODE}`).type('form').send(formBody(edited(pageB.text, 'f-name', { 'target.value': '400' })));
      assert.equal(late.status, 409, late.text);
      assert.match(late.text, /id="stale-version"/);
      assert.match(late.text, /别人修改并保存了这条记录/);
      assert.match(late.text, new RegExp(`<a href="/admin/targets/${CODE}/edit" id="reload-latest">重新载入最新内容</a>`));
      assert.match(late.text, /name="target\.value" value="400"/, 'what was typed stays in the form');
      assert.deepEqual(await dbState(t), state);
      assert.deepEqual(await auditSince(t, mark), []);
      assert.equal((await t.http().get(`${API}/targets/${CODE}`).expect(200)).body.name, '数字化改造企业数（甲）');

      // Submitting the same stale form again conflicts again; the reloaded form saves.
      assert.equal((await first.post(`/admin/targets/${CODE}`).type('form').send(formBody(formFields(late.text, 'f-name')))).status, 409);
      const reloaded = await first.get(`/admin/targets/${CODE}/edit`).expect(200);
      const ok = await first.post(`/admin/targets/${CODE}`).type('form').send(formBody(edited(reloaded.text, 'f-name', { 'target.value': '400' })));
      assert.equal(ok.status, 303, ok.text);
      const target = (await t.http().get(`${API}/targets/${CODE}`).expect(200)).body;
      assert.equal(target.name, '数字化改造企业数（甲）');
      assert.equal(Number(target.target.value), 400);
    });

    it('sends the version a department page and a user form showed', async () => {
      const department = await first.get('/admin/departments/ECON-INFO').expect(200);
      await t.http().patch(`${API}/departments/ECON-INFO`).send({ emails: [...DEPARTMENT.emails, 'new@example.org'] }).expect(200);
      const stale = await first.post('/admin/departments/ECON-INFO').type('form').send(formBody(edited(department.text, 'save-department', { name: '改名' })));
      assert.equal(stale.status, 409, stale.text);
      assert.match(stale.text, /<a href="\/admin\/departments\/ECON-INFO" id="reload-latest">/);
      assert.deepEqual((await t.http().get(`${API}/departments/ECON-INFO`).expect(200)).body.emails, [...DEPARTMENT.emails, 'new@example.org']);
      const fresh = await first.get('/admin/departments/ECON-INFO').expect(200);
      assert.equal((await first.post('/admin/departments/ECON-INFO').type('form').send(formBody(edited(fresh.text, 'save-department', { name: '改名' })))).status, 303);
      assert.equal((await t.http().get(`${API}/departments/ECON-INFO`).expect(200)).body.name, '改名');

      const user = await first.get(`/admin/users/${plannerId}/edit`).expect(200);
      await t.http().patch(`${API}/users/${plannerId}`).send({ role: 'viewer' }).expect(200);
      const refused = await first.post(`/admin/users/${plannerId}`).type('form').send(formBody(edited(user.text, 'save-user', { disabled: 'on' })));
      assert.equal(refused.status, 409, refused.text);
      assert.match(refused.text, new RegExp(`<a href="/admin/users/${plannerId}/edit" id="reload-latest">`));
      const now = (await t.http().get(`${API}/users/${plannerId}`).expect(200)).body;
      assert.deepEqual([now.role, now.disabled], ['viewer', false]);
    });
  });
});
