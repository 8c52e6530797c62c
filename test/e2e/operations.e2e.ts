import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { NOTIFICATIONS_QUEUE } from '../../src/jobs/jobs.constants.js';
import { createLogger } from '../../src/observability/logging.js';
import { ADMIN, eventually, startApp, testEnv, type TestApp } from '../support/app.js';
import { createDepartment, createTarget, FLOW_TARGET } from '../support/factories.js';
import { type WebAgent, webLogin } from '../support/web.js';

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';
const PLANNER = { email: 'planner@example.org', password: 'Planning-office-2025' };

/** `name{labels} value` lines of an exposition, by their full series text. */
function series(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

const value = (m: Map<string, number>, key: string): number => {
  const v = m.get(key);
  assert.ok(v !== undefined, `no series ${key}`);
  return v;
};

/** Lines written to a stream, for the log tests. */
class Lines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('METRICS_TOKEN', () => {
  it('is optional, at least 16 characters, and never echoed when refused', () => {
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: METRICS_TOKEN }).metricsToken, METRICS_TOKEN);
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short-secret' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.problems[0], /^METRICS_TOKEN=\(hidden\): must be at least 16 characters/);
      assert.doesNotMatch(error.message, /short-secret/);
      return true;
    });
  });
});

describe('operations: metrics, queue board, request ids and logs', () => {
  let t: TestApp;
  let scrape: () => Promise<Map<string, number>>;
  let plannerToken: string;
  let admin: WebAgent;
  let planner: WebAgent;

  before(async () => {
    t = await startApp('operations', { METRICS_TOKEN });
    scrape = async () => {
      const res = await t.anonymous().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
      return series(res.text);
    };
    await createDepartment(t);
    await createTarget(t);
    await createTarget(t, FLOW_TARGET);
    await t.http().put('/api/v1/targets/DT-ENTERPRISES/figures/2024Q4').send({ value: 260 }).expect(200);
    await t.http().post('/api/v1/figures/batch').send({ figures: [
      { target: 'NEV-OUTPUT', period: '2025Q1', value: 380 }, { target: 'NEV-OUTPUT', period: '2025Q2', value: 1100 },
    ] }).expect(200);
    const started = await t.http().post('/api/v1/evaluations/runs').send({}).expect(202);
    await eventually(async () => {
      const res = await t.http().get(`/api/v1/evaluations/runs/${started.body.id}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    }, 20_000, 'the run');
    await t.http().post('/api/v1/users').send({ ...PLANNER, role: 'planner' }).expect(201);
    plannerToken = await t.login(PLANNER.email, PLANNER.password);
    const server = t.app.getHttpServer();
    [admin, planner] = await Promise.all([webLogin(server, ADMIN.email, ADMIN.password), webLogin(server, PLANNER.email, PLANNER.password)]);
  });
  after(() => t.close());

  describe('GET /metrics', () => {
    it('needs METRICS_TOKEN when it is set', async () => {
      const none = await t.anonymous().get('/metrics').expect(401);
      assert.match(none.headers['content-type'], /application\/problem\+json/);
      assert.match(none.headers['www-authenticate'], /^Bearer/);
      await t.anonymous().get('/metrics').set('authorization', 'Bearer wrong-token-0123456789abcdef').expect(401);
      // a user's token is not the metrics token
      await t.http().get('/metrics').expect(401);
      assert.equal((await scrape()).get('tm_dependency_up{dependency="postgres"}'), 1);
    });

    it('is outside /api/v1 and not in the OpenAPI document; nor are the queues', async () => {
      await t.http().get('/api/v1/metrics').expect(404);
      const doc = await t.anonymous().get('/api/docs-json').expect(200);
      const paths = Object.keys(doc.body.paths);
      assert.ok(paths.length > 20);
      assert.deepEqual(paths.filter((p) => /metrics|queues/.test(p)), []);
    });

    it('times HTTP requests by route pattern, not by raw URL', async () => {
      const before = (await scrape()).get('tm_http_request_duration_seconds_count{method="GET",route="/api/v1/targets/:code",status_code="200"}') ?? 0;
      for (const code of ['DT-ENTERPRISES', 'NEV-OUTPUT', 'DT-ENTERPRISES']) await t.http().get(`/api/v1/targets/${code}`).expect(200);
      await t.http().get('/api/v1/targets/NO-SUCH-TARGET').expect(404);
      await t.http().get('/no/such/page/4711').expect(404);
      const res = await t.anonymous().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      const m = series(res.text);
      assert.equal(value(m, 'tm_http_request_duration_seconds_count{method="GET",route="/api/v1/targets/:code",status_code="200"}'), before + 3);
      assert.equal(value(m, 'tm_http_request_duration_seconds_count{method="GET",route="/api/v1/targets/:code",status_code="404"}'), 1);
      assert.ok(value(m, 'tm_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/targets/:code",status_code="200"}') >= 3);
      assert.ok(value(m, 'tm_http_request_duration_seconds_sum{method="GET",route="/api/v1/targets/:code",status_code="200"}') > 0);
      assert.ok(value(m, 'tm_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}') >= 1);
      // In no series' name or labels (a value may hold any digits: 0.0083447110…).
      assert.doesNotMatch([...m.keys()].join('\n'), /DT-ENTERPRISES|NO-SUCH-TARGET|4711/);
    });

    it('counts targets per status as the latest evaluations say, and the run that made them', async () => {
      const m = await scrape();
      // The worked example is lagging, NEV-OUTPUT (YTD 1100 of 2000 at Q2) ahead; a new target is unevaluated.
      assert.equal(value(m, 'tm_targets{status="lagging"}'), 1);
      assert.equal(value(m, 'tm_targets{status="ahead"}'), 1);
      assert.equal(value(m, 'tm_targets{status="unevaluated"}'), 0);
      assert.equal(value(m, 'tm_targets{status="on_track"}'), 0);
      await createTarget(t, { code: 'NO-FIGURES', name: '尚无数据的指标', baseline: null });
      const after = await scrape();
      assert.equal(value(after, 'tm_targets{status="unevaluated"}'), 1);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM targets WHERE archived_at IS NULL`);
      const total = [...after].filter(([k]) => k.startsWith('tm_targets{')).reduce((sum, [, v]) => sum + v, 0);
      assert.equal(total, rows[0].n);

      assert.equal(value(after, 'tm_evaluation_runs{state="completed"}'), 1);
      assert.equal(value(after, 'tm_evaluation_runs{state="failed"}'), 0);
      assert.equal(value(after, 'tm_evaluation_run_duration_seconds_count'), 1);
      assert.equal(value(after, 'tm_evaluation_run_duration_seconds_bucket{le="+Inf"}'), 1);
      assert.equal(value(after, 'tm_evaluation_run_duration_seconds_bucket{le="3600"}'), 1);
      const [{ seconds, finished }] = (await t.db.query(
        `SELECT extract(epoch FROM finished_at - started_at)::float8 AS seconds, extract(epoch FROM finished_at)::float8 AS finished
           FROM evaluation_runs WHERE state = 'completed'`)).rows;
      assert.ok(Math.abs(value(after, 'tm_evaluation_run_duration_seconds_sum') - seconds) < 1e-6);
      assert.ok(Math.abs(value(after, 'tm_evaluation_run_last_finished_timestamp_seconds{state="completed"}') - finished) < 1e-3);
      assert.ok(Math.abs(finished - Date.now() / 1000) < 120);
      assert.equal(after.get('tm_evaluation_run_last_finished_timestamp_seconds{state="failed"}'), undefined);
    });

    it('reports queue depths per queue and state', async () => {
      const queue = t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
      const base = value(await scrape(), 'tm_queue_jobs{queue="notifications",state="delayed"}');
      const job = await queue.add('test-delayed', {}, { delay: 600_000 });
      try {
        const m = await scrape();
        assert.equal(value(m, 'tm_queue_jobs{queue="notifications",state="delayed"}'), base + 1);
        for (const q of ['evaluation', 'notifications']) {
          for (const state of ['waiting', 'active', 'delayed', 'failed']) assert.ok(value(m, `tm_queue_jobs{queue="${q}",state="${state}"}`) >= 0);
        }
        assert.equal(value(m, 'tm_dependency_up{dependency="redis"}'), 1);
      } finally {
        await job.remove();
      }
    });

    it('counts emails by delivery status from the outbox, and the age of the oldest unsent', async () => {
      await t.db.query(
        `INSERT INTO outbox (dedupe_key, recipient, reason, subject, html, text, status, created_at)
         VALUES ('ops:sent', 'a@example.org', 'reminder', 's', 'h', 't', 'sent', now()),
                ('ops:failed', 'b@example.org', 'reminder', 's', 'h', 't', 'failed', now()),
                ('ops:pending', 'c@example.org', 'reminder', 's', 'h', 't', 'pending', now() - interval '2 hours')`,
      );
      const m = await scrape();
      const { rows } = await t.db.query(`SELECT status, count(*)::int AS n FROM outbox GROUP BY status`);
      for (const status of ['pending', 'sending', 'sent', 'failed']) {
        assert.equal(value(m, `tm_outbox_emails{status="${status}"}`), rows.find((r) => r.status === status)?.n ?? 0, status);
      }
      assert.ok(value(m, 'tm_outbox_emails{status="failed"}') >= 1);
      const age = value(m, 'tm_outbox_oldest_unsent_age_seconds');
      assert.ok(age >= 7200 && age < 7300, String(age));
    });

    it("includes prom-client's process metrics", async () => {
      const m = await scrape();
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
        assert.ok(value(m, name) >= 0, name);
      }
    });
  });

  describe('bull-board at /admin/queues', () => {
    it("serves an admin's page session: the board, its assets and its API", async () => {
      const page = await admin.get('/admin/queues').set('accept', 'text/html').expect(200);
      assert.match(page.headers['content-type'], /text\/html/);
      assert.match(page.text, /<base href="\/admin\/queues\/"/);
      const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1] ?? assert.fail('no script on the board');
      const asset = await admin.get(`/admin/queues/${script}`).expect(200);
      assert.match(asset.headers['content-type'], /javascript/);
      // Helmet's CSP stays: the board's scripts come from its own static path.
      assert.match(page.headers['content-security-policy'], /script-src 'self'/);
      const api = await admin.get('/admin/queues/api/queues').expect(200);
      assert.deepEqual(api.body.queues.map((q: { name: string }) => q.name).sort(), ['evaluation', 'notifications']);
    });

    it('takes an admin bearer token too', async () => {
      const api = await t.http().get('/admin/queues/api/queues').expect(200);
      assert.equal(api.body.queues.length, 2);
    });

    it('refuses planners (403), sends anonymous browsers to the login (303) and others 401', async () => {
      const page = await planner.get('/admin/queues').set('accept', 'text/html').expect(403);
      assert.match(page.text, /无权限/);
      await planner.get('/admin/queues/api/queues').expect(403);
      await t.as(plannerToken).get('/admin/queues/api/queues').expect(403);
      const browser = await t.anonymous().get('/admin/queues').set('accept', 'text/html,application/xhtml+xml').expect(303);
      assert.equal(browser.headers.location, '/login?next=%2Fadmin%2Fqueues');
      await t.anonymous().get('/admin/queues/api/queues').expect(401);
      await t.anonymous().get('/admin/queues').set('authorization', 'Bearer not-a-token').set('accept', 'text/html').expect(401);
      // the login page takes the admin back to the board
      const login = await t.anonymous().get('/login?next=%2Fadmin%2Fqueues').expect(200);
      assert.match(login.text, /value="\/admin\/queues"/);
    });

    it('refuses a cross-site change made with the session cookie, takes a same-site one', async () => {
      const queue = t.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
      const res = await admin.put('/admin/queues/api/queues/notifications/pause').set('origin', 'https://evil.example').send({});
      assert.equal(res.status, 403);
      assert.equal(await queue.isPaused(), false);
      try {
        // the Origin is the Host asked for, or APP_URL's (behind a proxy that rewrites Host)
        for (const [host, origin] of [['board.example:8080', 'http://board.example:8080'], ['app:3000', t.config.appUrl]]) {
          const own = await admin.put('/admin/queues/api/queues/notifications/pause').set('host', host).set('origin', origin).send({});
          assert.ok(own.status < 300, `pause from ${origin} answered ${own.status}`);
          assert.equal(await queue.isPaused(), true);
          await queue.resume();
        }
      } finally {
        await queue.resume();
      }
    });
  });

  describe('request ids', () => {
    it('echoes x-request-id, and makes one when absent or unusable', async () => {
      const given = await t.anonymous().get('/api/v1/health').set('x-request-id', 'trace-4711.a').expect(200);
      assert.equal(given.headers['x-request-id'], 'trace-4711.a');
      const made = await t.anonymous().get('/api/v1/health').expect(200);
      assert.match(made.headers['x-request-id'], /^[0-9a-f-]{36}$/);
      const other = await t.anonymous().get('/api/v1/health').expect(200);
      assert.notEqual(other.headers['x-request-id'], made.headers['x-request-id']);
      const odd = await t.anonymous().get('/api/v1/health').set('x-request-id', 'bad id <script>').expect(200);
      assert.match(odd.headers['x-request-id'], /^[0-9a-f-]{36}$/);
      const missing = await t.anonymous().get('/nowhere').set('x-request-id', 'trace-404').expect(404);
      assert.equal(missing.headers['x-request-id'], 'trace-404');
    });
  });

  describe('JSON logs', () => {
    let app: NestFastifyApplication;
    const out = new Lines();
    const entries = () => out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

    before(async () => {
      // A second, API-only process on the same database with LOG_LEVEL=log, logging into `out`; no METRICS_TOKEN.
      const config = loadConfig(testEnv(t.config.databaseUrl, t.config.queuePrefix, { APP_ROLE: 'api', LOG_LEVEL: 'log' }));
      app = await createApp(config, { logDestination: out });
    });
    after(() => app.close());

    it('writes every line as JSON: level, time, msg; Nest lines with their context', () => {
      Logger.log('operations test line', 'OpsTest');
      const all = entries();
      assert.ok(all.length > 10);
      for (const e of all) {
        assert.equal(typeof e.level, 'string');
        assert.ok(!Number.isNaN(Date.parse(String(e.time))), String(e.time));
        assert.ok('msg' in e);
      }
      const mine = all.find((e) => e.msg === 'operations test line');
      assert.deepEqual([mine?.level, mine?.context], ['info', 'OpsTest']);
      assert.ok(all.some((e) => e.context === 'NestApplication' || e.context === 'RoutesResolver'));
    });

    it('logs one line per request with reqId, method, url, route, status and responseTime; no secrets', async () => {
      const server = app.getHttpServer();
      const metrics = await request(server).get('/metrics').set('x-request-id', 'ops-log-1').expect(200); // open: no METRICS_TOKEN here
      assert.match(metrics.text, /tm_targets\{status="lagging"\} 1/);
      const login = await request(server).post('/api/v1/auth/login').set('x-request-id', 'ops-log-2')
        .send({ email: ADMIN.email, password: ADMIN.password }).expect(200);
      await request(server).get('/api/v1/auth/me').set('x-request-id', 'ops-log-3')
        .set('authorization', `Bearer ${login.body.accessToken}`).set('cookie', 'tm_session=cookie-secret-value').expect(200);
      const lines = await eventually(async () => {
        const found = entries().filter((e) => String(e.reqId).startsWith('ops-log-'));
        return found.length >= 3 ? found : undefined;
      }, 5000, 'request log lines');
      const byId = (id: string) => lines.filter((e) => e.reqId === id);
      assert.equal(byId('ops-log-1').length, 1);
      const [me] = byId('ops-log-3');
      assert.deepEqual([me.level, me.msg, me.method, me.url, me.route, me.status],
        ['info', 'request completed', 'GET', '/api/v1/auth/me', '/api/v1/auth/me', 200]);
      assert.equal(typeof me.responseTime, 'number');
      const text = out.lines.join('\n');
      for (const secret of [ADMIN.password, login.body.accessToken, login.body.refreshToken, 'cookie-secret-value']) {
        assert.ok(!text.includes(secret), 'a secret reached the log');
      }
    });

    it('redacts credentials in logged objects', () => {
      const lines = new Lines();
      const logger = createLogger({ logLevel: 'log' }, lines);
      logger.info({ req: { headers: { authorization: 'Bearer abc', cookie: 'tm_session=x' } }, body: { password: 'hunter2' } }, 'x');
      const [e] = lines.lines.map((l) => JSON.parse(l));
      assert.deepEqual([e.req.headers.authorization, e.req.headers.cookie, e.body.password], ['[redacted]', '[redacted]', '[redacted]']);
      const silent = new Lines();
      createLogger({ logLevel: 'silent' }, silent).error('nothing');
      assert.deepEqual(silent.lines, []);
    });
  });
});
