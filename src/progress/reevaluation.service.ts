import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import {
  EVALUATION_QUEUE, EvaluationJob, jobIds, jobOptions, REEVALUATION_DEBOUNCE_MS, type TargetJobData,
} from '../jobs/jobs.constants.js';

/** Queues the re-evaluation of targets whose figures changed, one job per target at a time. */
@Injectable()
export class ReevaluationService {
  private readonly logger = new Logger(ReevaluationService.name);

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(targetIds: number[]): Promise<void> {
    for (const targetId of targetIds) {
      try {
        await this.enqueue(targetId);
      } catch (error) {
        // The figures are committed; the next scheduled run evaluates them if this request is lost.
        this.logger.warn(`re-evaluation of target ${targetId} not queued: ${(error as Error).message}`);
      }
    }
  }

  private async enqueue(targetId: number): Promise<void> {
    const data: TargetJobData = { targetId };
    let jobId = jobIds.target(targetId);
    // A waiting or delayed job will read the new figures when it runs (the dedupe); an active one may
    // already have read them, so the change gets a job of its own.
    const existing = await this.queue.getJob(jobId);
    if (existing && (await existing.isActive())) jobId = `${jobId}:${Date.now()}`;
    await this.queue.add(EvaluationJob.target, data, {
      ...jobOptions(this.config.jobBackoffMs),
      jobId,
      delay: REEVALUATION_DEBOUNCE_MS,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }
}
