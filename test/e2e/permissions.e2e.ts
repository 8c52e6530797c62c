import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Response, Test } from 'supertest';
import { ADMIN, startApp, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, DEPARTMENT, WORKED_EXAMPLE } from '../support/factories.js';
import { type AuditRow, auditMark, auditSince, dbState, LOOPBACK, stringsIn } from '../support/state.js';

/**
 * Roles and the audit trail: who may write what (the permission matrix, every write route × every
 * role), who may read what, what the audit trail records, and that it is append-only in the database.
 */

type Role = 'admin' | 'planner' | 'econ' | 'sci' | 'viewer';
type Who = Role | 'anonymous';
const ROLES: Role[] = ['admin', 'planner', 'econ', 'sci', 'viewer'];
const WHO: Who[] = [...ROLES, 'anonymous'];

/** The accounts of the matrix; `econ` and `sci` are department users of ECON-INFO and SCI-TECH. */
const ACCOUNTS: Record<Role, { email: string; password: string; role: string; department: string | null }> = {
  admin: { email: ADMIN.email, password: ADMIN.password, role: 'admin', department: null },
  planner: { email: 'planner@example.org', password: 'Planner-pass-2025', role: 'planner', department: null },
  econ: { email: 'econ-user@example.org', password: 'Econ-user-pass-2025', role: 'department', department: 'ECON-INFO' },
  sci: { email: 'sci-user@example.org', password: 'Sci-user-pass-2025', role: 'department', department: 'SCI-TECH' },
  viewer: { email: 'viewer@example.org', password: 'Viewer-pass-2025', role: 'viewer', department: null },
};

/** Led by ECON-INFO, supported by SCI-TECH. */
const SHARED = 'SHARED-T';
/** Led by SCI-TECH alone. */
const SCI_ONLY = 'SCI-ONLY';
/** Led by ECON-INFO alone. */
const ECON_ONLY = 'ECON-ONLY';
/** Every matrix target has a figure for this period (value 300), written by the admin in the setup. */
const SEEDED_PERIOD = '2024Q4';

interface Account { id: number; email: string; password: string; access: string; api: { id: string; token: string } }

let t: TestApp;
const accounts = {} as Record<Role, Account>;

type Client = ReturnType<TestApp['anonymous']>;
type Ctx = Record<string, string>;

const client = (who: Who): Client => (who === 'anonymous' ? t.anonymous() : t.as(accounts[who].access));

// Unique codes, emails and periods, so every case stands on its own whatever ran before it.
let sequence = 0;
const unique = (prefix: string) => `${prefix}${(sequence += 1)}`;
let periodSeq = 0;
/** A fresh quarter (2001Q1, 2001Q2, …), never the seeded one. */
const freshPeriod = () => {
  const n = periodSeq++;
  return `${2001 + Math.floor(n / 4)}Q${(n % 4) + 1}`;
};

const targetBody = (code: string, department = 'ECON-INFO') =>
  ({ ...WORKED_EXAMPLE, code, name: `权限测试指标 ${code}`, department });

/** A target of the role's own department (a department user may not write it all the same). */
const ownTarget = (who: Who) => (who === 'econ' ? ECON_ONLY : who === 'sci' ? SCI_ONLY : SHARED);
const ownDepartment = (who: Who) => (who === 'sci' ? 'SCI-TECH' : 'ECON-INFO');

const expected = (who: Who, allowed: readonly Role[], ok: number) =>
  who === 'anonymous' ? 401 : allowed.includes(who) ? ok : 403;

interface Case {
  route: string;
  who: Who;
  label?: string;
  status: number;
  /** for allowed writes: the action of the one audit row the request must leave */
  action?: string;
  /** for denied requests: the `errors[].path` the problem must list */
  errorPaths?: string[];
  /** the client sending the request; by default the role's login (or none for anonymous) */
  via?: () => Client;
  /** per-case setup (done as the admin, before the audit mark) */
  prepare?: () => Promise<Ctx>;
  send: (c: Client, ctx: Ctx) => Test;
  check?: (res: Response, ctx: Ctx) => void;
}

const CASES: Case[] = [];
const add = (c: Case) => CASES.push(c);

const PLANNERS: Role[] = ['admin', 'planner'];
const freshTarget = async (): Promise<Ctx> => {
  const code = unique('MX-T');
  await createTarget(t, targetBody(code));
  return { code };
};

