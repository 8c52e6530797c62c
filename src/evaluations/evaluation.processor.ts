import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import {
  type ChunkJobData, EVALUATION_CONCURRENCY, EVALUATION_QUEUE, EvaluationJob, type RunJobData, type TargetJobData,
} from '../jobs/jobs.constants.js';
import { EvaluationRunsService } from './evaluation-runs.service.js';
import { ReevaluationService } from './reevaluation.service.js';

/** Thin: each job hands its ids to a service. Registered only in the `worker` and `all` roles. */
@Processor(EVALUATION_QUEUE)
export class EvaluationProcessor {
  constructor(
    private readonly runs: EvaluationRunsService,
    private readonly reevaluation: ReevaluationService,
  ) {}

  /** One handler for every job name: Bull starts a fetch loop per named handler, multiplying held chunks. */
  @Process({ name: '*', concurrency: EVALUATION_CONCURRENCY })
  async handle(job: Job): Promise<void> {
    switch (job.name) {
      case EvaluationJob.scheduled: // the cron only creates a run; its fan-out is a job of its own
        await this.runs.start(null, 'schedule');
        return;
      case EvaluationJob.run:
        return this.runs.fanOut((job.data as RunJobData).runId);
      case EvaluationJob.chunk:
        return this.runs.processChunk(job.data as ChunkJobData);
      case EvaluationJob.target:
        return this.target(job as Job<TargetJobData>);
      default:
        throw new Error(`no handler for evaluation job "${job.name}"`);
    }
  }

  private async target(job: Job<TargetJobData>): Promise<void> {
    await this.reevaluation.evaluate(job.data.targetId);
  }

  /** A run or chunk job out of attempts fails its run, visibly; earlier failures are retried. */
  @OnQueueFailed()
  async failed(job: Job<Partial<ChunkJobData>>, error: Error): Promise<void> {
    const outOfAttempts = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!outOfAttempts || !job.data.runId) return;
    const where = job.name === EvaluationJob.chunk ? `chunk ${job.data.chunk} (targets ${job.data.fromId}–${job.data.toId})` : 'fan-out';
    await this.runs.fail(job.data.runId, `${where}: ${error.message}`);
  }
}
