import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CRON_JOB_ID, EVALUATION_QUEUE, EvaluationJob, jobOptions } from '../jobs/jobs.constants.js';

/**
 * Registers the daily evaluation as a Bull repeatable job. Its key is derived from name, id, cron and
 * zone, so any number of workers registering it leave one schedule; a changed cron replaces the old.
 */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(EvaluationScheduler.name);

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { evaluationCron: cron, scheduleTz: tz } = this.config;
    for (const job of await this.queue.getRepeatableJobs()) {
      if (job.name === EvaluationJob.scheduled && (job.cron !== cron || job.tz !== tz)) {
        await this.queue.removeRepeatableByKey(job.key);
      }
    }
    await this.queue.add(EvaluationJob.scheduled, {}, {
      ...jobOptions(this.config.jobBackoffMs),
      jobId: CRON_JOB_ID,
      repeat: { cron, tz },
    });
    this.logger.log(`evaluation scheduled: "${cron}" (${tz})`);
  }
}