// ── targets ───────────────────────────────────────────────────────────────────────────────────────
for (const who of WHO) {
  const status = expected(who, PLANNERS, 201);
  add({
    route: 'POST /targets', who, status, action: 'target.create',
    prepare: async () => ({ code: unique('MX-T') }),
    send: (c, { code }) => c.post('/api/v1/targets').send(targetBody(code, ownDepartment(who))),
    check: (res, { code }) => assert.equal(res.body.code, code),
  });
}
for (const who of WHO) {
  const status = expected(who, PLANNERS, 200);
  add({
    route: 'PATCH /targets/{code}', who, status, action: 'target.update',
    label: status === 200 ? undefined : `its own department's ${ownTarget(who)}`,
    prepare: status === 200 ? freshTarget : async () => ({ code: ownTarget(who) }),
    send: (c, { code }) => c.patch(`/api/v1/targets/${code}`).send({ name: '改名后的指标', graceDays: 30 }),
    check: (res) => assert.deepEqual([res.body.name, res.body.graceDays], ['改名后的指标', 30]),
  });
}
for (const who of WHO) {
  const status = expected(who, PLANNERS, 204);
  add({
    route: 'DELETE /targets/{code}', who, status, action: 'target.archive',
    label: status === 204 ? undefined : `its own department's ${ownTarget(who)}`,
    prepare: status === 204 ? freshTarget : async () => ({ code: ownTarget(who) }),
    send: (c, { code }) => c.delete(`/api/v1/targets/${code}`),
  });
}

// ── departments ───────────────────────────────────────────────────────────────────────────────────
for (const who of WHO) {
  add({
    route: 'POST /departments', who, status: expected(who, PLANNERS, 201), action: 'department.create',
    prepare: async () => ({ code: unique('MX-D') }),
    send: (c, { code }) => c.post('/api/v1/departments').send({ code, name: `部门 ${code}` }),
    check: (res, { code }) => assert.equal(res.body.code, code),
  });
}
for (const who of WHO) {
  add({
    route: 'PATCH /departments/{code}', who, status: expected(who, PLANNERS, 200), action: 'department.update',
    prepare: async () => ({ code: 'SCI-TECH' }),
    send: (c, { code }) => c.patch(`/api/v1/departments/${code}`).send({ name: `区科技局 ${who}` }),
    check: (res) => assert.equal(res.body.name, `区科技局 ${who}`),
  });
}

// ── figures: PUT one ──────────────────────────────────────────────────────────────────────────────
const putFigure = (who: Who, target: string, status: number, label?: string) =>
  add({
    route: 'PUT /targets/{code}/figures/{period}', who, status, action: 'figure.revise', label: label ?? target,
    // Allowed: a new figure. Denied: a new value for the seeded figure (a write would show in count and hash).
    prepare: async () => ({ period: status === 200 ? freshPeriod() : SEEDED_PERIOD }),
    send: (c, { period }) => c.put(`/api/v1/targets/${target}/figures/${period}`).send({ value: 321, reason: '矩阵测试' }),
    check: (res, { period }) => assert.deepEqual([res.body.target, res.body.period, res.body.value], [target, period, '321']),
  });
putFigure('admin', SCI_ONLY, 200);
putFigure('planner', ECON_ONLY, 200);
putFigure('econ', ECON_ONLY, 200, `${ECON_ONLY}, led by its department`);
putFigure('econ', SHARED, 200, `${SHARED}, led by its department`);
putFigure('econ', SCI_ONLY, 403, `${SCI_ONLY}, another department's`);
putFigure('sci', SCI_ONLY, 200, `${SCI_ONLY}, led by its department`);
putFigure('sci', SHARED, 200, `${SHARED}, supported by its department`);
putFigure('sci', ECON_ONLY, 403, `${ECON_ONLY}, another department's`);
putFigure('viewer', SHARED, 403);
putFigure('anonymous', SHARED, 401);

// ── figures: batch ────────────────────────────────────────────────────────────────────────────────
const batch = (who: Who, targets: string[], status: number, label: string, errorPaths?: string[]) =>
  add({
    route: 'POST /figures/batch', who, status, action: 'figures.batch', label, errorPaths,
    prepare: async () => Object.fromEntries(targets.map((_, i) => [String(i), status === 200 ? freshPeriod() : SEEDED_PERIOD])),
    send: (c, periods) => c.post('/api/v1/figures/batch').send({
      figures: targets.map((target, i) => ({ target, period: periods[String(i)], value: 400 + i, reason: '矩阵测试' })),
    }),
    check: (res) => assert.deepEqual(res.body, { received: targets.length, written: targets.length, unchanged: 0 }),
  });
