import { timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { problem, sendProblem } from '../common/problem.filter.js';
import { sha256 } from '../auth/tokens.js';
import { queueConnected } from '../jobs/redis.js';
import type { MetricsStore, RunDurations } from './metrics.store.js';

export const METRICS_PATH = '/metrics';

/** Every status an evaluation can have, and `unevaluated` for an active target never evaluated. */
const TARGET_STATUSES = ['achieved', 'ahead', 'on_track', 'at_risk', 'lagging', 'deteriorating', 'missed', 'no_data', 'unevaluated'];
const RUN_STATES = ['queued', 'running', 'completed', 'failed'];
const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'];
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** A dependency that does not answer within this long counts as down for this scrape. */
const SCRAPE_TIMEOUT_MS = 3000;

const within = <T>(promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${SCRAPE_TIMEOUT_MS} ms`)), SCRAPE_TIMEOUT_MS).unref()),
  ]);

/** Prometheus metrics: latency per process; the rest read at scrape time, so every process agrees. */
export class Metrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status_code'>;
  private readonly targets: Gauge<'status'>;
  private readonly overdue: Gauge;
  private readonly runs: Gauge<'state'>;
  private readonly lastRun: Gauge<'state'>;
  private readonly queueJobs: Gauge<'queue' | 'state'>;
  private readonly outbox: Gauge<'status'>;
  private readonly outboxOldest: Gauge;
  private readonly up: Gauge<'dependency'>;
  private runDurations: RunDurations | null = null;
  private readonly logger = new Logger('Metrics');

  constructor(private readonly store: MetricsStore, private readonly queues: Queue[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({
      name: 'tm_http_request_duration_seconds', help: 'HTTP requests served by this process, by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'], buckets: HTTP_BUCKETS, registers,
    });
    this.targets = new Gauge({ name: 'tm_targets', help: 'Active targets by the status of their latest evaluation', labelNames: ['status'], registers });
    this.overdue = new Gauge({ name: 'tm_targets_overdue', help: 'Active targets whose latest evaluation finds a figure overdue (数据逾期)', registers });
    this.runs = new Gauge({ name: 'tm_evaluation_runs', help: 'Evaluation runs recorded, by state', labelNames: ['state'], registers });
    this.lastRun = new Gauge({
      name: 'tm_evaluation_run_last_finished_timestamp_seconds', help: 'When the last run that completed (or failed) finished, Unix time',
      labelNames: ['state'], registers,
    });
    this.registry.registerMetric({
      name: 'tm_evaluation_run_duration_seconds',
      get: async () => this.runDurationMetric(),
    } as never);
    this.queueJobs = new Gauge({ name: 'tm_queue_jobs', help: 'Bull jobs by queue and state', labelNames: ['queue', 'state'], registers });
    this.outbox = new Gauge({ name: 'tm_outbox_emails', help: 'Emails in the outbox by delivery status', labelNames: ['status'], registers });
    this.outboxOldest = new Gauge({
      name: 'tm_outbox_oldest_unsent_age_seconds', help: 'Age of the oldest email still pending or being sent (0 when none)', registers,
    });
    this.up = new Gauge({ name: 'tm_dependency_up', help: '1 when the dependency answered this scrape, else 0', labelNames: ['dependency'], registers });
  }

  /** Observes one HTTP request; `route` is the matched pattern, or `unmatched` (no raw URLs: bounded labels). */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.http.observe({ method, route: route ?? 'unmatched', status_code: String(status) }, seconds);
  }

  /** The exposition text, after reading the current totals from PostgreSQL and Redis. */
  async render(): Promise<string> {
    await Promise.all([this.readDatabase(), this.readQueues()]);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async readDatabase(): Promise<void> {
    try {
      const { targets, runs, durations, outbox } = await within(this.store.totals(RUN_BUCKETS), 'PostgreSQL');
      for (const status of TARGET_STATUSES) this.targets.set({ status }, targets.find((r) => r.status === status)?.n ?? 0);
      this.overdue.set(targets.reduce((sum, r) => sum + r.overdue, 0));
      this.lastRun.reset();
      for (const state of RUN_STATES) {
        this.runs.set({ state }, runs.find((r) => r.state === state)?.n ?? 0);
        const last = runs.find((r) => r.state === state)?.last;
        if ((state === 'completed' || state === 'failed') && last != null) this.lastRun.set({ state }, last);
      }
      this.runDurations = durations[0];
      for (const status of OUTBOX_STATUSES) this.outbox.set({ status }, outbox.find((r) => r.status === status)?.n ?? 0);
      this.outboxOldest.set(Math.max(0, ...outbox.map((r) => r.oldest ?? 0)));
      this.up.set({ dependency: 'postgres' }, 1);
    } catch (error) {
      this.logger.warn(`metrics: PostgreSQL not read: ${(error as Error).message}`);
      // No stale values: the series disappear and tm_dependency_up says why.
      for (const gauge of [this.targets, this.overdue, this.runs, this.lastRun, this.outbox, this.outboxOldest]) gauge.reset();
      this.runDurations = null;
      this.up.set({ dependency: 'postgres' }, 0);
    }
  }

  private async readQueues(): Promise<void> {
    try {
      // A client that is not connected would queue the commands until it is: down at once.
      if (!this.queues.every(queueConnected)) throw new Error('not connected');
      const counts = await within(Promise.all(this.queues.map(async (q) => [q.name, await q.getJobCounts()] as const)), 'Redis');
      for (const [queue, c] of counts) {
        for (const state of QUEUE_STATES) this.queueJobs.set({ queue, state }, c[state] ?? 0);
      }
      this.up.set({ dependency: 'redis' }, 1);
    } catch (error) {
      this.logger.warn(`metrics: Redis not read: ${(error as Error).message}`);
      this.queueJobs.reset();
      this.up.set({ dependency: 'redis' }, 0);
    }
  }

  private runDurationMetric() {
    const d = this.runDurations;
    const values = d
      ? [
        ...RUN_BUCKETS.map((le, i) => ({ metricName: 'tm_evaluation_run_duration_seconds_bucket', labels: { le }, value: d.buckets[i] })),
        { metricName: 'tm_evaluation_run_duration_seconds_bucket', labels: { le: '+Inf' }, value: d.count },
        { metricName: 'tm_evaluation_run_duration_seconds_sum', labels: {}, value: d.sum },
        { metricName: 'tm_evaluation_run_duration_seconds_count', labels: {}, value: d.count },
      ]
      : [];
    return {
      name: 'tm_evaluation_run_duration_seconds',
      help: 'Duration of completed evaluation runs, start to finish (all runs in the database)',
      type: 'histogram',
      values,
      aggregator: 'max',
    };
  }
}

/** GET /metrics (outside /api/v1) and the latency hook; with METRICS_TOKEN set, only that bearer may scrape. */
export function registerMetrics(fastify: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions?.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  const expected = token ? sha256(token) : null;
  fastify.get(METRICS_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(Buffer.from(sha256(given)), Buffer.from(expected))) {
        void reply.header('www-authenticate', 'Bearer realm="metrics"');
        sendProblem(reply, problem(401, '需要 METRICS_TOKEN：Authorization: Bearer <token> (metrics token required)', [], METRICS_PATH));
        return reply;
      }
    }
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
