// Issue 15, items 6 and 7: credentials end when they should — a password change or "log out everywhere"
// revokes API tokens and sessions, API tokens expire unless renewed, minting one needs the password, a
// page's cookie is no refresh token, and a replayed refresh token ends its whole session family.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startApp, type TestApp } from '../support/app.js';
import { auditMark, auditSince } from '../support/state.js';
import request from 'supertest';
import { csrf, postForm } from '../support/web.js';

const PASSWORD = 'Script-owner-2025';
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
let serial = 0;

describe('revoking and expiring credentials', () => {
  let t: TestApp;
  before(async () => {
    // a short token lifetime, so "past its expiry" is one day moved, not 90
    t = await startApp('auth_revoke', { API_TOKEN_DAYS: '7' });
  });
  after(() => t.close());

  /** A new viewer: its id, email, a login (access and refresh token) and an API token made in it. */
  async function user() {
    const email = `owner-${++serial}@example.org`;
    const created = await t.http().post('/api/v1/users').send({ email, password: PASSWORD, role: 'viewer' }).expect(201);
    const login = await t.anonymous().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    const api = await t.as(login.body.accessToken).post('/api/v1/auth/tokens').send({ name: 'cron', password: PASSWORD }).expect(201);
    await t.as(api.body.token).get('/api/v1/auth/me').expect(200); // works, and is now cached
    return { id: created.body.id as number, email, access: login.body.accessToken as string, refresh: login.body.refreshToken as string, token: api.body.token as string, tokenId: api.body.id as string };
  }

  /** A page login of `email` through the login form: the browser-like agent and its session cookie's value. */
  async function pageLogin(email: string) {
    const agent = request.agent(t.app.getHttpServer());
    const token = await csrf(agent, '/login'); // first: the request takes the jar's cookies when created
    const res = await agent.post('/login').type('form').send({ _csrf: token, email, password: PASSWORD, next: '/' });
    assert.equal(res.status, 303);
    const cookie = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('tm_session='))?.split(';')[0].slice('tm_session='.length);
    assert.ok(cookie, 'a tm_session cookie');
    return { agent, cookie };
  }

  it('an admin changing a user’s password ends its API tokens and sessions at once', async () => {
    const u = await user();
    await t.http().patch(`/api/v1/users/${u.id}`).send({ password: 'Brand-new-pass-2026' }).expect(200);
    await t.as(u.token).get('/api/v1/auth/me').expect(401);
    await t.as(u.access).get('/api/v1/auth/me').expect(401);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: u.refresh }).expect(401);
    const { rows } = await t.db.query(`SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE id = $1`, [u.tokenId]);
    assert.deepEqual(rows, [{ revoked: true }]);
  });

  it('a user changing its own password (current one re-entered) ends its API tokens and every session', async () => {
    const u = await user();
    const page = await pageLogin(u.email);
    await t.as(u.access).post('/api/v1/auth/password').send({ newPassword: 'Own-new-pass-2026' }).expect(422);
    await t.as(u.access).post('/api/v1/auth/password').send({ password: 'Not-my-pass-2025', newPassword: 'Own-new-pass-2026' }).expect(403);
    await t.as(u.token).post('/api/v1/auth/password').send({ password: PASSWORD, newPassword: 'Own-new-pass-2026' }).expect(403);
    await t.as(u.token).get('/api/v1/auth/me').expect(200); // none of those changed anything
    await t.as(u.access).post('/api/v1/auth/password').send({ password: PASSWORD, newPassword: 'Own-new-pass-2026' }).expect(204);
    await t.as(u.token).get('/api/v1/auth/me').expect(401);
    await t.as(u.access).get('/api/v1/auth/me').expect(401);
    assert.equal((await page.agent.get('/')).status, 303, 'the page session ended too');
    await t.anonymous().post('/api/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(401);
    await t.anonymous().post('/api/v1/auth/login').send({ email: u.email, password: 'Own-new-pass-2026' }).expect(200);
  });

  it('log out everywhere (API) ends every session, page and API, and revokes every API token', async () => {
    const u = await user();
    const second = await t.anonymous().post('/api/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    const page = await pageLogin(u.email);
    await page.agent.get('/').expect(200);
    const mark = await auditMark(t);
    await t.as(u.access).post('/api/v1/auth/logout-everywhere').expect(204);
    await t.as(u.token).get('/api/v1/auth/me').expect(401);
    await t.as(second.body.accessToken).get('/api/v1/auth/me').expect(401);
    for (const refreshToken of [u.refresh, second.body.refreshToken]) {
      await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken }).expect(401);
    }
    assert.equal((await page.agent.get('/')).status, 303, 'the page session ended too');
    const audit = await auditSince(t, mark);
    assert.ok(audit.some((r) => r.action === 'auth.logout_all' && r.actor === u.email), JSON.stringify(audit));
    // still possible to sign in again with the same password
    await t.anonymous().post('/api/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
  });

  it('log out everywhere from the pages does the same', async () => {
    const u = await user();
    const page = await pageLogin(u.email);
    const res = await postForm(page.agent, '/', '/logout-everywhere', {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    await t.as(u.token).get('/api/v1/auth/me').expect(401);
    await t.as(u.access).get('/api/v1/auth/me').expect(401);
  });

  it('gives API tokens an expiry (API_TOKEN_DAYS), refuses them past it, and renews them with the password', async () => {
    const u = await user();
    const listed = await t.as(u.access).get('/api/v1/auth/tokens').expect(200);
    const expiresAt = Date.parse(listed.body.items[0].expiresAt);
    const days = (expiresAt - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
    await t.as(u.access).post('/api/v1/auth/tokens').send({ name: 'too long', expiresInDays: 8, password: PASSWORD }).expect(422);

    // seven days later (the expiry moved back rather than waited for)
    await t.db.query(`UPDATE api_tokens SET expires_at = expires_at - interval '7 days' WHERE id = $1`, [u.tokenId]);
    await eventually(async () => ((await t.as(u.token).get('/api/v1/auth/me')).status === 401 ? true : undefined), 2_000, 'the expired token refused');

    await t.as(u.access).post(`/api/v1/auth/tokens/${u.tokenId}/renew`).send({}).expect(422);
    await t.as(u.token).post(`/api/v1/auth/tokens/${u.tokenId}/renew`).send({ password: PASSWORD }).expect(401);
    const renewed = await t.as(u.access).post(`/api/v1/auth/tokens/${u.tokenId}/renew`).send({ expiresInDays: 3, password: PASSWORD }).expect(200);
    const left = (Date.parse(renewed.body.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(left > 2.9 && left <= 3, `renewed for ${left} days`);
    await t.as(u.token).get('/api/v1/auth/me').expect(200);
    const other = await user();
    await t.as(other.access).post(`/api/v1/auth/tokens/${u.tokenId}/renew`).send({ password: PASSWORD }).expect(404);
    await t.as(u.access).delete(`/api/v1/auth/tokens/${u.tokenId}`).expect(204);
    await t.as(u.access).post(`/api/v1/auth/tokens/${u.tokenId}/renew`).send({ password: PASSWORD }).expect(409);
  });

  it('mints an API token only with the current password re-entered; a page cookie mints nothing', async () => {
    const u = await user();
    const page = await pageLogin(u.email);
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM api_tokens`)).rows[0].n;
    // the page's cookie is no bearer credential for the API
    await t.anonymous().post('/api/v1/auth/tokens').set('cookie', `tm_session=${page.cookie}`).send({ name: 'x', password: PASSWORD }).expect(401);
    await t.as(page.cookie).post('/api/v1/auth/tokens').send({ name: 'x', password: PASSWORD }).expect(401);
    // an API session without the password
    const missing = await t.as(u.access).post('/api/v1/auth/tokens').send({ name: 'no password' }).expect(422);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ['password']);
    const wrong = await t.as(u.access).post('/api/v1/auth/tokens').send({ name: 'wrong', password: 'Not-my-pass-2025' }).expect(403);
    assert.deepEqual(wrong.body.errors.map((e: { path: string }) => e.path), ['password']);
    assert.equal((await t.db.query(`SELECT count(*)::int AS n FROM api_tokens`)).rows[0].n, before, 'no token made');
    // a stolen session cannot keep guessing: the fifth wrong password ends it
    for (let i = 2; i <= 5; i += 1) await t.as(u.access).post('/api/v1/auth/tokens').send({ name: 'guess', password: `Guess-${i}-pass-2025` }).expect(403);
    await t.as(u.access).get('/api/v1/auth/me').expect(401);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: u.refresh }).expect(401);
    await t.as(u.token).get('/api/v1/auth/me').expect(200); // what the owner made stays
  });

  it('refuses a page’s cookie at /auth/refresh, and the page keeps working', async () => {
    const u = await user();
    const page = await pageLogin(u.email);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: page.cookie }).expect(401);
    await page.agent.get('/').expect(200);
    // and an API refresh token is no page cookie
    const res = await t.anonymous().get('/').set('cookie', `tm_session=${u.refresh}`);
    assert.equal(res.status, 303);
    assert.match(String(res.headers.location), /^\/login/);
  });

  it('ends the whole session family when a rotated refresh token is replayed, and audits it', async () => {
    const u = await user();
    const elsewhere = await t.anonymous().post('/api/v1/auth/login').send({ email: u.email, password: PASSWORD }).expect(200);
    const first = await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: u.refresh }).expect(200);
    const second = await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(200);
    await t.as(second.body.accessToken).get('/api/v1/auth/me').expect(200);
    const mark = await auditMark(t);

    // the thief replays the token the owner already rotated away from
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: u.refresh }).expect(401);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(401);
    for (const access of [u.access, first.body.accessToken, second.body.accessToken]) await t.as(access).get('/api/v1/auth/me').expect(401);

    const audit = await auditSince(t, mark);
    const reuse = audit.filter((r) => r.action === 'auth.refresh_reuse');
    assert.equal(reuse.length, 1, JSON.stringify(audit));
    assert.equal(reuse[0].actor, u.email);
    assert.equal(reuse[0].entity, 'session');
    // a second replay finds the family already ended: refused, not audited again
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
    assert.equal((await auditSince(t, mark)).filter((r) => r.action === 'auth.refresh_reuse').length, 1);

    // the user's other login and its API token are another family: untouched
    await t.as(elsewhere.body.accessToken).get('/api/v1/auth/me').expect(200);
    const retired = async (session: string | null) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM retired_refresh_tokens WHERE session_id = $1`, [session])).rows[0].n;
    assert.equal(await retired(reuse[0].entity_id), 2, 'the family\'s two rotations kept until the user next refreshes');
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: elsewhere.body.refreshToken }).expect(200);
    await t.as(u.token).get('/api/v1/auth/me').expect(200);
    // that refresh forgot the ended family's retired tokens, and kept its own
    assert.equal(await retired(reuse[0].entity_id), 0);
    assert.equal(await retired(claims(elsewhere.body.accessToken).sid), 1);
  });
});
