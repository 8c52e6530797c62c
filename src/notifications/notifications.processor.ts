import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { NOTIFICATIONS_QUEUE, NotificationJob, type ReconcileJobData, type SendJobData } from '../jobs/jobs.constants.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { DigestService } from './digest.service.js';
import { OutboxService } from './outbox.service.js';
import { RemindersService } from './reminders.service.js';

/** Thin: each job calls a service. Registered only in the `worker` and `all` roles. */
@Processor(NOTIFICATIONS_QUEUE)
export class NotificationsProcessor {
  constructor(
    private readonly alerts: AlertsService,
    private readonly digests: DigestService,
    private readonly reminders: RemindersService,
    private readonly outbox: OutboxService,
  ) {}

  @Process(NotificationJob.reconcile)
  async reconcile(job: Job<ReconcileJobData>): Promise<{ changes: number; emails: number; targets: number }> {
    const { fromId, toId, targetIds } = job.data;
    if (targetIds?.length) return this.alerts.reconcile(undefined, { fromId: Math.min(...targetIds), toId: Math.max(...targetIds), only: targetIds });
    return this.alerts.reconcile(undefined, fromId !== undefined && toId !== undefined ? { fromId, toId } : null);
  }

  @Process(NotificationJob.digest)
  async digest(): Promise<void> {
    await this.digests.run(null);
  }

  @Process(NotificationJob.reminders)
  async remind(): Promise<void> {
    await this.reminders.run();
  }

  @Process({ name: NotificationJob.send, concurrency: 4 })
  send(job: Job<SendJobData>): Promise<void> {
    return this.outbox.send(job.data.outboxId);
  }

  /** An email whose attempts ran out is marked failed, visible at GET /notifications. */
  @OnQueueFailed()
  async failed(job: Job<Partial<SendJobData>>, error: Error): Promise<void> {
    if (job.name === NotificationJob.send && job.data.outboxId && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      await this.outbox.failed(job.data.outboxId, error.message);
    }
  }
}
