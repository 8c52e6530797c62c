import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventually, startApp, type TestApp, testEnv } from '../support/app.js';
import { createDepartment } from '../support/factories.js';
import { databaseUrl, dropDatabase } from '../support/database.js';
import { spawnMain } from '../support/process.js';

const VIEWER = { email: 'viewer@example.org', password: 'Viewer-pass-2025' };

/** An HS256 JWT signed with `secret`, for forging expired and tampered tokens. */
function jwt(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part(header)}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('authentication', () => {
  let t: TestApp;
  before(async () => {
    // Behind a proxy, so tests can speak from several addresses with X-Forwarded-For.
    t = await startApp('auth', { TRUST_PROXY: '1' }); // supertest's socket is the proxy, X-Forwarded-For the client
    await createDepartment(t);
    await t.http().post('/api/v1/users').send({ ...VIEWER, role: 'viewer', department: null }).expect(201);
  });
  after(() => t.close());

  it('logs in with email and password: a short-lived bearer token and a refresh token', async () => {
    const res = await t.anonymous().post('/api/v1/auth/login').send({ email: ' Viewer@Example.org ', password: VIEWER.password }).expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    assert.equal(res.body.expiresIn, 900);
    const c = claims(res.body.accessToken);
    assert.equal(c.exp - c.iat, 900);
    const me = await t.as(res.body.accessToken).get('/api/v1/auth/me').expect(200);
    assert.deepEqual([me.body.email, me.body.role, me.body.via], [VIEWER.email, 'viewer', 'session']);
  });

  it('needs credentials on every API route but login, refresh and health: 401 without', async () => {
    const docs = await t.anonymous().get('/api/docs-json').expect(200);
    const open = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/health'];
    let checked = 0;
    for (const [path, methods] of Object.entries<Record<string, unknown>>(docs.body.paths)) {
      for (const method of Object.keys(methods)) {
        const url = path.replace(/\{[^}]+\}/g, 'X');
        const res = await (t.anonymous() as unknown as Record<string, (u: string) => Promise<{ status: number; headers: Record<string, string> }>>)[method](url);
        if (open.includes(path)) {
          assert.notEqual(res.status, 401, `${method} ${path}`);
        } else {
          assert.equal(res.status, 401, `${method} ${path}`);
          assert.match(res.headers['www-authenticate'], /^Bearer/);
          checked += 1;
        }
      }
    }
    assert.ok(checked >= 20, `only ${checked} routes checked`);
  });

  it('answers an unknown user and a wrong password alike', async () => {
    const unknown = await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.1.0.1')
      .send({ email: 'nobody@example.org', password: 'whatever-1234' }).expect(401);
    const wrong = await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.1.0.2')
      .send({ email: VIEWER.email, password: 'whatever-1234' }).expect(401);
    assert.deepEqual({ ...unknown.body, instance: undefined }, { ...wrong.body, instance: undefined });
    assert.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('never locks an account: 5 failures from other addresses leave the right password working elsewhere', async () => {
    const email = 'locked@example.org';
    await t.http().post('/api/v1/users').send({ email, password: 'Locked-pass-2025', role: 'viewer' }).expect(201);
    for (let i = 0; i < 5; i += 1) {
      // from different addresses: anyone could do this to anyone (issue 15), so it slows, never locks
      await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', `10.2.0.${i}`).send({ email, password: 'nope-nope-1234' }).expect(401);
    }
    await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.2.1.1')
      .send({ email, password: 'Locked-pass-2025' }).expect(200);
  });

  it('locks an (address, account) pair for 15 minutes after 5 failures, even for the right password', async () => {
    const email = 'locked-pair@example.org';
    await t.http().post('/api/v1/users').send({ email, password: 'Locked-pass-2025', role: 'viewer' }).expect(201);
    for (let i = 0; i < 5; i += 1) {
      await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.2.2.1').send({ email, password: 'nope-nope-1234' }).expect(401);
    }
    const locked = await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.2.2.1')
      .send({ email, password: 'Locked-pass-2025' }).expect(429);
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    // … until the lock ends (moved into the past here rather than waited for).
    await t.db.query(`UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE key IN ($1, $2)`,
      ['ip:10.2.2.1', `pair:10.2.2.1 ${email}`]);
    await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.2.2.1').send({ email, password: 'Locked-pass-2025' }).expect(200);
  });

  it('locks an address after 5 failures, whatever the accounts tried', async () => {
    for (let i = 0; i < 5; i += 1) {
      await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.3.0.1')
        .send({ email: `guess${i}@example.org`, password: 'nope-nope-1234' }).expect(401);
    }
    await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.3.0.1').send(VIEWER).expect(429);
    const { rows } = await t.db.query(`SELECT actor, ip FROM audit_log WHERE action = 'auth.login_locked' AND ip = '10.3.0.1'`);
    assert.deepEqual(rows, [{ actor: VIEWER.email, ip: '10.3.0.1' }]);
    await t.anonymous().post('/api/v1/auth/login').set('x-forwarded-for', '10.3.0.2').send(VIEWER).expect(200);
  });

  it('refreshes by rotation: the old refresh token stops working', async () => {
    const login = await t.anonymous().post('/api/v1/auth/login').send(VIEWER).expect(200);
    const refreshed = await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
    assert.notEqual(refreshed.body.refreshToken, login.body.refreshToken);
    await t.as(refreshed.body.accessToken).get('/api/v1/auth/me').expect(200);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
  });

  it('logs out: the session’s access and refresh tokens end at once', async () => {
    const login = await t.anonymous().post('/api/v1/auth/login').send(VIEWER).expect(200);
    await t.as(login.body.accessToken).post('/api/v1/auth/logout').expect(204);
    await t.as(login.body.accessToken).get('/api/v1/targets').expect(401);
    await t.anonymous().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
  });

  it('refuses expired, tampered, unsigned and foreign tokens', async () => {
    const login = await t.anonymous().post('/api/v1/auth/login').send(VIEWER).expect(200);
    const c = claims(login.body.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const [header, , signature] = login.body.accessToken.split('.');
    const forged = [
      jwt({ ...c, iat: now - 1000, exp: now - 10 }, t.config.jwtSecret), // expired
      `${header}.${Buffer.from(JSON.stringify({ ...c, sub: '1' })).toString('base64url')}.${signature}`, // payload changed
      `${login.body.accessToken.slice(0, -2)}${login.body.accessToken.endsWith('AA') ? 'BB' : 'AA'}`, // signature changed
      jwt(c, '', { alg: 'none', typ: 'JWT' }).split('.').slice(0, 2).join('.') + '.', // alg none
      jwt(c, 'another-secret-another-secret-another-secret'), // signed elsewhere
      'tm_not-a-real-api-token',
    ];
    for (const token of forged) await t.as(token).get('/api/v1/targets').expect(401);
  });

  it('issues personal API tokens shown once, usable by scripts, revocable', async () => {
    const viewer = await t.login(VIEWER.email, VIEWER.password);
    const created = await t.as(viewer).post('/api/v1/auth/tokens').send({ name: '季度导入脚本', password: VIEWER.password }).expect(201);
    assert.match(created.body.token, /^tm_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body.prefix, created.body.token.slice(0, 10));
    const listed = await t.as(viewer).get('/api/v1/auth/tokens').expect(200);
    assert.equal(listed.body.total, 1);
    assert.equal('token' in listed.body.items[0], false);
    assert.equal(JSON.stringify(listed.body).includes(created.body.token), false);
    const { rows } = await t.db.query(`SELECT token_hash FROM api_tokens`);
    assert.equal(rows.some((r) => r.token_hash === created.body.token), false);

    const me = await t.as(created.body.token).get('/api/v1/auth/me').expect(200);
    assert.deepEqual([me.body.email, me.body.via], [VIEWER.email, 'api-token']);
    await t.as(created.body.token).post('/api/v1/auth/tokens').send({ name: 'from a token', password: VIEWER.password }).expect(403);
    await t.as(viewer).delete(`/api/v1/auth/tokens/${created.body.id}`).expect(204);
    await t.as(created.body.token).get('/api/v1/targets').expect(401);
    const after = await t.as(viewer).get('/api/v1/auth/tokens').expect(200);
    assert.ok(after.body.items[0].revokedAt);
  });

  it('drops checked credentials when another process revokes them (NOTIFY), not only when this one does', async () => {
    // Changes made straight in the database, as another API process or an operator would: no local
    // invalidation, only the triggers' NOTIFY can tell this process.
    const viewer = await t.login(VIEWER.email, VIEWER.password);
    const { body: { token, id } } = await t.as(viewer).post('/api/v1/auth/tokens').send({ name: 'elsewhere', password: VIEWER.password }).expect(201);
    await t.as(token).get('/api/v1/auth/me').expect(200); // now cached
    await t.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [id]);
    await eventually(async () => ((await t.as(token).get('/api/v1/auth/me')).status === 401 ? true : undefined), 2_000, 'the revoked token refused');

    const session = await t.login(VIEWER.email, VIEWER.password);
    assert.equal((await t.as(session).get('/api/v1/auth/me').expect(200)).body.role, 'viewer');
    await t.db.query(`UPDATE users SET role = 'planner' WHERE email = $1`, [VIEWER.email]);
    await eventually(async () => ((await t.as(session).get('/api/v1/auth/me')).body.role === 'planner' ? true : undefined), 2_000, 'the new role seen');
    await t.db.query(`UPDATE users SET role = 'viewer' WHERE email = $1`, [VIEWER.email]);
    await eventually(async () => ((await t.as(session).get('/api/v1/auth/me')).body.role === 'viewer' ? true : undefined), 2_000, 'the old role seen');
    await t.db.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE email = $1) AND revoked_at IS NULL`, [VIEWER.email]);
    await eventually(async () => ((await t.as(session).get('/api/v1/auth/me')).status === 401 ? true : undefined), 2_000, 'the revoked session refused');
  });

  it('sends security headers fit for a plain-HTTP intranet, and no CORS unless configured', async () => {
    const res = await t.http().get('/api/v1/targets').set('origin', 'https://evil.example').expect(200);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    assert.doesNotMatch(res.headers['content-security-policy'], /upgrade-insecure-requests/);
    assert.equal(res.headers['strict-transport-security'], undefined);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS when configured', () => {
  let t: TestApp;
  before(async () => (t = await startApp('cors', { CORS_ORIGINS: 'https://plan.example.org' })));
  after(() => t.close());

  it('allows the listed origin only', async () => {
    const ok = await t.http().get('/api/v1/health').set('origin', 'https://plan.example.org').expect(200);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://plan.example.org');
    const other = await t.http().get('/api/v1/health').set('origin', 'https://evil.example').expect(200);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});

describe('production start-up', () => {
  it('refuses to start without JWT_SECRET', async () => {
    const p = spawnMain({ NODE_ENV: 'production' });
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /JWT_SECRET: required in production/);
  });

  it('refuses a missing or weak first admin, naming the variable and never the password', async () => {
    const name = `tm_test_prod_${process.pid}`;
    await dropDatabase(name);
    try {
      const env: Record<string, string> = { ...testEnv(databaseUrl(name), `tmtest:${name}`), NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'm'.repeat(16) };
      const weak = spawnMain({ ...env, ADMIN_PASSWORD: 'short1' });
      assert.equal(await weak.exited, 1);
      assert.match(weak.output(), /ADMIN_PASSWORD: too weak/);
      assert.doesNotMatch(weak.output(), /short1/);
      const { ADMIN_EMAIL: _, ADMIN_PASSWORD: __, ...withoutAdmin } = env;
      const missing = spawnMain(withoutAdmin);
      assert.equal(await missing.exited, 1);
      assert.match(missing.output(), /ADMIN_EMAIL: required in production/);
    } finally {
      await dropDatabase(name);
    }
  });
});
