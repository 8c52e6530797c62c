import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { CRON_JOB_ID, EVALUATION_QUEUE, EvaluationJob } from '../jobs/jobs.constants.js';
import { keepRegistered, scheduleRepeatable } from '../jobs/repeatable.js';

/** Registers the daily evaluation once however many workers start, and again should Redis lose it. */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EvaluationScheduler.name);
  private stop = () => {};

  constructor(
    @InjectQueue(EVALUATION_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { evaluationCron: cron, scheduleTz: tz } = this.config;
    const register = () => scheduleRepeatable(this.queue, { name: EvaluationJob.scheduled, jobId: CRON_JOB_ID, cron, tz }, this.config.jobBackoffMs);
    await register();
    this.logger.log(`evaluation scheduled: "${cron}" (${tz})`);
    this.stop = keepRegistered(this.queue, register, (error) => this.logger.warn(`evaluation schedule not checked: ${error.message}`), this.config.scheduleCheckMs);
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
