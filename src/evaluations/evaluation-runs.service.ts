import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { AuditService } from '../audit/audit.service.js';
import { type Actor, SYSTEM_ACTOR } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { offsetOf, type Page, type PageQuery } from '../common/paging.js';
import { isoOrNull } from '../common/values.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import {
  type ChunkJobData, EVALUATION_QUEUE, EvaluationJob, jobIds, jobOptions, NOTIFICATIONS_QUEUE, NotificationJob,
  QUEUE_ADD_TIMEOUT_MS, type ReconcileJobData, type RunJobData,
} from '../jobs/jobs.constants.js';
import { queueClient, queueConnected, redisWithin } from '../jobs/redis.js';
import type { EvaluationRun, RunTrigger } from './evaluation-run.entity.js';
import { EvaluationRunsStore } from './evaluation-runs.store.js';
import { EvaluationStore } from './evaluation.store.js';
import { Clock } from '../common/clock.js';
import { reportingQuarter } from '../evaluation/periods.js';
import { ExplanationsStore } from '../explanations/explanations.store.js';

export interface RunJson {
  id: string;
  trigger: RunTrigger;
  state: EvaluationRun['state'];
  asOf: string;
  targets: number | null;
  chunks: { total: number | null; done: number };
  counts: Record<string, number>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A run taken into the queue: its id names it at /evaluations/runs/{id}. */
export interface RunAcceptedJson { id: string }

export const runJson = (r: EvaluationRun): RunJson => ({
  id: r.id,
  trigger: r.trigger,
  state: r.state,
  asOf: r.asOf.toISOString(),
  targets: r.targetsTotal,
  chunks: { total: r.chunksTotal, done: r.chunksDone },
  counts: r.counts,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  startedAt: isoOrNull(r.startedAt),
  finishedAt: isoOrNull(r.finishedAt),
});

/** An evaluation run: queued, fanned out into chunk jobs by id range, failed visibly when a chunk gives up. */
@Injectable()
export class EvaluationRunsService {
  private readonly logger = new Logger(EvaluationRunsService.name);

  constructor(
    private readonly runs: EvaluationRunsStore,
    private readonly transactions: Transactions,
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: EvaluationStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly explanations: ExplanationsStore,
  ) {}

  /** A queued run as of `asOf` (default: now). 503 at once while Redis is disconnected; a run whose job Redis
   *  does not take in time is marked `failed`, not deleted (the audit trail is append-only). */
  async start(actor: Actor | null, trigger: RunTrigger, asOf = this.clock.now()): Promise<RunAcceptedJson> {
    if (actor) assertCan(actor, 'runs.start');
    if (!queueConnected(this.queue)) {
      throw new DomainError(
        'unavailable',
        `任务队列（Redis）暂不可用，评估未启动，请稍后重试 (the job queue is unavailable: Redis is ${queueClient(this.queue).status}; no run was started)`,
        [], { 'retry-after': '30' },
      );
    }
    const run = await this.transactions.run(async (tx) => {
      const saved = await this.runs.insertQueued(tx, trigger, asOf);
      await this.audit.append(tx, actor ?? SYSTEM_ACTOR, {
        action: 'evaluation_run.start', entity: 'evaluation_run', entityId: saved.id, after: { trigger, asOf: asOf.toISOString() },
      });
      return saved;
    });
    const data: RunJobData = { runId: run.id };
    try {
      await redisWithin(QUEUE_ADD_TIMEOUT_MS,
        this.queue.add(EvaluationJob.run, data, { ...jobOptions(this.config.jobBackoffMs), jobId: jobIds.run(run.id) }));
    } catch (error) {
      await this.fail(run.id, `not queued: ${(error as Error).message}`);
      throw new DomainError(
        'unavailable',
        `任务队列（Redis）未响应，评估批次 ${run.id} 已记为失败，请稍后重试 (the job queue did not answer: run ${run.id} is marked failed)`,
        [], { 'retry-after': '30' },
      );
    }
    return { id: run.id };
  }

  async get(id: string): Promise<RunJson> {
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await this.runs.findById(id) : null;
    if (!run) throw notFound(`评估批次 ${id}`);
    return runJson(run);
  }

  /** The runs, newest first. */
  async list(q: PageQuery): Promise<Page<RunJson>> {
    const [runs, total] = await this.runs.listPage(offsetOf(q), q.pageSize);
    return { items: runs.map(runJson), page: q.page, pageSize: q.pageSize, total };
  }

