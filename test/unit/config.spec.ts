import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, fastifyTrustProxy, hashTag, loadConfig } from '../../src/config/config.js';

describe('REDIS_CLUSTER_NODES: configuration', () => {
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.join('\n');
    }
    return assert.fail('no configuration error');
  };

  it('takes host:port pairs, IPv6 in brackets', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-2.internal:7001,[::1]:7002', QUEUE_PREFIX: 'tm{a}' });
    assert.deepEqual(config.redisClusterNodes, [
      { host: '10.0.0.1', port: 7000 }, { host: 'redis-2.internal', port: 7001 }, { host: '::1', port: 7002 },
    ]);
    assert.equal(loadConfig({}).redisClusterNodes, undefined);
  });

  it('names a bad node list', () => {
    for (const nodes of ['10.0.0.1', '10.0.0.1:0', '10.0.0.1:70000', 'redis://10.0.0.1:7000', ',', 'a:1;b:2']) {
      assert.match(problem({ REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: '{tm}' }), /^REDIS_CLUSTER_NODES=/, nodes);
    }
  });

  it('needs a hash tag in QUEUE_PREFIX on a cluster, and only there', () => {
    for (const prefix of ['tm', 'tm{}', 'tm}x{', 'tm{x']) {
      assert.match(problem({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: prefix }), /^QUEUE_PREFIX=.*hash tag/, prefix);
    }
    assert.equal(loadConfig({ QUEUE_PREFIX: 'tm' }).queuePrefix, 'tm');
    assert.equal(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: 'x:{tm}' }).queuePrefix, 'x:{tm}');
  });
});

describe('hashTag: what Redis Cluster hashes of a key starting with the prefix', () => {
  it('is the text between the first { and the first } after it, when not empty', () => {
    assert.equal(hashTag('{tm}'), 'tm');
    assert.equal(hashTag('a:{tm}:b{c}'), 'tm');
    assert.equal(hashTag('}{tm}'), 'tm');
    assert.equal(hashTag('{}tm'), null);
    assert.equal(hashTag('tm'), null);
    assert.equal(hashTag('{tm'), null);
  });
});

describe('METRICS_TOKEN / METRICS_PUBLIC in production', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40) };
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.join('\n');
    }
    return null;
  };

  it('refuses a production start without METRICS_TOKEN, naming both ways out', () => {
    for (const env of [production, { ...production, APP_ROLE: 'api' }, { ...production, METRICS_TOKEN: '' }, { ...production, METRICS_PUBLIC: 'false' }]) {
      const message = refusal(env);
      assert.ok(message, JSON.stringify(env));
      assert.match(message, /^METRICS_TOKEN: required in production/);
      assert.match(message, /METRICS_PUBLIC=true/);
    }
  });

  it('starts with a token, with an explicit METRICS_PUBLIC=true, as a worker (no /metrics), and outside production', () => {
    assert.equal(loadConfig({ ...production, METRICS_TOKEN: 'm'.repeat(16) }).metricsToken, 'm'.repeat(16));
    assert.equal(loadConfig({ ...production, METRICS_PUBLIC: 'true' }).metricsToken, undefined);
    assert.equal(loadConfig({ ...production, APP_ROLE: 'worker' }).role, 'worker');
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(refusal({ ...production, METRICS_PUBLIC: 'maybe' })?.startsWith('METRICS_PUBLIC="maybe"'), true);
  });
});

describe('TRUST_PROXY: which proxies are believed about the client address', () => {
  const problem = (value: string) => {
    try {
      loadConfig({ TRUST_PROXY: value });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.join('\n');
    }
    return assert.fail(`TRUST_PROXY=${value} accepted`);
  };

  it('takes false, a hop count, or proxy addresses and CIDR ranges', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    for (const off of ['false', '0', 'no']) assert.equal(loadConfig({ TRUST_PROXY: off }).trustProxy, false, off);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.0.1.0/24,::1,fd00::/8,loopback' }).trustProxy,
      ['10.0.0.5', '10.0.1.0/24', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses true (every hop believed) and says what to give instead', () => {
    for (const all of ['true', 'yes', 'TRUE']) assert.match(problem(all), /^TRUST_PROXY=.*every hop.*number of proxies/, all);
  });

  it('names a bad value', () => {
    for (const bad of ['11', '-1', '1.5', '10.0.0.300', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1', ',']) {
      assert.match(problem(bad), /^TRUST_PROXY=.*a number of proxy hops/, bad);
    }
  });

  it('a hop count trusts that many addresses nearest the app, and no more', () => {
    const trust = fastifyTrustProxy(1);
    assert.equal(typeof trust, 'function');
    const believed = trust as (address: string, hop: number) => boolean;
    assert.deepEqual([0, 1, 2].map((hop) => believed('203.0.113.7', hop)), [true, false, false]);
    assert.equal(fastifyTrustProxy(false), false);
    assert.deepEqual(fastifyTrustProxy(['10.0.0.5']), ['10.0.0.5']);
  });
});
