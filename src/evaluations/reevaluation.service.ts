import { InjectQueue } from '@nestjs/bull';
import {
  type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit,
} from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions, type Tx } from '../database/transactions.js';
import {
  EVALUATION_QUEUE, EvaluationJob, jobIds, jobOptions, REEVALUATION_BATCH, REEVALUATION_DEBOUNCE_MS, type TargetJobData,
} from '../jobs/jobs.constants.js';
import { queueConnected, redisWithin } from '../jobs/redis.js';
import { EvaluationRunsService } from './evaluation-runs.service.js';
import { EvaluationStore } from './evaluation.store.js';
import { ReevaluationStore } from './reevaluation.store.js';
import { Clock } from '../common/clock.js';

/** How long a figure write waits for Redis before leaving its re-evaluation to the drain. */
export const ENQUEUE_TIMEOUT_MS = 1000;
/** Requests queued per round trip when the table is drained or a large write's are queued. */
const DRAIN_BATCH = 1000;
/** A write's requests for up to this many targets are queued before its response; more in the background. */
export const REQUEST_INLINE_MAX = 1000;
/** Workers also drain this often, for requests whose queueing timed out or whose process stopped. */
export const REEVALUATION_SWEEP_MS = 60_000;

/** Re-evaluation requests are rows written in the figure's transaction, so they outlive Redis; the job deletes
 *  its row with the evaluation, so a duplicate does nothing. */
@Injectable()
export class ReevaluationService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReevaluationService.name);
  private draining: Promise<number> | null = null;
  private drainAgain = false;
  private closing = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    private readonly transactions: Transactions,
    private readonly requests: ReevaluationStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: EvaluationStore,
    private readonly runs: EvaluationRunsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // 'ready' follows every (re)connection: Redis back after an outage or a restart.
    this.queue.client.on('ready', () => void this.drainQuietly());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.drainQuietly();
    if (this.config.role !== 'api') this.sweep = setInterval(() => void this.drainQuietly(), REEVALUATION_SWEEP_MS).unref();
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    clearInterval(this.sweep);
  }

  /** In the transaction that writes the figures: these targets need a re-evaluation. */
  async record(tx: Tx, targetIds: readonly number[]): Promise<void> {
    if (!targetIds.length) return;
    await this.requests.record(tx, targetIds);
  }

  /** After the commit: queues the recorded requests; never throws (the drain queues what is left). */
  async request(targetIds: readonly number[]): Promise<void> {
    const ids = [...new Set(targetIds)];
    if (!ids.length) return;
    if (!queueConnected(this.queue)) {
      this.logger.warn(`Redis is ${this.queue.client.status}: ${ids.length} re-evaluation(s) wait in PostgreSQL until it is back`);
      return;
    }
    let queued = 0;
    try {
      if (ids.length <= DRAIN_BATCH) {
        await redisWithin(ENQUEUE_TIMEOUT_MS, this.activeJobIds().then((active) => this.enqueue(ids, active)));
        return;
      }
      const active = await redisWithin(ENQUEUE_TIMEOUT_MS, this.activeJobIds());
      for (; queued < ids.length && !this.closing; queued += DRAIN_BATCH) {
        // as the drain does: a round trip of 1 000 jobs may take more than a second on a busy machine
        await redisWithin(5 * ENQUEUE_TIMEOUT_MS, this.enqueue(ids.slice(queued, queued + DRAIN_BATCH), active));
      }
    } catch (error) {
      this.logger.warn(`${ids.length - queued} re-evaluation(s) not queued (${(error as Error).message}); they wait in PostgreSQL until Redis is back`);
    }
  }

  /** `request`, in the background above REQUEST_INLINE_MAX so a large batch does not wait on Redis. */
  requestSoon(targetIds: readonly number[]): Promise<void> {
    const queued = this.request(targetIds);
    return targetIds.length <= REQUEST_INLINE_MAX ? queued : Promise.resolve();
  }

  /** Queues every request still in the table; returns how many. One drain at a time per process. */
  drain(): Promise<number> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainAll().finally(() => {
      this.draining = null;
      if (this.drainAgain && !this.closing) {
        this.drainAgain = false;
        void this.drainQuietly();
      }
    });
    return this.draining;
  }

  /**
   * The job: evaluates its target and, in the same pass, up to REEVALUATION_BATCH other waiting requests
   * (a burst of writes is evaluated set-based, as a run's chunk is; their own jobs then find nothing to do),
   * and settles them in the transaction that writes the evaluations. Nothing claimed: evaluated already, or
   * another worker holds it.
   */
  async evaluate(targetId: number): Promise<void> {
    const claimed = await this.transactions.run(async (tx) => {
      const ids = await this.requests.claim(tx, targetId, REEVALUATION_BATCH, REEVALUATION_DEBOUNCE_MS);
      if (!ids.length) return ids;
      // Read on this transaction's connection: writers of these targets wait for its locks holding theirs.
      const evaluations = await this.store.evaluate({ targetIds: ids }, this.clock.now(), this.config.scheduleTz, false, 'window', tx);
      await this.store.save(tx, null, evaluations);
      await this.requests.settleClaimed(tx, ids);
      return ids;
    });
    if (claimed.length) await this.runs.afterTargetsEvaluation(claimed);
  }

  private async drainQuietly(): Promise<number> {
    if (this.closing) return 0;
    return this.drain().catch((error: Error) => {
      this.logger.warn(`re-evaluation requests not queued yet: ${error.message}`);
      return 0;
    });
  }

  private async drainAll(): Promise<number> {
    let queued = 0;
    for (let after = 0; !this.closing;) {
      const ids = await this.requests.waitingAfter(after, DRAIN_BATCH);
      if (!ids.length) break;
      // Ids of waiting, delayed or active jobs are taken: Bull adds nothing for them.
      await redisWithin(5 * ENQUEUE_TIMEOUT_MS, this.queue.addBulk(ids.map((id) => this.job(id, jobIds.target(id)))));
      queued += ids.length;
      after = ids[ids.length - 1];
    }
    if (queued) this.logger.log(`queued ${queued} re-evaluation request(s) kept in PostgreSQL`);
    return queued;
  }

  /** The ids of the jobs being processed now (a few: the workers' concurrency), in one round trip. */
  private async activeJobIds(): Promise<Set<string>> {
    return new Set(await this.queue.client.lrange(this.queue.toKey('active'), 0, -1));
  }

  private async enqueue(targetIds: number[], active: ReadonlySet<string> | 'all'): Promise<void> {
    // A waiting job will read the new figures (the debounce); an active one may have read them already.
    const fresh = (id: number) => active === 'all' || active.has(jobIds.target(id));
    await this.queue.addBulk(targetIds.map((id) => this.job(id, fresh(id) ? `${jobIds.target(id)}:${Date.now()}` : jobIds.target(id))));
  }

  private job(targetId: number, jobId: string) {
    return {
      name: EvaluationJob.target,
      data: { targetId } satisfies TargetJobData,
      opts: { ...jobOptions(this.config.jobBackoffMs), jobId, delay: REEVALUATION_DEBOUNCE_MS, removeOnComplete: true, removeOnFail: true },
    };
  }
}