  /** Splits the active targets into id ranges of `chunkSize` and queues one job per range. */
  async fanOut(runId: string): Promise<void> {
    if (!(await this.runs.markRunning(runId))) return; // failed or completed meanwhile
    const chunks = await this.runs.activeChunks(this.config.chunkSize);
    await this.runs.setTotals(runId, chunks.length, chunks.reduce((sum, c) => sum + c.n, 0));
    if (!chunks.length) return this.finishIfDone(runId);
    await this.queue.addBulk(
      chunks.map((c) => ({
        name: EvaluationJob.chunk,
        data: { runId, chunk: Number(c.chunk), fromId: c.from_id, toId: c.to_id } satisfies ChunkJobData,
        opts: { ...jobOptions(this.config.jobBackoffMs), jobId: jobIds.chunk(runId, Number(c.chunk)) },
      })),
    );
  }

  /** Evaluates one chunk and records it done in the same transaction; a retry after commit is a no-op. */
  async processChunk({ runId, chunk, fromId, toId }: ChunkJobData): Promise<void> {
    const run = await this.runs.stateOf(runId);
    if (!run || run.state !== 'running') return;
    const evaluations = await this.store.evaluate({ fromId, toId }, run.as_of, this.config.scheduleTz);
    await this.transactions.run(async (tx) => {
      if (await this.runs.claimChunk(tx, runId, chunk, evaluations.length)) await this.store.saveRun(tx, runId, evaluations);
    });
    // Also on a retry after the commit: the job id makes it once.
    await this.reconcileChunk(runId, chunk, fromId, toId);
    await this.finishIfDone(runId);
  }

  /** Alert state follows a chunk's new evaluations: the chunk's targets only, not every target per chunk or run. */
  private async reconcileChunk(runId: string, chunk: number, fromId: number, toId: number): Promise<void> {
    const data: ReconcileJobData = { source: `run:${runId}:chunk:${chunk}`, fromId, toId };
    await this.notifications.add(NotificationJob.reconcile, data, { ...jobOptions(this.config.jobBackoffMs), jobId: jobIds.reconcileChunk(runId, chunk) });
  }

  /** Completes the run when its last chunk is in (each chunk has queued the reconcile of its targets); then, in a
   *  transaction of its own, the explanations its flagged targets owe for the quarter it reports on. */
  private async finishIfDone(runId: string): Promise<void> {
    const completed = await this.transactions.run((tx) => this.runs.finishIfDone(tx, runId));
    if (completed) await this.oweExplanations(runId, completed.asOf);
  }

  /**
   * Right after the run completes, not in its transaction: one INSERT … SELECT over the run's evaluations whose
   * cost grows with the targets flagged (row-level foreign keys), kept out of the run's completion. Should it fail,
   * the run stays completed and the next run of the quarter owes them (ON CONFLICT DO NOTHING).
   */
  private async oweExplanations(runId: string, asOf: Date): Promise<void> {
    try {
      await this.transactions.run((tx) =>
        this.explanations.owe(tx, runId, reportingQuarter(asOf, this.config.scheduleTz), this.config.explanationDueDays));
    } catch (error) {
      this.logger.error(`evaluation run ${runId}: the explanations it owes were not written: ${(error as Error).message}`);
    }
  }

  /** Alert state follows re-evaluated targets: a lone target in a job keyed by it (an active job may have
   *  read the old evaluation, so then it gets a job of its own), a batch in one job for its targets. */
  async afterTargetsEvaluation(targetIds: readonly number[]): Promise<void> {
    if (targetIds.length > 1) {
      // one reconcile for the batch; never deduplicated (another batch has other targets)
      const data: ReconcileJobData = { source: `targets:${targetIds[0]}+${targetIds.length - 1}`, targetIds: [...targetIds] };
      await this.notifications.add(NotificationJob.reconcile, data, {
        ...jobOptions(this.config.jobBackoffMs), removeOnComplete: true, removeOnFail: true,
      });
      return;
    }
    const [targetId] = targetIds;
    const id = jobIds.reconcileTarget(targetId);
    const active = await this.notifications.client.lrange(this.notifications.toKey('active'), 0, -1);
    const data: ReconcileJobData = { source: `target:${targetId}`, fromId: targetId, toId: targetId };
    await this.notifications.add(NotificationJob.reconcile, data, {
      ...jobOptions(this.config.jobBackoffMs), jobId: active.includes(id) ? `${id}:${Date.now()}` : id,
      removeOnComplete: true, removeOnFail: true, // a kept job would swallow the target's next reconcile
    });
  }

  /** Marks the run failed (once); later chunks of a failed run do nothing. */
  async fail(runId: string, error: string): Promise<void> {
    this.logger.error(`evaluation run ${runId} failed: ${error}`);
    await this.runs.markFailed(runId, error.slice(0, 2000));
  }
}
