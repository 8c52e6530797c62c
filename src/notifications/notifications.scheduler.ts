import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { NOTIFICATION_CRON_IDS, NOTIFICATIONS_QUEUE, NotificationJob } from '../jobs/jobs.constants.js';
import { keepRegistered, scheduleRepeatable } from '../jobs/repeatable.js';
import { OutboxService } from './outbox.service.js';

/** Worker start: the digest and reminder schedules, and every unsent email queued again; re-done should Redis lose them. */
@Injectable()
export class NotificationsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsScheduler.name);
  private stop = () => {};

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.register(true);
    this.stop = keepRegistered(this.queue, () => this.register(false), (error) => this.logger.warn(`schedules not checked: ${error.message}`), this.config.scheduleCheckMs);
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private async register(log: boolean): Promise<void> {
    const tz = this.config.scheduleTz;
    const schedules = [
      { name: NotificationJob.digest, cron: this.config.digestCron, jobId: NOTIFICATION_CRON_IDS.digest },
      { name: NotificationJob.reminders, cron: this.config.reminderCron, jobId: NOTIFICATION_CRON_IDS.reminders },
    ];
    for (const schedule of schedules) {
      await scheduleRepeatable(this.queue, { ...schedule, tz }, this.config.jobBackoffMs);
      if (log) this.logger.log(`${schedule.name} scheduled: "${schedule.cron}" (${tz})`);
    }
    await this.outbox.requeueUnsent();
  }
}
