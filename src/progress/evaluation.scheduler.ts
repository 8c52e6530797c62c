import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CRON_JOB_ID, EVALUATION_QUEUE, EvaluationJob } from '../jobs/jobs.constants.js';
import { scheduleRepeatable } from '../jobs/repeatable.js';

/** Registers the daily evaluation (EVALUATION_CRON in SCHEDULE_TZ) once, however many workers start. */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(EvaluationScheduler.name);

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { evaluationCron: cron, scheduleTz: tz } = this.config;
    await scheduleRepeatable(this.queue, { name: EvaluationJob.scheduled, jobId: CRON_JOB_ID, cron, tz }, this.config.jobBackoffMs);
    this.logger.log(`evaluation scheduled: "${cron}" (${tz})`);
  }
}
