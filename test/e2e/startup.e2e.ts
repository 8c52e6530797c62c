import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { seedArticle, seedDemoFigures } from '../../seeds/seed.js';
import { createApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createDataSource } from '../../src/database/data-source.js';
import { databaseUrl, dropDatabase } from '../support/database.js';
import { ADMIN, flushPrefix, testEnv } from '../support/app.js';
import { spawnMain } from '../support/process.js';

const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('configuration, validated once at boot', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    assert.deepEqual(
      [config.databaseUrl, config.redisUrl, config.port, config.role, config.seed, config.evaluationCron, config.scheduleTz],
      ['postgres://postgres@127.0.0.1:5432/target_monitor', 'redis://127.0.0.1:6379/0', 3000, 'all', true, '0 6 * * *', 'Asia/Shanghai'],
    );
  });

  const bad: [string, Record<string, string>][] = [
    ['APP_ROLE', { APP_ROLE: 'boss' }],
    ['PORT', { PORT: 'eighty' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/x' }],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }],
    ['SEED', { SEED: 'maybe' }],
    ['EVALUATION_CRON', { EVALUATION_CRON: 'daily' }],
    ['SCHEDULE_TZ', { SCHEDULE_TZ: 'Mars/Olympus' }],
    ['APP_URL', { APP_URL: 'ftp://x' }],
  ];
  for (const [name, env] of bad) {
    it(`names a bad ${name}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1);
        assert.match(error.problems[0], new RegExp(`^${name}=`));
        return true;
      });
    });
  }
});

describe('start-up', () => {
  it('exits non-zero without a stack trace when the configuration is bad', async () => {
    const p = spawnMain({ APP_ROLE: 'boss', PORT: '-1' });
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /APP_ROLE="boss"/);
    assert.match(p.output(), /PORT="-1"/);
    assert.doesNotMatch(p.output(), STACK_LINE);
  });

  it('a production start without METRICS_TOKEN stops before serving an open /metrics, naming the variable', async () => {
    // unreachable PostgreSQL: a start that got past the configuration would say so instead
    const p = spawnMain({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/target_monitor' });
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /cannot start: .*\n.*METRICS_TOKEN: required in production.*METRICS_PUBLIC=true/);
    assert.doesNotMatch(p.output(), STACK_LINE);
  });

  it('says when PostgreSQL cannot be reached, where it looked and how to start it', async () => {
    const p = spawnMain({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/target_monitor' });
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /PostgreSQL is not reachable at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
    assert.match(p.output(), /docker-compose up -d postgres redis/);
    assert.doesNotMatch(p.output(), STACK_LINE);
  });

  it('says when Redis cannot be reached', async () => {
    const p = spawnMain({ DATABASE_URL: databaseUrl('postgres'), REDIS_URL: 'redis://127.0.0.1:1/0' });
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /Redis is not reachable at 127\.0\.0\.1:1 \(REDIS_URL\)/);
    assert.match(p.output(), /docker-compose up -d postgres redis/);
    assert.doesNotMatch(p.output(), STACK_LINE);
  });

  it('creates its database, migrates it and loads the article targets once', async () => {
    const name = `tm_test_fresh_${process.pid}`;
    await dropDatabase(name);
    const env = testEnv(databaseUrl(name), `tmtest:${name}`);
    delete (env as Record<string, string | undefined>).SEED; // the default: seed an empty database
    try {
      for (const round of [1, 2]) {
        const app = await createApp(loadConfig(env));
        try {
          const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send(ADMIN).expect(200);
          const res = await request(app.getHttpServer()).get('/api/v1/targets?pageSize=100')
            .set('authorization', `Bearer ${login.body.accessToken}`).expect(200);
          assert.equal(res.body.total, 9, `round ${round}`);
          const tech = res.body.items.find((x: { code: string }) => x.code === 'TECH-ENTERPRISES');
          assert.deepEqual([tech.baseline, tech.target, tech.department],
            [{ period: '2023', value: '2782' }, { period: '2027', value: '5564' }, 'SCI-TECH']);
          const nev = res.body.items.find((x: { code: string }) => x.code === 'NEV-OUTPUT');
          assert.deepEqual([nev.kind, nev.baseline, nev.source.quote],
            ['flow', null, '力争到2025年，全区智能网联新能源汽车年产值将达2000亿元']);
        } finally {
          await app.close();
        }
      }
    } finally {
      await flushPrefix(`tmtest:${name}`);
      await dropDatabase(name);
    }
  });
});

describe('seeds and migrations', () => {
  it('seeds idempotently, and demo figures only on request, labelled 示例数据', async () => {
    const name = `tm_test_seed_${process.pid}`;
    await dropDatabase(name);
    const app = await createApp(loadConfig(testEnv(databaseUrl(name), `tmtest:${name}`)));
    await app.close();
    const dataSource = createDataSource(databaseUrl(name));
    await dataSource.initialize();
    try {
      assert.deepEqual(await seedArticle(dataSource), { departments: 6, targets: 9, figures: 0 });
      assert.deepEqual(await seedArticle(dataSource), { departments: 0, targets: 0, figures: 0 });
      const [{ n: before }] = await dataSource.query(`SELECT count(*)::int AS n FROM figures`);
      assert.equal(before, 0);
      const demo = await seedDemoFigures(dataSource);
      assert.ok(demo > 10);
      assert.equal(await seedDemoFigures(dataSource), 0);
      const notes = await dataSource.query(`SELECT DISTINCT note FROM figure_revisions`);
      assert.deepEqual(notes.map((r: { note: string }) => r.note.startsWith('示例数据')), [true]);
    } finally {
      await dataSource.destroy();
      await flushPrefix(`tmtest:${name}`);
      await dropDatabase(name);
    }
  });

  it('reverts and re-applies every migration', async () => {
    const name = `tm_test_migrations_${process.pid}`;
    await dropDatabase(name);
    const admin = createDataSource(databaseUrl('postgres'));
    await admin.initialize();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const dataSource = createDataSource(databaseUrl(name));
    await dataSource.initialize();
    const tables = async () => (await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`))[0].n;
    try {
      const applied = await dataSource.runMigrations();
      assert.ok(applied.length >= 1);
      assert.equal(await tables(), 31);
      for (let i = 0; i < applied.length; i += 1) await dataSource.undoLastMigration();
      assert.equal(await tables(), 0);
      const [{ n: domains }] = await dataSource.query(`SELECT count(*)::int AS n FROM pg_type WHERE typname LIKE 'tm_%'`);
      assert.equal(domains, 0);
      assert.equal((await dataSource.runMigrations()).length, applied.length);
      assert.equal(await tables(), 31);
    } finally {
      await dataSource.destroy();
      await dropDatabase(name);
    }
  });
});