batch('admin', [SHARED, SCI_ONLY, ECON_ONLY], 200, 'any targets');
batch('planner', [SHARED, SCI_ONLY, ECON_ONLY], 200, 'any targets');
batch('econ', [ECON_ONLY, SHARED], 200, 'targets its department leads');
batch('econ', [ECON_ONLY, SCI_ONLY, SHARED, SCI_ONLY], 403, 'own and foreign rows mixed',
  ['figures[1].target', 'figures[3].target']);
batch('sci', [SCI_ONLY, SHARED], 200, 'targets its department leads or supports');
batch('sci', [SHARED, ECON_ONLY, SCI_ONLY], 403, 'own and foreign rows mixed', ['figures[1].target']);
batch('viewer', [SHARED, ECON_ONLY], 403, 'any targets', ['figures[0].target', 'figures[1].target']);
batch('anonymous', [SHARED], 401, 'any targets');

// ── evaluation runs ───────────────────────────────────────────────────────────────────────────────
for (const who of WHO) {
  add({
    route: 'POST /evaluations/runs', who, status: expected(who, PLANNERS, 202), action: 'evaluation_run.start',
    send: (c) => c.post('/api/v1/evaluations/runs').send({}),
    check: (res) => assert.match(res.body.id, /^[0-9a-f-]{36}$/),
  });
}

// ── users ─────────────────────────────────────────────────────────────────────────────────────────
for (const who of WHO) {
  const status = expected(who, ['admin'], 201);
  add({
    route: 'POST /users', who, status, action: 'user.create',
    label: status === 201 ? 'a viewer' : 'an admin',
    prepare: async () => ({ email: `${unique('mx-user-')}@example.org` }),
    send: (c, { email }) => c.post('/api/v1/users').send({
      email, password: 'Matrix-user-2025', role: status === 201 ? 'viewer' : 'admin', department: null,
    }),
    check: (res, { email }) => assert.deepEqual([res.body.email, res.body.role], [email, 'viewer']),
  });
}
for (const who of WHO) {
  const status = expected(who, ['admin'], 200);
  add({
    route: 'PATCH /users/{id}', who, status, action: 'user.update',
    label: status === 200 ? 'planner → viewer' : who === 'anonymous' ? 'the viewer → admin' : 'itself → admin',
    prepare: status === 200
      ? async () => {
        const res = await t.http().post('/api/v1/users')
          .send({ email: `${unique('mx-user-')}@example.org`, password: 'Matrix-user-2025', role: 'planner' }).expect(201);
        return { id: String(res.body.id) };
      }
      : async () => ({ id: String(accounts[who === 'anonymous' ? 'viewer' : who].id) }),
    send: (c, { id }) => c.patch(`/api/v1/users/${id}`).send({ role: status === 200 ? 'viewer' : 'admin' }),
    check: (res) => assert.equal(res.body.role, 'viewer'),
  });
}

// ── API tokens: every role its own, from a login ──────────────────────────────────────────────────
for (const who of WHO) {
  add({
    route: 'POST /auth/tokens', who, status: who === 'anonymous' ? 401 : 201, action: 'token.issue',
    send: (c) => c.post('/api/v1/auth/tokens').send({ name: `script of ${who}`, password: who === 'anonymous' ? 'Any-pass-2025' : ACCOUNTS[who].password }),
    check: (res) => assert.match(res.body.token, /^tm_/),
  });
}
for (const who of ROLES) {
  add({
    route: 'POST /auth/tokens', who, status: 403, label: 'with an API token instead of a login',
    via: () => t.as(accounts[who].api.token),
    send: (c) => c.post('/api/v1/auth/tokens').send({ name: 'a token minted by a token', password: ACCOUNTS[who].password }),
  });
}
for (const who of WHO) {
  add({
    route: 'DELETE /auth/tokens/{id}', who, status: who === 'anonymous' ? 401 : 204, action: 'token.revoke',
    label: who === 'anonymous' ? "the viewer's token" : 'its own token',
    prepare: who === 'anonymous'
      ? async () => ({ id: accounts.viewer.api.id })
      : async () => {
        const res = await t.as(accounts[who].access).post('/api/v1/auth/tokens').send({ name: 'to revoke', password: ACCOUNTS[who].password }).expect(201);
        return { id: res.body.id };
      },
    send: (c, { id }) => c.delete(`/api/v1/auth/tokens/${id}`),
  });
}
// Someone else's token is not found (its existence is not revealed) for all but an admin.
const OTHERS_TOKEN: Partial<Record<Role, Role>> = { planner: 'econ', econ: 'sci', sci: 'viewer', viewer: 'planner' };
for (const [who, owner] of Object.entries(OTHERS_TOKEN) as [Role, Role][]) {
  add({
    route: 'DELETE /auth/tokens/{id}', who, status: 404, label: `the ${owner}'s token`,
    prepare: async () => ({ id: accounts[owner].api.id }),
    send: (c, { id }) => c.delete(`/api/v1/auth/tokens/${id}`),
  });
}

const problemJson = (res: Response) =>
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `content-type of ${res.status}`);

function assertAuditedBy(rows: AuditRow[], who: Role, action: string): AuditRow {
  assert.equal(rows.length, 1, `exactly one audit row, got ${JSON.stringify(rows.map((r) => r.action))}`);
  const [row] = rows;
  assert.deepEqual(
    { action: row.action, actor: row.actor, actorId: row.actor_id },
    { action, actor: accounts[who].email, actorId: accounts[who].id },
  );
  assert.match(String(row.ip), LOOPBACK, 'the request address');
  return row;
}

describe('roles and the audit trail', () => {
  before(async () => {
    t = await startApp('permissions');
    await createDepartment(t, DEPARTMENT);
    await createDepartment(t, { code: 'SCI-TECH', name: '区科技局' });
    for (const role of ROLES) {
      const a = ACCOUNTS[role];
      let id: number;
      if (role === 'admin') {
        id = (await t.db.query(`SELECT id FROM users WHERE email = $1`, [a.email])).rows[0].id;
      } else {
        const res = await t.http().post('/api/v1/users')
          .send({ email: a.email, password: a.password, role: a.role, department: a.department });
        assert.equal(res.status, 201, res.text);
        id = res.body.id;
      }
      const access = await t.login(a.email, a.password);
      const api = await t.as(access).post('/api/v1/auth/tokens').send({ name: `${role}'s script`, password: a.password }).expect(201);
      accounts[role] = { id, email: a.email, password: a.password, access, api: { id: api.body.id, token: api.body.token } };
    }
    await createTarget(t, targetBody(SHARED, 'ECON-INFO'));
    await t.http().patch(`/api/v1/targets/${SHARED}`).send({ supporting: ['SCI-TECH'] }).expect(200);
    await createTarget(t, targetBody(SCI_ONLY, 'SCI-TECH'));
    await createTarget(t, targetBody(ECON_ONLY, 'ECON-INFO'));
    for (const code of [SHARED, SCI_ONLY, ECON_ONLY]) {
      await t.http().put(`/api/v1/targets/${code}/figures/${SEEDED_PERIOD}`).send({ value: 300 }).expect(200);
    }
  });
  after(() => t?.close());

  it('sets up the accounts and targets the matrix relies on', async () => {
    const users = await t.http().get('/api/v1/users').expect(200);
    const byEmail = new Map(users.body.items.map((u: { email: string }) => [u.email, u]));
    for (const role of ROLES) {
      const u = byEmail.get(ACCOUNTS[role].email) as { role: string; department: string | null; disabled: boolean };
      assert.deepEqual([u.role, u.department, u.disabled], [ACCOUNTS[role].role, ACCOUNTS[role].department, false]);
    }
    const shared = await t.http().get(`/api/v1/targets/${SHARED}`).expect(200);
    assert.deepEqual([shared.body.department, shared.body.supporting], ['ECON-INFO', ['SCI-TECH']]);
    const sci = await t.http().get(`/api/v1/targets/${SCI_ONLY}`).expect(200);
    assert.deepEqual([sci.body.department, sci.body.supporting], ['SCI-TECH', []]);
  });

  describe('permission matrix: every write route × every role', () => {
    for (const c of CASES) {
      const title = `${c.route} as ${c.who}${c.label ? ` (${c.label})` : ''} → ${c.status}`;
      it(title, async () => {
        const ctx = c.prepare ? await c.prepare() : {};
        const via = c.via ? c.via() : client(c.who);
        if (c.status < 300) {
          const mark = await auditMark(t);
          const res = await c.send(via, ctx);
          assert.equal(res.status, c.status, res.text);
          c.check?.(res, ctx);
          assertAuditedBy(await auditSince(t, mark), c.who as Role, c.action!);
        } else {
          const before = await dbState(t);
          const res = await c.send(via, ctx);
          assert.equal(res.status, c.status, res.text);
          problemJson(res);
          assert.equal(res.body.status, c.status);
          if (c.status === 401) assert.match(String(res.headers['www-authenticate']), /^Bearer/);
          if (c.errorPaths) assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), c.errorPaths);
          assert.deepEqual(await dbState(t), before, 'nothing written');
        }
      });
    }

    it('covers every write route with every role and anonymous', () => {
      const routes = [...new Set(CASES.map((c) => c.route))];
      assert.equal(routes.length, 12);
      for (const route of routes) {
        for (const who of WHO) assert.ok(CASES.some((c) => c.route === route && c.who === who), `${route} × ${who}`);
      }
    });
  });

  describe('reads', () => {
    const EVERYONE = [`/api/v1/targets`, `/api/v1/targets/${SHARED}`, `/api/v1/targets/${SCI_ONLY}/figures`,
      `/api/v1/evaluations/latest`, `/api/v1/evaluations/runs`, `/api/v1/departments`, `/api/v1/departments/SCI-TECH`];
    for (const who of ROLES) {
      it(`${who} reads targets, figures, evaluations and departments`, async () => {
        for (const path of EVERYONE) {
          const res = await client(who).get(path);
          assert.equal(res.status, 200, `${path}: ${res.text}`);
        }
        const target = await client(who).get(`/api/v1/targets/${SHARED}`).expect(200);
        assert.equal(target.body.code, SHARED);
        const departments = await client(who).get('/api/v1/departments').expect(200);
        assert.ok(departments.body.items.some((d: { code: string }) => d.code === 'ECON-INFO'));
      });

      const audit = expected(who, PLANNERS, 200);
      it(`${who} ${audit === 200 ? 'reads' : 'may not read'} the audit trail → ${audit}`, async () => {
        const res = await client(who).get('/api/v1/audit');
        assert.equal(res.status, audit, res.text);
        if (audit === 200) assert.ok(res.body.total > 0 && Array.isArray(res.body.items));
        else problemJson(res);
      });

      const users = expected(who, ['admin'], 200);
      it(`${who} ${users === 200 ? 'lists' : 'may not list'} users → ${users}`, async () => {
        for (const path of ['/api/v1/users', `/api/v1/users/${accounts[who].id}`]) {
          const res = await client(who).get(path);
          assert.equal(res.status, users, `${path}: ${res.text}`);
          if (users !== 200) problemJson(res);
        }
        if (users === 200) {
          const res = await client(who).get('/api/v1/users').expect(200);
          assert.ok(!stringsIn(res.body).some((s) => s.startsWith('scrypt$')), 'no password hash in the user list');
        }
      });
    }

    it('anonymous reads nothing → 401', async () => {
      for (const path of [...EVERYONE, '/api/v1/audit', '/api/v1/users', '/api/v1/auth/tokens']) {
        const res = await t.anonymous().get(path);
        assert.equal(res.status, 401, path);
        problemJson(res);
      }
    });
  });

  describe('audit content', () => {
    it('records a figure revision with its reason, before and after; the same figure again adds no row', async () => {
      const period = freshPeriod();
      const url = `/api/v1/targets/${ECON_ONLY}/figures/${period}`;
      let mark = await auditMark(t);
      await client('econ').put(url).send({ value: 120, reason: '统计局核定' }).expect(200);
      let row = assertAuditedBy(await auditSince(t, mark), 'econ', 'figure.revise');
      assert.deepEqual([row.entity, row.entity_id, row.reason, row.before], ['figure', `${ECON_ONLY}/${period}`, '统计局核定', null]);
      assert.equal((row.after as { value: string }).value, '120');

      mark = await auditMark(t);
      await client('econ').put(url).send({ value: '125.5', reason: '年报修订' }).expect(200);
      row = assertAuditedBy(await auditSince(t, mark), 'econ', 'figure.revise');
      assert.equal(row.reason, '年报修订');
      assert.deepEqual([(row.before as { value: string }).value, (row.after as { value: string }).value], ['120', '125.5']);
      assert.ok((row.after as { revision: number }).revision > (row.before as { revision: number }).revision);

      mark = await auditMark(t);
      const revisions = (await t.db.query(`SELECT count(*)::int AS n FROM figure_revisions`)).rows[0].n;
      await client('econ').put(url).send({ value: 125.5, reason: '年报修订' }).expect(200);
      assert.deepEqual(await auditSince(t, mark), [], 'an unchanged figure leaves no audit row');
      assert.equal((await t.db.query(`SELECT count(*)::int AS n FROM figure_revisions`)).rows[0].n, revisions);
    });

    it("a batch's reason lands in its audit row too", async () => {
      // "Figure writes accept an optional reason that lands in the audit row": a batch is one.
      const mark = await auditMark(t);
      await client('sci').post('/api/v1/figures/batch').send({ figures: [
        { target: SCI_ONLY, period: freshPeriod(), value: 11, reason: '批量核定' },
        { target: SHARED, period: freshPeriod(), value: 12, reason: '批量核定' },
      ] }).expect(200);
      const row = assertAuditedBy(await auditSince(t, mark), 'sci', 'figures.batch');
      assert.ok(stringsIn([row.reason, row.after]).includes('批量核定'),
        `the batch's reason is in its audit row: ${JSON.stringify({ reason: row.reason, after: row.after })}`);
    });

    it('an unchanged batch leaves no audit row', async () => {
      const mark = await auditMark(t);
      const res = await client('sci').post('/api/v1/figures/batch')
        .send({ figures: [{ target: SCI_ONLY, period: SEEDED_PERIOD, value: 300 }] }).expect(200);
      assert.deepEqual(res.body, { received: 1, written: 0, unchanged: 1 });
      assert.deepEqual(await auditSince(t, mark), []);
    });

    it('records a failed and a successful login, one row each', async () => {
      let mark = await auditMark(t);
      const unknown = await t.anonymous().post('/api/v1/auth/login').send({ email: 'Nobody@Example.org', password: 'Wrong-guess-2025' });
      assert.equal(unknown.status, 401);
      problemJson(unknown);
      let rows = await auditSince(t, mark);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0].action, rows[0].actor, rows[0].actor_id, rows[0].entity], ['auth.login_failed', 'nobody@example.org', null, 'user']);
      assert.match(String(rows[0].ip), LOOPBACK);

      mark = await auditMark(t);
      await t.anonymous().post('/api/v1/auth/login').send({ email: ACCOUNTS.viewer.email, password: 'Not-the-pass-2025' }).expect(401);
      rows = await auditSince(t, mark);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0].action, rows[0].actor], ['auth.login_failed', ACCOUNTS.viewer.email]);

      mark = await auditMark(t);
      await t.login(ACCOUNTS.viewer.email, ACCOUNTS.viewer.password);
      assertAuditedBy(await auditSince(t, mark), 'viewer', 'auth.login');
      assert.ok(!stringsIn(rows).some((s) => s.includes('Not-the-pass')), 'no attempted password in the trail');
    });

    it('records a role change as before/after roles, and never a password hash', async () => {
      const created = await t.http().post('/api/v1/users')
        .send({ email: 'promoted@example.org', password: 'Promoted-user-2025', role: 'department', department: 'SCI-TECH' })
        .expect(201);
      let mark = await auditMark(t);
      await t.http().patch(`/api/v1/users/${created.body.id}`).send({ role: 'planner', department: null }).expect(200);
      const [row] = await auditSince(t, mark);
      assertAuditedBy([row], 'admin', 'user.update');
      assert.equal(row.entity_id, 'promoted@example.org');
      assert.deepEqual(
        [(row.before as { role: string }).role, (row.before as { department: string }).department,
          (row.after as { role: string }).role, (row.after as { department: string | null }).department],
        ['department', 'SCI-TECH', 'planner', null],
      );

      mark = await auditMark(t);
      await t.http().patch(`/api/v1/users/${created.body.id}`).send({ password: 'Changed-secret-2026' }).expect(200);
      const [changed] = await auditSince(t, mark);
      assert.equal((changed.after as { passwordChanged?: boolean }).passwordChanged, true);

      const { rows: all } = await t.db.query(`SELECT * FROM audit_log`);
      const strings = stringsIn(all.map((r) => ({ ...r, at: undefined })));
      assert.deepEqual(strings.filter((s) => s.startsWith('scrypt$')), [], 'no password hash anywhere in the trail');
      assert.ok(!strings.some((s) => s.includes('Changed-secret-2026') || s.includes('Promoted-user-2025')), 'no password');
    });

    it('filters GET /audit by entity, entity id, actor, action and time, and pages', async () => {
      const count = async (where: string, params: unknown[] = []) =>
        (await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params)).rows[0].n as number;
      type Item = { id: number; at: string; actor: string | null; action: string; entity: string; entityId: string | null };
      const get = async (query: Record<string, string | number>, who: Role = 'planner') => {
        const res = await client(who).get('/api/v1/audit').query(query);
        assert.equal(res.status, 200, res.text);
        return res.body as { items: Item[]; total: number; page: number; pageSize: number };
      };

      const departments = await get({ entity: 'department' });
      assert.equal(departments.total, await count(`entity = 'department'`));
      assert.ok(departments.total >= 2);
      assert.ok(departments.items.every((i) => i.entity === 'department'));

      const one = await get({ entity: 'target', entityId: SHARED });
      assert.equal(one.total, await count(`entity = 'target' AND entity_id = $1`, [SHARED]));
      assert.ok(one.items.every((i) => i.entityId === SHARED));
      assert.deepEqual(one.items.map((i) => i.action).reverse().slice(0, 2), ['target.create', 'target.update']);

      const byActor = await get({ actor: ACCOUNTS.econ.email, pageSize: 500 });
      assert.equal(byActor.total, await count(`actor = $1`, [ACCOUNTS.econ.email]));
      assert.ok(byActor.total > 0 && byActor.items.every((i) => i.actor === ACCOUNTS.econ.email));

      const byAction = await get({ action: 'figures.batch', actor: ACCOUNTS.sci.email });
      assert.equal(byAction.total, await count(`action = 'figures.batch' AND actor = $1`, [ACCOUNTS.sci.email]));
      assert.ok(byAction.total > 0 && byAction.items.every((i) => i.action === 'figures.batch' && i.actor === ACCOUNTS.sci.email));

      // A window between two rows' instants: from inclusive, to exclusive.
      const { rows: ats } = await t.db.query(`SELECT id, at FROM audit_log ORDER BY at, id`);
      const from = (ats[Math.floor(ats.length / 4)].at as Date).toISOString();
      const to = (ats[Math.floor((3 * ats.length) / 4)].at as Date).toISOString();
      const window = await get({ from, to, pageSize: 500 });
      const inWindow = await t.db.query(`SELECT id FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY at DESC, id DESC`, [from, to]);
      assert.ok(inWindow.rows.length > 0);
      assert.equal(window.total, inWindow.rows.length);
      assert.deepEqual(window.items.map((i) => i.id), inWindow.rows.map((r) => Number(r.id)));
      assert.ok(window.items.every((i) => i.at >= from && i.at < to));
      const empty = await get({ from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00+08:00' });
      assert.deepEqual([empty.total, empty.items], [0, []]);

      // Pages: newest first, disjoint, the same total.
      const all = await get({ pageSize: 500 });
      assert.equal(all.total, await count('true'));
      const page1 = await get({ pageSize: 3, page: 1 });
      const page2 = await get({ pageSize: 3, page: 2 });
      assert.deepEqual([page1.page, page1.pageSize, page2.page, page1.total, page2.total], [1, 3, 2, all.total, all.total]);
      assert.deepEqual([...page1.items, ...page2.items].map((i) => i.id), all.items.slice(0, 6).map((i) => i.id));
      const beyond = await get({ pageSize: 3, page: 10_000 });
      assert.deepEqual(beyond.items, []);

      const bad = await client('admin').get('/api/v1/audit').query({ from: 'yesterday' });
      assert.equal(bad.status, 422);
      problemJson(bad);
    });
  });

  describe('append-only at the database', () => {
    for (const table of ['audit_log', 'figure_revisions']) {
      it(`${table} rejects UPDATE, DELETE and TRUNCATE`, async () => {
        const before = (await t.db.query(`SELECT count(*)::int AS n, md5(string_agg(x::text, ',' ORDER BY id)) AS h FROM ${table} x`)).rows[0];
        assert.ok(before.n > 0);
        const column = table === 'audit_log' ? 'action' : 'note';
        await assert.rejects(t.db.query(`UPDATE ${table} SET ${column} = 'x'`), /append-only/);
        await assert.rejects(t.db.query(`UPDATE ${table} SET ${column} = 'x' WHERE id = (SELECT max(id) FROM ${table})`), /append-only/);
        await assert.rejects(t.db.query(`DELETE FROM ${table}`), /append-only/);
        await assert.rejects(t.db.query(`DELETE FROM ${table} WHERE id = (SELECT min(id) FROM ${table})`), /append-only/);
        // figures reference figure_revisions, so a plain TRUNCATE of it must name CASCADE to reach the trigger.
        await assert.rejects(t.db.query(`TRUNCATE ${table} CASCADE`), /append-only/);
        await assert.rejects(t.db.query(`TRUNCATE ${table}`));
        const afterwards = (await t.db.query(`SELECT count(*)::int AS n, md5(string_agg(x::text, ',' ORDER BY id)) AS h FROM ${table} x`)).rows[0];
        assert.deepEqual(afterwards, before);
      });
    }

    it('audit_log rejects plain TRUNCATE as append-only', async () => {
      await assert.rejects(t.db.query(`TRUNCATE audit_log`), /append-only/);
    });
  });

  describe('disabling and the last admin', () => {
    it('a disabled user loses its access token and its API token at once', async () => {
      const email = 'leaver@example.org';
      const password = 'Leaver-user-2025';
      const created = await t.http().post('/api/v1/users').send({ email, password, role: 'department', department: 'ECON-INFO' }).expect(201);
      const access = await t.login(email, password);
      const api = await t.as(access).post('/api/v1/auth/tokens').send({ name: 'cron', password }).expect(201);
      await t.as(access).get('/api/v1/auth/me').expect(200);
      await t.as(api.body.token).get('/api/v1/auth/me').expect(200);
      await t.as(api.body.token).put(`/api/v1/targets/${ECON_ONLY}/figures/${freshPeriod()}`).send({ value: 1 }).expect(200);

      const mark = await auditMark(t);
      const res = await t.http().patch(`/api/v1/users/${created.body.id}`).send({ disabled: true }).expect(200);
      assert.equal(res.body.disabled, true);
      const row = assertAuditedBy(await auditSince(t, mark), 'admin', 'user.update');
      assert.deepEqual([(row.before as { disabled: boolean }).disabled, (row.after as { disabled: boolean }).disabled], [false, true]);

      for (const token of [access, api.body.token]) {
        const before = await dbState(t);
        for (const r of [
          await t.as(token).get('/api/v1/auth/me'),
          await t.as(token).get('/api/v1/targets'),
          await t.as(token).put(`/api/v1/targets/${ECON_ONLY}/figures/${freshPeriod()}`).send({ value: 2 }),
        ]) {
          assert.equal(r.status, 401, r.text);
          problemJson(r);
        }
        assert.deepEqual(await dbState(t), before);
      }
      const login = await t.anonymous().post('/api/v1/auth/login').send({ email, password });
      assert.equal(login.status, 401);
      const { rows: tokens } = await t.db.query(`SELECT revoked_at FROM api_tokens WHERE user_id = $1`, [created.body.id]);
      assert.ok(tokens.length === 1 && tokens[0].revoked_at !== null, 'its API tokens are revoked');
    });

    it('a role change applies to the existing access token at once', async () => {
      const email = 'demoted@example.org';
      const password = 'Demoted-user-2025';
      const created = await t.http().post('/api/v1/users').send({ email, password, role: 'planner' }).expect(201);
      const access = await t.login(email, password);
      await t.as(access).post('/api/v1/departments').send({ code: unique('MX-D'), name: '规划员建的部门' }).expect(201);
      await t.http().patch(`/api/v1/users/${created.body.id}`).send({ role: 'viewer' }).expect(200);
      const before = await dbState(t);
      const res = await t.as(access).post('/api/v1/departments').send({ code: unique('MX-D'), name: '观察员建的部门' });
      assert.equal(res.status, 403, res.text);
      problemJson(res);
      assert.deepEqual(await dbState(t), before);
    });

    it('the last active admin can be neither disabled nor demoted → 409', async () => {
      const { rows: admins } = await t.db.query(`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL`);
      assert.deepEqual(admins.map((a) => a.id), [accounts.admin.id], 'the built-in admin is the only one');
      for (const patch of [{ disabled: true }, { role: 'planner' }, { role: 'viewer', disabled: true }]) {
        const before = await dbState(t);
        const res = await t.http().patch(`/api/v1/users/${accounts.admin.id}`).send(patch);
        assert.equal(res.status, 409, `${JSON.stringify(patch)}: ${res.text}`);
        problemJson(res);
        assert.deepEqual(await dbState(t), before);
      }
      await t.http().get('/api/v1/auth/me').expect(200);

      // With a second admin, either may go; then the remaining one is the last again.
      const second = await t.http().post('/api/v1/users')
        .send({ email: 'second-admin@example.org', password: 'Second-boss-2025', role: 'admin' }).expect(201);
      await t.http().patch(`/api/v1/users/${second.body.id}`).send({ role: 'planner' }).expect(200);
      const res = await t.http().patch(`/api/v1/users/${accounts.admin.id}`).send({ disabled: true });
      assert.equal(res.status, 409, res.text);
    });
  });
});
